// Decoding a request body against its kind's schema the way kube-apiserver's decoder
// (sigs.k8s.io/json, case-sensitive, strict when fieldValidation asks) does it:
// - JSON nulls in typed fields are ignored (kubectl sends `creationTimestamp: null`);
// - unknown fields are always dropped; with fieldValidation=Strict they fail the request with
//   `<Kind> in version "<v>" cannot be handled as a <Kind>: strict decoding error: unknown field "spec.foo", ...`,
//   with Warn they become `unknown field "spec.foo"` warnings (the caller adds the headers);
// - a value of the wrong JSON type fails with Go's own words, e.g.
//   `... cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32`.
// `required` and `enum` are not decoding rules: kind validation reports them (see requiredFieldErrors).
// Each definition's ajv validator is compiled once, on first use.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { NumberLiteral } from '../../api/json-scan.ts';
import { errors, type FieldError, type StatusError } from '../../api/errors.ts';
import {
  base64Error, goTypeName, jsonValueWord, quantityError, quantityNumberError, timeError, unmarshalTypeError,
} from './go-decode.ts';
import { conversionError } from './go-unstructured.ts';
import { literalIndex, locationKey, numberLiteralErrors, type LiteralError } from './number-literals.ts';
import { collectRequired } from './required.ts';
import { loadDefinitions, loadValidationDocument } from './schema-files.ts';
import {
  compareDocumentOrder, decodeContext, dropNulls, fieldPathOf, isPlainObject, parsePointer, resolve, valueAt, type Definitions,
} from './schema-walk.ts';
import type { DecodeKind, ValidationSchema } from './validation-schema.ts';

export { loadDefinitions };

export type FieldValidationMode = 'Strict' | 'Warn' | 'Ignore';

export interface SchemaCheck {
  /** 400 BadRequest the request must fail with (type error; unknown fields in Strict mode). */
  badRequest?: StatusError;
  /** Paths of the unknown fields, in document order; already removed from the object. */
  unknownFields: string[];
  /** With `converter`: the unstructured converter's type error, for the caller to report. */
  conversionError?: string;
  /** The JSON decoder's type error behind badRequest, without its `cannot be handled as` prefix. */
  typeError?: string;
}

export interface CheckOptions {
  mode: FieldValidationMode;
  /** The kind and apiVersion the body was decoded as, for the `cannot be handled as` prefix. */
  kind: string;
  apiVersion: string;
  /**
   * Word type errors as runtime.DefaultUnstructuredConverter does (a strategic merge patch's
   * result is converted from a map, not decoded from JSON) and return them as conversionError.
   */
  converter?: boolean;
  /** The body's number literals JavaScript misreads (api/json-scan.ts), judged as Go reads them. */
  numbers?: NumberLiteral[];
}

/** kube's strict decoder keeps at most this many strict errors. */
const maxStrictErrors = 100;

let ajv: Ajv | undefined;
const validators = new Map<string, ValidateFunction>();

function definitions(): Definitions {
  return loadValidationDocument().definitions;
}

function validatorFor(definition: string): ValidateFunction {
  let validate = validators.get(definition);
  if (!validate) {
    ajv ??= createAjv();
    validate = ajv.getSchema(`k8s#/definitions/${definition}`);
    if (!validate) throw new Error(`no schema for ${definition}`);
    validators.set(definition, validate);
  }
  return validate;
}

function createAjv(): Ajv {
  // inlineRefs: false compiles each referenced definition (ObjectMeta, PodSpec, ...) once and shares
  // it, instead of inlining it into every kind: a third to a half less compile time at start-up.
  const instance = new Ajv({ allErrors: true, strict: false, validateSchema: false, inlineRefs: false });
  instance.addVocabulary(['x-go', 'x-required']);
  instance.addKeyword({ keyword: 'x-decode', schemaType: 'string', validate: decodesAs });
  instance.addSchema(loadValidationDocument());
  return instance;
}

/** The checks the self-decoding Kubernetes types make; wrong JSON types are left to `type`. */
function decodesAs(kind: DecodeKind, data: unknown): boolean {
  switch (kind) {
    case 'quantity':
      if (typeof data === 'number') return quantityNumberError(data) === undefined;
      return typeof data !== 'string' || quantityError(data) === undefined;
    case 'time':
      return typeof data !== 'string' || timeError(data) === undefined;
    case 'byte':
      return typeof data !== 'string' || base64Error(data) === undefined;
    default:
      return true;
  }
}

/** Whether kubelite has a schema for this definition name. */
export function hasDefinition(definition: string): boolean {
  return definition in definitions();
}

/**
 * Decodes `obj` (in place) as definition `definition`, e.g. 'io.k8s.api.apps.v1.Deployment':
 * drops nulls and unknown fields and reports what kube-apiserver's decoder would refuse.
 */
export function checkAgainstSchema(definition: string, obj: unknown, opts: CheckOptions): SchemaCheck {
  const defs = definitions();
  if (!defs[definition]) return { unknownFields: [] };
  dropNulls(defs, obj, { $ref: `#/definitions/${definition}` });
  const validate = validatorFor(definition);
  const valid = validate(obj);
  const literalErrors = opts.numbers?.length ? numberLiteralErrors(defs, definition, obj, opts.numbers) : [];
  if (valid && literalErrors.length === 0) return { unknownFields: [] };

  const unknown: string[][] = [];
  const invalid: ErrorObject[] = [];
  for (const e of (valid ? [] : validate.errors ?? [])) {
    if (e.keyword === 'additionalProperties') unknown.push([...parsePointer(e.instancePath), String(e.params.additionalProperty)]);
    else if (e.keyword !== 'if') invalid.push(e); // an `if` failing only says its branch failed, reported on its own
  }
  unknown.sort((a, b) => compareDocumentOrder(obj, a, b));
  // Inside a CRD schema wrapper the nested json.Unmarshal is not strict: unknown fields there
  // are dropped without a word, as kube drops them.
  const unknownFields = unknown
    .filter((segments) => !decodeContext(defs, definition, segments.slice(0, -1), obj).wrapper)
    .map((segments) => fieldPathOf(obj, segments));
  const decodeError = firstDecodeError(defs, definition, obj, invalid, !!opts.converter, literalErrors, literalIndex(opts.numbers));
  for (const segments of unknown) {
    const parent = valueAt(obj, segments.slice(0, -1));
    if (isPlainObject(parent)) delete parent[segments[segments.length - 1]];
  }

  const prefix = `${opts.kind} in version "${opts.apiVersion.split('/').pop()}" cannot be handled as a ${opts.kind}: `;
  if (decodeError && opts.converter) return { conversionError: decodeError, unknownFields };
  if (decodeError) return { badRequest: errors.badRequest(prefix + decodeError), typeError: decodeError, unknownFields };
  if (opts.mode === 'Strict' && unknownFields.length > 0) {
    return { badRequest: errors.badRequest(prefix + strictDecodingError(unknownFields)), unknownFields };
  }
  return { unknownFields };
}

/** `strict decoding error: unknown field "a", unknown field "b"`, as runtime.StrictDecodingError prints. */
export function strictDecodingError(unknownFields: string[]): string {
  const listed = unknownFields.slice(0, maxStrictErrors).map((f) => `unknown field ${JSON.stringify(f)}`);
  return `strict decoding error: ${listed.join(', ')}`;
}

/**
 * The error Go's decoder returns. It reads the document once, in order: a plain type error is
 * remembered and decoding goes on (the first one is returned at the end), while an error from
 * a type's own UnmarshalJSON (Quantity, Time, IntOrString) stops decoding at once.
 */
function firstDecodeError(defs: Definitions, definition: string, obj: unknown, invalid: ErrorObject[], converter: boolean,
  literalErrors: LiteralError[], literals: Map<string, string> | undefined): string | undefined {
  const seen = new Set<string>();
  const found: LiteralError[] = [];
  for (const e of literalErrors) {
    seen.add(locationKey(e.segments));
    found.push(e);
  }
  for (const e of invalid) {
    const segments = parsePointer(e.instancePath);
    const key = locationKey(segments);
    if (seen.has(key)) continue;
    seen.add(key);
    found.push({ segments, ...decodeErrorAt(defs, definition, obj, segments, converter, literals?.get(key)) });
  }
  found.sort((a, b) => compareDocumentOrder(obj, a.segments, b.segments));
  return (found.find((f) => f.aborts) ?? found[0])?.message;
}

function decodeErrorAt(defs: Definitions, definition: string, obj: unknown, segments: string[], converter: boolean,
  literal?: string): { message: string; aborts: boolean } {
  const value = valueAt(obj, segments);
  // Go names a number by its literal (`number 1e400`); JSON.parse kept only its value.
  const numberWord = (intoInteger: boolean) => (literal !== undefined && typeof value === 'number' ? `number ${literal}` : jsonValueWord(value, intoInteger));
  const ctx = decodeContext(defs, definition, segments, obj);
  // Past a CRD schema wrapper the error comes out of its own json.Unmarshal: decoding stops,
  // and the outer decoder names its own struct and field (the wrapper's) with the inner type.
  const frame = ctx.wrapper ?? ctx;
  const context = frame.struct ? { struct: frame.struct, field: frame.fields.join('.') } : undefined;
  const target = resolve(defs, ctx.target).schema;
  if (target['x-decode'] === 'schema-or-bool') return { aborts: true, message: 'boolean or JSON schema expected' };
  if (ctx.wrapper && !converter) {
    return { aborts: true, message: unmarshalTypeError(numberWord(target.type === 'integer'), goTypeName(ctx.target), context) };
  }
  switch (target['x-decode']) {
    case 'quantity':
      return { aborts: true, message: quantityError(typeof value === 'string' ? value : JSON.stringify(value)) ?? 'invalid quantity' };
    case 'time':
      return { aborts: true, message: typeof value === 'string' ? timeError(value) ?? '' : unmarshalTypeError(jsonValueWord(value), 'string', context) };
    case 'int-or-string':
      return { aborts: true, message: unmarshalTypeError(numberWord(true), 'int32', context) };
    case 'byte':
      return { aborts: false, message: typeof value === 'string' ? base64Error(value) ?? '' : unmarshalTypeError(jsonValueWord(value), '[]uint8', context) };
    default: {
      const converted = converter ? conversionError(value, target, goTypeName(ctx.target)) : undefined;
      if (converted) return { aborts: false, message: converted };
      return { aborts: false, message: unmarshalTypeError(numberWord(target.type === 'integer'), goTypeName(ctx.target), context) };
    }
  }
}

/**
 * The schema's required fields missing from `obj`, as `field.required` errors
 * (`spec.containers: Required value`, `spec.containers[0].name: Required value`).
 */
export function requiredFieldErrors(definition: string, obj: unknown): FieldError[] {
  const defs = definitions();
  if (!defs[definition]) return [];
  const out: FieldError[] = [];
  collectRequired(defs, obj, { $ref: `#/definitions/${definition}` }, '', out);
  return out;
}

/** The validation schema of a definition ($refs inside are left as they are), or undefined. */
export function schemaFor(definition: string): ValidationSchema | undefined {
  return definitions()[definition];
}

/**
 * Whether a field path (`spec.template.spec.containers.image`; list indexes and map keys
 * are skipped, `[0]` is allowed) names a field of the definition.
 */
export function definitionHasPath(definition: string, path: string): boolean {
  const defs = definitions();
  let schema: ValidationSchema = { $ref: `#/definitions/${definition}` };
  for (const name of path.replace(/\[[^\]]*\]/g, '').split('.').filter((s) => s !== '')) {
    let s = resolve(defs, schema).schema;
    while (!s.properties && (s.items || typeof s.additionalProperties === 'object')) {
      s = resolve(defs, s.items ?? (s.additionalProperties as ValidationSchema)).schema;
    }
    const next = s.properties?.[name];
    if (!next) return false;
    schema = next;
  }
  return defs[definition] !== undefined;
}
