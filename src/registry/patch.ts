// PATCH bodies by content type: JSON patch (RFC 6902), JSON merge patch (RFC 7386) and
// strategic merge patch, driven by the kind's OpenAPI patch strategies and merge keys.
import { errors } from '../api/errors.ts';
import { numberLiterals, type NumberLiteral } from '../api/json-scan.ts';
import { patchedLiterals } from './patch-literals.ts';
import { applyJsonPatch } from './patch/json-patch.ts';
import { applyMergePatch } from './patch/merge-patch.ts';
import { applyStrategicMergePatch } from './patch/strategic-merge.ts';
import type { FieldValidationMode } from './validation/schema.ts';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

const contentTypes: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

export const supportedPatchTypes = Object.keys(contentTypes);

/** `accepted`: the content types the resource takes (custom resources take no strategic merge patch). */
export function patchTypeOf(contentType: string | undefined, accepted: string[] = supportedPatchTypes): PatchType {
  const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const type = accepted.includes(mediaType) ? contentTypes[mediaType] : undefined;
  if (!type) throw errors.unsupportedMediaType(mediaType, accepted);
  return type;
}

/** `definition` is the OpenAPI definition of the patched document (strategic merge patch needs it). */
export function applyPatch(type: PatchType, doc: unknown, patch: unknown, definition: string, fieldValidation: FieldValidationMode = 'Warn'): unknown {
  switch (type) {
    case 'json':
      return applyJsonPatch(doc, patch, { fieldValidation });
    case 'merge':
      return applyMergePatch(doc, patch, { fieldValidation });
    case 'strategic':
      return applyStrategicMergePatch(doc, patch, definition, { fieldValidation });
    default:
      // Apply patches merge by field ownership: GenericStore.apply, not a document transform.
      throw errors.unsupportedMediaType('application/apply-patch+yaml', supportedPatchTypes);
  }
}

/** The number literals a JSON or merge patch (as the request decoder recorded them) leaves in `patched`. */
export function patchedNumberLiterals(type: 'json' | 'merge', patch: unknown, patched: unknown): NumberLiteral[] | undefined {
  const numbers = patch !== null && typeof patch === 'object' ? numberLiterals.get(patch) : undefined;
  return patchedLiterals(type, patch, numbers, patched);
}

/**
 * An apply configuration's recorded literals, on the object the apply produced (its fields keep
 * their places), so the body decoder judges them there: an integer past 2^53-1 is refused, not
 * stored rounded. YAML's `1.0` is the integer 1 to kube's apply as to its YAML decoder, and not recorded.
 */
export function carryAppliedLiterals(applied: unknown, result: unknown): void {
  if (result === null || typeof result !== 'object') return;
  const numbers = patchedNumberLiterals('merge', applied, result);
  if (numbers) numberLiterals.set(result, numbers);
}
