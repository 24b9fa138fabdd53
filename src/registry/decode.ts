// Turning a request body into an object of the resource's kind, as kube-apiserver's decoder
// does: type meta checked against the URL, schema applied (unknown fields pruned or refused
// by fieldValidation), nulls dropped.
import { errors } from '../api/errors.ts';
import { duplicateFields, numberLiterals } from '../api/json-scan.ts';
import type { KubeObject } from '../api/types.ts';
import { patchDecodeError, type PatchContext } from './patch-errors.ts';
import { checkAgainstSchema, strictDecodingError, type FieldValidationMode } from './validation/schema.ts';
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
   * The patch `body` is the result of: a decode failure is then kube's 422 naming the patch
   * (patch-errors.ts), and a strategic merge patch's result is converted from a map
   * (runtime.DefaultUnstructuredConverter's words), not decoded from JSON.
   */
  patch?: PatchContext;
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
    if (opts.patch?.type === 'strategic') throw patchDecodeError(opts.patch, `cannot restore struct from: ${jsonType(obj.metadata) === 'array' ? 'slice' : jsonType(obj.metadata)}`);
    if (opts.patch) throw patchDecodeError(opts.patch, `json: cannot unmarshal ${jsonType(obj.metadata)} into Go struct field ${want.kind}.metadata of type v1.ObjectMeta`);
    throw errors.badRequest(`${want.kind} in version "${want.apiVersion.split('/').pop()}" cannot be handled as a ${want.kind}: ` +
      `json: cannot unmarshal ${jsonType(obj.metadata)} into Go struct field ${want.kind}.metadata of type v1.ObjectMeta`);
  }
  const definition = opts.subresource === 'scale' ? 'io.k8s.api.autoscaling.v1.Scale' : def.schema;
  const checkOptions = {
    mode: opts.mode, kind: want.kind, apiVersion: want.apiVersion, converter: opts.patch?.type === 'strategic',
    numbers: opts.patch ? opts.patch.numbers : numberLiterals.get(body),
  };
  const check = def.custom && opts.subresource !== 'scale'
    ? def.custom.decode(obj, checkOptions)
    : checkAgainstSchema(definition, obj, checkOptions);
  if (opts.patch) {
    const message = check.conversionError ?? check.typeError ??
      (opts.mode === 'Strict' && check.unknownFields.length > 0 ? strictPatchError(opts.patch.type, check.unknownFields) : undefined);
    if (message) throw patchDecodeError(opts.patch, message);
  }
  if (check.badRequest) throw check.badRequest;
  // Duplicate keys in the JSON text: kube's strict decoding error in Strict, a warning in Warn.
  const duplicates = (duplicateFields.get(body) ?? []).map((f) => `json: duplicate field "${f}"`);
  if (opts.mode === 'Strict' && duplicates.length > 0) {
    throw errors.badRequest(`${want.kind} in version "${want.apiVersion.split('/').pop()}" cannot be handled as a ${want.kind}: ` +
      `strict decoding error: ${duplicates.join(', ')}`);
  }
  obj.metadata ??= {};
  const warnings = opts.mode === 'Warn' ? [...duplicates, ...check.unknownFields.map((f) => `unknown field "${f}"`)] : [];
  return { object: obj, warnings };
}

/** The converter reports unknown fields sorted by message; the JSON decoder in document order. */
function strictPatchError(type: PatchContext['type'], unknownFields: string[]): string {
  return strictDecodingError(type === 'strategic' ? [...unknownFields].sort() : unknownFields);
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
