// Turns the OpenAPI v2 definitions kube-apiserver publishes into the JSON Schemas ajv checks
// request bodies against. The schemas encode how Go's JSON decoder (sigs.k8s.io/json, as
// kube-apiserver uses it) reads each type, not what the documentation says about it:
// int-or-string takes an integer or a string, a Quantity a string or a number, Time a string,
// RawExtension and friends anything at all. Descriptions are dropped: only decoding matters.
// Used by scripts/gen-schemas.ts (schemas/definitions.json) and, later, for CRD schemas.

/** A schema in the OpenAPI v2 `definitions` section, as the Kubernetes spec writes them. */
export interface OpenAPIV2Schema {
  $ref?: string;
  type?: string;
  format?: string;
  description?: string;
  properties?: Record<string, OpenAPIV2Schema>;
  additionalProperties?: OpenAPIV2Schema | boolean;
  items?: OpenAPIV2Schema;
  required?: string[];
  [extension: string]: unknown;
}

/**
 * A validation schema. Besides JSON Schema keywords, three of kubelite's own:
 * `x-decode` names a Go type with its own UnmarshalJSON (checked by a custom ajv keyword),
 * `x-go` the Go integer type (int32/int64) for decode error messages, and `x-required` the
 * fields kind validation reports as `Required value` (not enforced by ajv).
 */
export interface ValidationSchema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, ValidationSchema>;
  additionalProperties?: ValidationSchema | boolean;
  items?: ValidationSchema;
  minimum?: number;
  maximum?: number;
  'x-decode'?: DecodeKind;
  'x-go'?: 'int32' | 'int64';
  'x-required'?: string[];
  if?: ValidationSchema;
  then?: ValidationSchema;
  else?: ValidationSchema;
}

/** Go types that decode themselves (UnmarshalJSON) or raw bytes, see go-decode.ts. */
export type DecodeKind = 'int-or-string' | 'quantity' | 'time' | 'byte' | SchemaWrapperKind;

/** The CRD schema wrappers that decode a nested JSONSchemaProps with their own UnmarshalJSON. */
export type SchemaWrapperKind = 'schema-or-array' | 'schema-or-bool' | 'schema-or-string-array';

export function isSchemaWrapper(s: ValidationSchema): boolean {
  return s['x-decode'] === 'schema-or-array' || s['x-decode'] === 'schema-or-bool' || s['x-decode'] === 'schema-or-string-array';
}

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;

const definitionsPrefix = '#/definitions/';

/** Definitions whose Go type accepts any JSON value (RawExtension, apiextensions JSON, managedFields' FieldsV1, ...). */
const anyValue = new Set([
  'io.k8s.apimachinery.pkg.runtime.RawExtension',
  'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1',
  'io.k8s.apimachinery.pkg.apis.meta.v1.Patch',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON',
]);

const schemaProps: ValidationSchema = { $ref: '#/definitions/io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps' };

/**
 * A CRD schema's `items`, `additionalProperties` and `dependencies` values, published as
 * "anything" but decoded by their own UnmarshalJSON (apiextensions/v1/marshal.go): an object
 * is a JSONSchemaProps (its errors name the wrapper's field), `items` may be a list of them,
 * `dependencies` a list of strings, `additionalProperties` a boolean — anything else there is
 * "boolean or JSON schema expected"; other values of `items` and `dependencies` are dropped.
 */
function schemaWrapper(kind: 'schema-or-array' | 'schema-or-bool' | 'schema-or-string-array'): ValidationSchema {
  const otherwise: ValidationSchema = kind === 'schema-or-bool' ? { type: 'boolean' }
    : { if: { type: 'array' }, then: { type: 'array', items: kind === 'schema-or-array' ? schemaProps : { type: 'string' } } };
  return { 'x-decode': kind, if: { type: 'object' }, then: schemaProps, else: otherwise };
}

/** Definitions decoded by their own UnmarshalJSON, replaced whole. */
const customDecoded: Record<string, ValidationSchema> = {
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { type: ['string', 'number'], 'x-decode': 'quantity' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time': { type: 'string', 'x-decode': 'time' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime': { type: 'string', 'x-decode': 'time' },
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': intOrString(),
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrArray': schemaWrapper('schema-or-array'),
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool': schemaWrapper('schema-or-bool'),
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrStringArray': schemaWrapper('schema-or-string-array'),
};

function intOrString(): ValidationSchema {
  return { type: ['integer', 'string'], minimum: INT32_MIN, maximum: INT32_MAX, 'x-decode': 'int-or-string' };
}

/** Converts every definition; the result is one schema document's `definitions`. */
export function toValidationDefinitions(definitions: Record<string, OpenAPIV2Schema>): Record<string, ValidationSchema> {
  const out: Record<string, ValidationSchema> = {};
  for (const name of Object.keys(definitions).sort()) {
    out[name] = anyValue.has(name) ? {} : customDecoded[name] ?? toValidationSchema(definitions[name]);
  }
  return out;
}

/** Converts one schema (and its children); `$ref`s stay `#/definitions/X`. */
export function toValidationSchema(s: OpenAPIV2Schema): ValidationSchema {
  if (s.$ref) {
    if (!s.$ref.startsWith(definitionsPrefix)) throw new Error(`unsupported $ref ${s.$ref}`);
    return { $ref: s.$ref };
  }
  if (s['x-kubernetes-int-or-string'] === true || s.format === 'int-or-string') return intOrString();
  switch (s.type) {
    case 'object':
      return objectSchema(s);
    case 'array':
      return { type: 'array', items: s.items ? toValidationSchema(s.items) : {} };
    case 'string':
      if (s.format === 'byte') return { type: 'string', 'x-decode': 'byte' };
      if (s.format === 'date-time') return { type: 'string', 'x-decode': 'time' };
      return { type: 'string' };
    case 'integer':
      // Go's decoder refuses numbers that overflow the field (`cannot unmarshal number 3000000000`).
      return s.format === 'int32'
        ? { type: 'integer', minimum: INT32_MIN, maximum: INT32_MAX, 'x-go': 'int32' }
        : { type: 'integer', 'x-go': 'int64' };
    case 'number':
      return { type: 'number' };
    case 'boolean':
      return { type: 'boolean' };
    case undefined:
      // Untyped: preserve-unknown-fields or a raw JSON holder. With properties it is still an object.
      return s.properties ? objectSchema(s) : {};
    default:
      throw new Error(`unsupported schema type ${s.type}`);
  }
}

function objectSchema(s: OpenAPIV2Schema): ValidationSchema {
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  if (s.properties) {
    const properties: Record<string, ValidationSchema> = {};
    for (const [name, prop] of Object.entries(s.properties)) properties[name] = toValidationSchema(prop);
    const out: ValidationSchema = { type: 'object', properties, additionalProperties: preserve };
    if (s.required?.length) out['x-required'] = [...s.required];
    return out;
  }
  if (s.additionalProperties !== undefined && typeof s.additionalProperties === 'object') {
    return { type: 'object', additionalProperties: toValidationSchema(s.additionalProperties) };
  }
  // A struct without fields (e.g. StorageVersionSpec) refuses every field, as Go does (and as
  // CRD pruning does for an object schema without properties), unless unknown fields are kept.
  if (preserve || s.additionalProperties === true) return { type: 'object' };
  return { type: 'object', properties: {}, additionalProperties: false };
}
