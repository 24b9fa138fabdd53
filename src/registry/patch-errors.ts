// How kube's patch handler reports a patched object it cannot decode: a 422 on the field
// `patch`, ` "" is invalid: patch: Invalid value: "<value>": <error>`, for wrong types and,
// under fieldValidation=Strict, for unknown fields. The value shown depends on the patcher:
// - strategic merge: the patch as Go's %+v prints the map (`map[metadata:map[labels:x]]`), the
//   error the unstructured converter's (`cannot restore map from string`), strict errors sorted;
// - JSON and merge patches: the patched document as evanphx/json-patch re-marshals it (Go's
//   json.Marshal of a map: keys sorted, <, > and & escaped), the JSON decoder's error.
import { errors, field } from '../api/errors.ts';
import type { NumberLiteral } from '../api/json-scan.ts';
import { goPrintValue } from './validation/go-unstructured.ts';

export type PatchKind = 'json' | 'merge' | 'strategic';

export interface PatchContext {
  type: PatchKind;
  /** The patch body as the client sent it (decoded). */
  patch: unknown;
  /** JSON and merge patches: the patched document's JSON before decoding pruned it. */
  patchedJson?: string;
  /** JSON and merge patches: the patch's number literals at their place in the result (patch-literals.ts). */
  numbers?: NumberLiteral[];
}

/** The 422 for a patched object that failed to decode with `message`. */
export function patchDecodeError(ctx: PatchContext, message: string) {
  const value = ctx.type === 'strategic' ? goPrintValue(ctx.patch) : goMarshalSorted(ctx.patchedJson ?? 'null');
  const err = errors.invalid('', '', '', [field.invalid('patch', value, message)]);
  // An empty GroupKind and name are left out of the details, as Go's omitempty does.
  err.status.details = { causes: err.status.details?.causes };
  return err;
}

/** Go's json.Marshal of the document decoded into maps: keys sorted at every level, HTML-safe escapes. */
export function goMarshalSorted(json: string): string {
  const sorted = JSON.stringify(JSON.parse(json), (_key, value: unknown) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value as Record<string, unknown>).sort()) out[k] = (value as Record<string, unknown>)[k];
    return out;
  });
  return sorted
    .replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
