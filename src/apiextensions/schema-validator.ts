// Validation of a custom resource against its version's openAPIV3Schema, compiled once with
// ajv, with errors worded as kube-apiserver's (go-openapi's messages turned into field
// errors by apiextensions' kubeOpenAPIResultToFieldErrors):
//   spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"
//   spec.issuerRef: Required value
//   spec.usage: Unsupported value: "x": supported values: "a", "b"
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { field, type FieldError } from '../api/errors.ts';
import { formats } from './formats.ts';
import type { JSONSchemaProps } from './types.ts';

type JsonSchema = Record<string, unknown>;

let ajv: Ajv | undefined;

function instance(): Ajv {
  if (ajv) return ajv;
  ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false, unicodeRegExp: true });
  for (const [name, check] of Object.entries(formats)) ajv.addFormat(name, { type: 'string', validate: check });
  ajv.addKeyword({ keyword: 'x-int-or-string', schemaType: 'boolean', errors: true, validate: intOrString });
  return ajv;
}

function intOrString(_schema: boolean, data: unknown): boolean {
  return typeof data === 'string' || (typeof data === 'number' && Number.isInteger(data));
}

/** The JSON Schema ajv checks: the value validations of the structural schema (metadata is checked elsewhere). */
export function toAjvSchema(s: JSONSchemaProps, isRoot = true): JsonSchema {
  const out: JsonSchema = {};
  if (s['x-kubernetes-int-or-string']) out['x-int-or-string'] = true;
  else if (s.type) out.type = s.nullable ? [s.type, 'null'] : s.type;
  else if (s.nullable === false) out.not = { type: 'null' };
  for (const k of ['enum', 'minimum', 'maximum', 'multipleOf', 'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems',
    'uniqueItems', 'minProperties', 'maxProperties', 'required'] as const) {
    if (s[k] !== undefined) out[k] = s[k];
  }
  if (s.nullable && Array.isArray(s.enum) && !s.enum.includes(null)) out.enum = [...s.enum, null];
  if (s.exclusiveMinimum && s.minimum !== undefined) { out.exclusiveMinimum = s.minimum; delete out.minimum; }
  if (s.exclusiveMaximum && s.maximum !== undefined) { out.exclusiveMaximum = s.maximum; delete out.maximum; }
  if (s.format && formats[s.format]) out.format = s.format;
  if (s.properties) {
    const props: Record<string, JsonSchema> = {};
    for (const [name, prop] of Object.entries(s.properties)) {
      // The root's metadata is ObjectMeta, validated as for built-ins; a schema for it only restricts name.
      if (isRoot && name === 'metadata') continue;
      props[name] = toAjvSchema(prop, false);
    }
    out.properties = props;
  }
  if (typeof s.additionalProperties === 'object') out.additionalProperties = toAjvSchema(s.additionalProperties, false);
  if (s.items) out.items = toAjvSchema(s.items, false);
  for (const k of ['allOf', 'anyOf', 'oneOf'] as const) {
    if (s[k]) out[k] = s[k]!.map((sub) => toAjvSchema(sub, false));
  }
  if (s.not) out.not = toAjvSchema(s.not, false);
  return out;
}

export function compileValidator(schema: JSONSchemaProps): ValidateFunction {
  return instance().compile(toAjvSchema(schema));
}

/** The field errors of `obj` against a compiled schema, in kube's words. */
export function schemaErrors(validate: ValidateFunction, obj: unknown): FieldError[] {
  if (validate(obj)) return [];
  const out: FieldError[] = [];
  const seen = new Set<string>();
  for (const e of validate.errors ?? []) {
    const fe = toFieldError(e, obj);
    if (!fe) continue;
    const key = `${fe.field}\u0000${fe.type}\u0000${fe.detail ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(fe);
  }
  return out;
}

/** `/spec/items/0/name` → `spec.items[0].name` */
export function fieldPathOf(pointer: string, obj: unknown): string {
  let path = '';
  let cur: unknown = obj;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) path += `[${seg}]`;
    else path = path ? `${path}.${seg}` : seg;
    cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
  }
  return path;
}

function valueAt(pointer: string, obj: unknown): unknown {
  let cur: unknown = obj;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
  }
  return cur;
}

/** go-openapi's names for JSON value types. */
export function openAPITypeOf(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'boolean') return 'boolean';
  return typeof v === 'object' ? 'object' : 'string';
}

function goValue(v: unknown): string {
  return typeof v === 'number' ? String(v) : JSON.stringify(v);
}

function toFieldError(e: ErrorObject, obj: unknown): FieldError | undefined {
  const path = fieldPathOf(e.instancePath, obj);
  const value = valueAt(e.instancePath, obj);
  const name = path || '.';
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return field.required(path ? `${path}.${String(p.missingProperty)}` : String(p.missingProperty), '');
    case 'type':
      return { type: 'FieldValueTypeInvalid', field: name, badValue: openAPITypeOf(value),
        detail: `${name} in body must be of type ${String(p.type).replace(/,null$/, '')}: "${openAPITypeOf(value)}"` };
    case 'x-int-or-string':
      return { type: 'FieldValueTypeInvalid', field: name, badValue: openAPITypeOf(value),
        detail: `${name} in body must be of type integer,string: "${openAPITypeOf(value)}"` };
    case 'enum':
      return field.notSupported(name, value, (p.allowedValues as unknown[]).map((v) => (typeof v === 'string' ? v : JSON.stringify(v))));
    case 'maxLength':
      return field.tooLong(name, value, Number(p.limit));
    case 'maxItems':
      return field.tooMany(name, Array.isArray(value) ? value.length : 0, Number(p.limit));
    case 'maxProperties':
      return field.tooMany(name, value && typeof value === 'object' ? Object.keys(value).length : 0, Number(p.limit));
    case 'minLength':
      return field.invalid(name, value, `${name} in body should be at least ${p.limit} chars long`);
    case 'pattern':
      return field.invalid(name, value, `${name} in body should match '${p.pattern}'`);
    case 'minimum':
      return field.invalid(name, value, `${name} in body should be greater than or equal to ${p.limit}`);
    case 'exclusiveMinimum':
      return field.invalid(name, value, `${name} in body should be greater than ${p.limit}`);
    case 'maximum':
      return field.invalid(name, value, `${name} in body should be less than or equal to ${p.limit}`);
    case 'exclusiveMaximum':
      return field.invalid(name, value, `${name} in body should be less than ${p.limit}`);
    case 'multipleOf':
      return field.invalid(name, value, `${name} in body should be a multiple of ${p.multipleOf}`);
    case 'minItems':
      return field.invalid(name, value, `${name} in body should have at least ${p.limit} items`);
    case 'uniqueItems':
      return field.duplicate(`${name}[${p.i}]`, (value as unknown[])[Number(p.i)]);
    case 'minProperties':
      return field.invalid(name, value, `${name} in body should have at least ${p.limit} properties`);
    case 'format':
      return field.invalid(name, value, `${name} in body must be of type ${p.format}: ${goValue(value)}`);
    case 'anyOf':
      return field.invalid(name, value, `${name} in body must validate at least one schema (anyOf)`);
    case 'oneOf':
      return field.invalid(name, value, `${name} in body must validate one and only one schema (oneOf)`);
    case 'not':
      return field.invalid(name, value, `${name} in body must not validate the schema (not)`);
    default:
      return undefined;
  }
}
