// Turning a request body into an object of the resource's kind, as kube-apiserver's decoder
// does: type meta checked against the URL, schema applied (unknown fields pruned or refused
// by fieldValidation), nulls dropped.
import { errors, field } from '../api/errors.ts';
import type { KubeObject } from '../api/types.ts';
import { goPrintValue } from './validation/go-unstructured.ts';
import { checkAgainstSchema, type FieldValidationMode } from './validation/schema.ts';
import { groupVersion, type ResourceDef } from './types.ts';

export interface Decoded {
  object: KubeObject;
  warnings: string[];
}

/** The kind and apiVersion a body must carry for this resource (empty ones are filled in). */
export function expectedTypeMeta(def: ResourceDef, subresource?: string): { kind: string; apiVersion: string } {
  if (subresource === 'scale') return { kind: 'Scale', apiVersion: 'autoscaling/v1' };
  return { kind: def.kind, apiVersion: groupVersion(def) };
}

export interface DecodeOptions {
  mode: FieldValidationMode;
  subresource?: string;
  /**
   * The strategic merge patch `body` is the result of: kube converts that result from a map
   * (runtime.DefaultUnstructuredConverter), so a wrong type is its 422 naming the patch, not
   * the JSON decoder's 400.
   */
  strategicPatch?: unknown;
}

export function decodeBody(def: ResourceDef, body: unknown, opts: DecodeOptions): Decoded {
  const want = expectedTypeMeta(def, opts.subresource);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw errors.badRequest(`Object '${want.kind}' is missing in '${JSON.stringify(body)?.slice(0, 200)}'`);
  }
  const obj = body as KubeObject;
  if (obj.apiVersion === undefined || obj.apiVersion === '') obj.apiVersion = want.apiVersion;
  if (obj.kind === undefined || obj.kind === '') obj.kind = want.kind;
  if (typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') {
    throw errors.badRequest(`Object 'Kind' is missing in '${JSON.stringify(body).slice(0, 200)}'`);
  }
  if (obj.apiVersion !== want.apiVersion) {
    throw errors.badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${want.apiVersion})`);
  }
  if (obj.kind !== want.kind) {
    throw errors.badRequest(`${obj.kind} in version "${want.apiVersion.split('/').pop()}" cannot be handled as a ${want.kind}: ` +
      `the kind in the data (${obj.kind}) does not match the expected kind (${want.kind})`);
  }
  if (obj.metadata !== undefined && (typeof obj.metadata !== 'object' || obj.metadata === null || Array.isArray(obj.metadata))) {
    if (opts.strategicPatch !== undefined) throw patchConversionError(opts.strategicPatch, `cannot restore struct from: ${jsonType(obj.metadata) === 'array' ? 'slice' : jsonType(obj.metadata)}`);
    throw errors.badRequest(`${want.kind} in version "${want.apiVersion.split('/').pop()}" cannot be handled as a ${want.kind}: ` +
      `json: cannot unmarshal ${jsonType(obj.metadata)} into Go struct field ${want.kind}.metadata of type v1.ObjectMeta`);
  }
  const definition = opts.subresource === 'scale' ? 'io.k8s.api.autoscaling.v1.Scale' : def.schema;
  const checkOptions = { mode: opts.mode, kind: want.kind, apiVersion: want.apiVersion, converter: opts.strategicPatch !== undefined };
  const check = def.custom && opts.subresource !== 'scale'
    ? def.custom.decode(obj, checkOptions)
    : checkAgainstSchema(definition, obj, checkOptions);
  if (check.badRequest) throw check.badRequest;
  if (check.conversionError) throw patchConversionError(opts.strategicPatch, check.conversionError);
  obj.metadata ??= {};
  const warnings = opts.mode === 'Warn' ? check.unknownFields.map((f) => `unknown field "${f}"`) : [];
  return { object: obj, warnings };
}

/** kube's applyPatchToObject: `"" is invalid: patch: Invalid value: "map[...]": <converter error>`. */
function patchConversionError(patch: unknown, message: string) {
  const err = errors.invalid('', '', '', [field.invalid('patch', goPrintValue(patch), message)]);
  // An empty GroupKind and name are left out of the details, as Go's omitempty does.
  err.status.details = { causes: err.status.details?.causes };
  return err;
}

function jsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'object' : typeof v;
}

export function parseFieldValidation(v: string | undefined): FieldValidationMode {
  if (v === undefined || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw errors.badRequest(`fieldValidation parameter unsupported: ${v}`);
}
