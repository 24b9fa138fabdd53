// The OpenAPI v2 document (as JSON) encoded as gnostic's `openapi.v2.Document` protobuf message
// (github.com/google/gnostic-models openapiv2/OpenAPIv2.proto), the bytes kube-openapi's
// handler serves for `application/com.github.proto-openapi.spec.v2@v1.0+protobuf`: it runs
// openapi_v2.ParseDocument on its JSON and proto.Marshal on the result. So, as there:
// - fields are written in field-number order; proto3 scalars only when not zero, messages
//   whenever the JSON has the key (an empty object is an empty message);
// - maps become repeated Named* pairs in the JSON's key order (`paths` keeps keys starting
//   with "/", `responses` the status codes and "default");
// - keys starting with "x-" become `vendor_extension` NamedAny pairs whose Any holds only
//   `yaml` (the value as yaml.v3 marshals it); so do `default`, `example` and `enum` items;
// - a oneof picks the branch gnostic's parser accepts: a parameter by its `in`, a `$ref`
//   object as a JsonReference, a schema of type "file" as a FileSchema, a security
//   definition by its `type` (and `flow`), additionalProperties as a schema or a boolean
//   (a set oneof bool is written even when false), `type` and `items` as lists.
// Unlike gnostic, keys its schema does not allow are skipped rather than failing the document.
import { ProtoWriter } from './writer.ts';
import { yamlOf } from './yaml.ts';

type JSONObject = Record<string, unknown>;

/** How a field's JSON value is written. A string kind is a message name (see `messages`). */
type Kind =
  | 'string' | 'bool' | 'double' | 'int64'
  | 'strings' // repeated string from a JSON array
  | 'any' // Any{yaml}
  | 'anys' // repeated Any, from a JSON array
  | { message: string } // embedded message from a JSON object (or a oneof / list shape)
  | { repeated: string }; // repeated message from a JSON array

/** A message: its fields by JSON key, the vendor_extension field, and a Named* map field. */
interface MessageSpec {
  fields: Array<[key: string, field: number, kind: Kind]>;
  /** Field number of `repeated NamedAny vendor_extension` (keys starting with "x-"). */
  extensions?: number;
  /** `repeated Named<value> <name> = field`: which keys, and how the value is written. */
  map?: { field: number; value: Kind; keys?: RegExp };
}

const S = 'string', B = 'bool', D = 'double', I = 'int64', SS = 'strings', A = 'any', AA = 'anys';
const m = (message: string): Kind => ({ message });
const r = (repeated: string): Kind => ({ repeated });

/** The value fields shared by the non-body parameter sub-schemas, Header and PrimitivesItems. */
function primitive(first: number): MessageSpec['fields'] {
  return ([
    ['type', S], ['format', S], ['items', m('PrimitivesItems')], ['collectionFormat', S], ['default', A],
    ['maximum', D], ['exclusiveMaximum', B], ['minimum', D], ['exclusiveMinimum', B], ['maxLength', I],
    ['minLength', I], ['pattern', S], ['maxItems', I], ['minItems', I], ['uniqueItems', B], ['enum', AA],
    ['multipleOf', D],
  ] as Array<[string, Kind]>).map(([key, kind], i) => [key, first + i, kind]);
}

const headerOrPathParameter: MessageSpec = {
  fields: [['required', 1, B], ['in', 2, S], ['description', 3, S], ['name', 4, S], ...primitive(5)],
  extensions: 22,
};
const queryOrFormDataParameter: MessageSpec = {
  fields: [['required', 1, B], ['in', 2, S], ['description', 3, S], ['name', 4, S], ['allowEmptyValue', 5, B], ...primitive(6)],
  extensions: 23,
};
const oauth2 = (fields: string[]): MessageSpec => ({
  fields: fields.map((key, i) => [key, i + 1, key === 'scopes' ? m('Oauth2Scopes') : S]),
  extensions: fields.length + 1,
});

const messages: Record<string, MessageSpec> = {
  Document: {
    fields: [
      ['swagger', 1, S], ['info', 2, m('Info')], ['host', 3, S], ['basePath', 4, S], ['schemes', 5, SS],
      ['consumes', 6, SS], ['produces', 7, SS], ['paths', 8, m('Paths')], ['definitions', 9, m('Definitions')],
      ['parameters', 10, m('ParameterDefinitions')], ['responses', 11, m('ResponseDefinitions')],
      ['security', 12, r('SecurityRequirement')], ['securityDefinitions', 13, m('SecurityDefinitions')],
      ['tags', 14, r('Tag')], ['externalDocs', 15, m('ExternalDocs')],
    ],
    extensions: 16,
  },
  Info: {
    fields: [['title', 1, S], ['version', 2, S], ['description', 3, S], ['termsOfService', 4, S], ['contact', 5, m('Contact')], ['license', 6, m('License')]],
    extensions: 7,
  },
  Contact: { fields: [['name', 1, S], ['url', 2, S], ['email', 3, S]], extensions: 4 },
  License: { fields: [['name', 1, S], ['url', 2, S]], extensions: 3 },
  ExternalDocs: { fields: [['description', 1, S], ['url', 2, S]], extensions: 3 },
  Tag: { fields: [['name', 1, S], ['description', 2, S], ['externalDocs', 3, m('ExternalDocs')]], extensions: 4 },
  Paths: { fields: [], extensions: 1, map: { field: 2, value: m('PathItem'), keys: /^\// } },
  PathItem: {
    fields: [
      ['$ref', 1, S], ['get', 2, m('Operation')], ['put', 3, m('Operation')], ['post', 4, m('Operation')],
      ['delete', 5, m('Operation')], ['options', 6, m('Operation')], ['head', 7, m('Operation')],
      ['patch', 8, m('Operation')], ['parameters', 9, r('ParametersItem')],
    ],
    extensions: 10,
  },
  Operation: {
    fields: [
      ['tags', 1, SS], ['summary', 2, S], ['description', 3, S], ['externalDocs', 4, m('ExternalDocs')],
      ['operationId', 5, S], ['produces', 6, SS], ['consumes', 7, SS], ['parameters', 8, r('ParametersItem')],
      ['responses', 9, m('Responses')], ['schemes', 10, SS], ['deprecated', 11, B], ['security', 12, r('SecurityRequirement')],
    ],
    extensions: 13,
  },
  Responses: { fields: [], map: { field: 1, value: m('ResponseValue'), keys: /^([0-9]{3})$|^(default)$/ }, extensions: 2 },
  Response: {
    fields: [['description', 1, S], ['schema', 2, m('SchemaItem')], ['headers', 3, m('Headers')], ['examples', 4, m('Examples')]],
    extensions: 5,
  },
  FileSchema: {
    fields: [
      ['format', 1, S], ['title', 2, S], ['description', 3, S], ['default', 4, A], ['required', 5, SS], ['type', 6, S],
      ['readOnly', 7, B], ['externalDocs', 8, m('ExternalDocs')], ['example', 9, A],
    ],
    extensions: 10,
  },
  Header: { fields: [...primitive(1), ['description', 18, S]], extensions: 19 },
  PrimitivesItems: { fields: primitive(1), extensions: 18 },
  BodyParameter: {
    fields: [['description', 1, S], ['name', 2, S], ['in', 3, S], ['required', 4, B], ['schema', 5, m('Schema')]],
    extensions: 6,
  },
  HeaderParameterSubSchema: headerOrPathParameter,
  PathParameterSubSchema: headerOrPathParameter,
  QueryParameterSubSchema: queryOrFormDataParameter,
  FormDataParameterSubSchema: queryOrFormDataParameter,
  JsonReference: { fields: [['$ref', 1, S], ['description', 2, S]] },
  Schema: {
    fields: [
      ['$ref', 1, S], ['format', 2, S], ['title', 3, S], ['description', 4, S], ['default', 5, A],
      ['multipleOf', 6, D], ['maximum', 7, D], ['exclusiveMaximum', 8, B], ['minimum', 9, D],
      ['exclusiveMinimum', 10, B], ['maxLength', 11, I], ['minLength', 12, I], ['pattern', 13, S],
      ['maxItems', 14, I], ['minItems', 15, I], ['uniqueItems', 16, B], ['maxProperties', 17, I],
      ['minProperties', 18, I], ['required', 19, SS], ['enum', 20, AA],
      ['additionalProperties', 21, m('AdditionalPropertiesItem')], ['type', 22, m('TypeItem')],
      ['items', 23, m('ItemsItem')], ['allOf', 24, r('Schema')], ['properties', 25, m('Properties')],
      ['discriminator', 26, S], ['readOnly', 27, B], ['xml', 28, m('Xml')], ['externalDocs', 29, m('ExternalDocs')],
      ['example', 30, A],
    ],
    extensions: 31,
  },
  Xml: { fields: [['name', 1, S], ['namespace', 2, S], ['prefix', 3, S], ['attribute', 4, B], ['wrapped', 5, B]], extensions: 6 },
  BasicAuthenticationSecurity: { fields: [['type', 1, S], ['description', 2, S]], extensions: 3 },
  ApiKeySecurity: { fields: [['type', 1, S], ['name', 2, S], ['in', 3, S], ['description', 4, S]], extensions: 5 },
  Oauth2AccessCodeSecurity: oauth2(['type', 'flow', 'scopes', 'authorizationUrl', 'tokenUrl', 'description']),
  Oauth2ApplicationSecurity: oauth2(['type', 'flow', 'scopes', 'tokenUrl', 'description']),
  Oauth2ImplicitSecurity: oauth2(['type', 'flow', 'scopes', 'authorizationUrl', 'description']),
  Oauth2PasswordSecurity: oauth2(['type', 'flow', 'scopes', 'tokenUrl', 'description']),
  // The maps whose every key is an entry (`repeated Named<value> additional_properties = 1`).
  Definitions: { fields: [], map: { field: 1, value: m('Schema') } },
  Properties: { fields: [], map: { field: 1, value: m('Schema') } },
  ParameterDefinitions: { fields: [], map: { field: 1, value: m('Parameter') } },
  ResponseDefinitions: { fields: [], map: { field: 1, value: m('Response') } },
  SecurityDefinitions: { fields: [], map: { field: 1, value: m('SecurityDefinitionsItem') } },
  SecurityRequirement: { fields: [], map: { field: 1, value: m('StringArray') } },
  Headers: { fields: [], map: { field: 1, value: m('Header') } },
  Examples: { fields: [], map: { field: 1, value: A } },
  Oauth2Scopes: { fields: [], map: { field: 1, value: S } },
};

/** The oneof messages: which branch (field number, message) a JSON value takes, or undefined. */
const oneofs: Record<string, (v: unknown) => [number, string] | undefined> = {
  ParametersItem: (v) => (isObject(v) ? ('$ref' in v && !('in' in v) ? [2, 'JsonReference'] : [1, 'Parameter']) : undefined),
  Parameter: (v) => (isObject(v) ? (v.in === 'body' ? [1, 'BodyParameter'] : [2, 'NonBodyParameter']) : undefined),
  NonBodyParameter: (v) => {
    if (!isObject(v)) return undefined;
    const branch = ({ header: [1, 'HeaderParameterSubSchema'], formData: [2, 'FormDataParameterSubSchema'], query: [3, 'QueryParameterSubSchema'], path: [4, 'PathParameterSubSchema'] } as Record<string, [number, string]>)[String(v.in)];
    return branch;
  },
  ResponseValue: (v) => (isObject(v) ? ('$ref' in v ? [2, 'JsonReference'] : [1, 'Response']) : undefined),
  SchemaItem: (v) => (isObject(v) ? (v.type === 'file' ? [2, 'FileSchema'] : [1, 'Schema']) : undefined),
  SecurityDefinitionsItem: (v) => {
    if (!isObject(v)) return undefined;
    if (v.type === 'basic') return [1, 'BasicAuthenticationSecurity'];
    if (v.type === 'apiKey') return [2, 'ApiKeySecurity'];
    if (v.type !== 'oauth2') return undefined;
    const byFlow: Record<string, [number, string]> = {
      implicit: [3, 'Oauth2ImplicitSecurity'], password: [4, 'Oauth2PasswordSecurity'],
      application: [5, 'Oauth2ApplicationSecurity'], accessCode: [6, 'Oauth2AccessCodeSecurity'],
    };
    return byFlow[String(v.flow)];
  },
};

function isObject(v: unknown): v is JSONObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Encodes an OpenAPI v2 document (parsed JSON) as gnostic's openapi.v2.Document. */
export function encodeOpenAPIV2Document(doc: JSONObject): Buffer {
  return (encodeMessage('Document', doc) ?? new ProtoWriter()).bytes();
}

/** A message from its JSON value; undefined when the value cannot be one (skipped, not set). */
function encodeMessage(name: string, value: unknown): ProtoWriter | undefined {
  const w = new ProtoWriter();
  switch (name) {
    case 'TypeItem': // a type name or a list of them
    case 'StringArray':
      for (const s of Array.isArray(value) ? value : [value]) if (typeof s === 'string') w.string(1, s);
      return Array.isArray(value) || typeof value === 'string' ? w : undefined;
    case 'ItemsItem': // one schema, or (leniently) a list of them
      if (!isObject(value) && !Array.isArray(value)) return undefined;
      for (const s of Array.isArray(value) ? value : [value]) writeMessageField(w, 1, 'Schema', s);
      return w;
    case 'AdditionalPropertiesItem':
      if (typeof value === 'boolean') w.bool(2, value);
      else if (isObject(value)) writeMessageField(w, 1, 'Schema', value);
      else return undefined;
      return w;
  }
  const oneof = oneofs[name];
  if (oneof) {
    const branch = oneof(value);
    if (!branch) return undefined;
    writeMessageField(w, branch[0], branch[1], value);
    return w;
  }
  const spec = messages[name];
  if (!spec || !isObject(value)) return undefined;
  // Fields in number order: the named fields, the map and the vendor extensions interleaved.
  const parts: Array<[number, () => void]> = [];
  for (const [key, field, kind] of spec.fields) {
    if (Object.hasOwn(value, key)) parts.push([field, () => writeField(w, field, kind, value[key])]);
  }
  if (spec.map) {
    const { field, value: kind, keys } = spec.map;
    parts.push([field, () => {
      for (const [k, v] of Object.entries(value)) {
        if (keys && !keys.test(k)) continue;
        const pair = new ProtoWriter();
        if (k !== '') pair.string(1, k);
        writeField(pair, 2, kind, v);
        w.message(field, pair);
      }
    }]);
  }
  if (spec.extensions !== undefined) {
    const field = spec.extensions;
    parts.push([field, () => {
      for (const [k, v] of Object.entries(value)) if (k.startsWith('x-')) w.message(field, namedAny(k, v));
    }]);
  }
  parts.sort((a, b) => a[0] - b[0]);
  for (const [, write] of parts) write();
  return w;
}

function writeMessageField(w: ProtoWriter, field: number, name: string, value: unknown): void {
  const inner = encodeMessage(name, value);
  if (inner) w.message(field, inner);
}

function anyOf(value: unknown): ProtoWriter {
  const a = new ProtoWriter();
  a.string(2, yamlOf(value)); // Any.yaml; Any.value (a google.protobuf.Any) stays unset
  return a;
}

function namedAny(name: string, value: unknown): ProtoWriter {
  const pair = new ProtoWriter();
  if (name !== '') pair.string(1, name);
  pair.message(2, anyOf(value));
  return pair;
}

function writeField(w: ProtoWriter, field: number, kind: Kind, value: unknown): void {
  switch (kind) {
    case 'string':
      if (typeof value === 'string' && value !== '') w.string(field, value);
      else if (typeof value === 'number') w.string(field, String(value)); // gnostic reads an !!int as its text
      return;
    case 'bool':
      if (value === true) w.bool(field, true);
      return;
    case 'double':
      if (typeof value === 'number' && !Object.is(value, 0)) w.double(field, value);
      return;
    case 'int64':
      if (typeof value === 'number' && Number.isInteger(value) && value !== 0) w.int64(field, value);
      return;
    case 'strings':
      if (Array.isArray(value)) for (const s of value) if (typeof s === 'string') w.string(field, s);
      return;
    case 'any':
      w.message(field, anyOf(value));
      return;
    case 'anys':
      if (Array.isArray(value)) for (const item of value) w.message(field, anyOf(item));
      return;
  }
  if ('message' in kind) writeMessageField(w, field, kind.message, value);
  else if (Array.isArray(value)) for (const item of value) writeMessageField(w, field, kind.repeated, item);
}
