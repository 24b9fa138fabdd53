// Walking an object and its validation schema side by side: resolving $refs, turning ajv's
// JSON pointers into Kubernetes field paths (`spec.containers[0].image`), ordering findings
// as Go's decoder meets them (document order), and dropping JSON nulls as Go does.
import { isSchemaWrapper, type ValidationSchema } from './validation-schema.ts';

export type Definitions = Record<string, ValidationSchema>;

const refPrefix = '#/definitions/';

/** The schema a $ref points to, and the definition name when there was one. */
export function resolve(defs: Definitions, schema: ValidationSchema): { schema: ValidationSchema; name?: string } {
  let s = schema;
  let name: string | undefined;
  while (s.$ref) {
    name = s.$ref.slice(refPrefix.length);
    s = defs[name] ?? {};
  }
  return { schema: s, name };
}

/** A schema that accepts any value and whose subtree Go keeps as raw JSON. */
export function acceptsAnything(s: ValidationSchema): boolean {
  return s.type === undefined && s.properties === undefined && s.$ref === undefined;
}

/** The schema of a map value or list item, if `s` is a map or a list. */
function elementSchema(s: ValidationSchema): ValidationSchema | undefined {
  if (s.type === 'array') return s.items ?? {};
  if (s.properties === undefined && typeof s.additionalProperties === 'object') return s.additionalProperties;
  if (s.type === 'object' && s.properties === undefined && s.additionalProperties === undefined) return {};
  return undefined;
}

export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The value at `segments`, or undefined. */
export function valueAt(obj: unknown, segments: string[]): unknown {
  let v = obj;
  for (const seg of segments) {
    if (Array.isArray(v)) v = v[Number(seg)];
    else if (isPlainObject(v)) v = v[seg];
    else return undefined;
  }
  return v;
}

/** A field path as kube-apiserver's strict decoder prints it: keys joined by `.`, list indexes as `[i]`. */
export function fieldPathOf(obj: unknown, segments: string[]): string {
  let path = '';
  let v = obj;
  for (const seg of segments) {
    if (Array.isArray(v)) {
      path += `[${seg}]`;
      v = v[Number(seg)];
    } else {
      path += path === '' ? seg : `.${seg}`;
      v = isPlainObject(v) ? v[seg] : undefined;
    }
  }
  return path;
}

/** Orders two locations in `obj` as a depth-first read of the JSON text meets them. */
export function compareDocumentOrder(obj: unknown, a: string[], b: string[]): number {
  let v = obj;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) {
      if (Array.isArray(v)) return Number(a[i]) - Number(b[i]);
      const keys = isPlainObject(v) ? Object.keys(v) : [];
      return keys.indexOf(a[i]) - keys.indexOf(b[i]);
    }
    v = valueAt(v, [a[i]]);
  }
  return a.length - b.length;
}

/** Where Go's decoder stands: the innermost struct, and the struct fields from the root. */
export interface DecodeFrame {
  struct?: string;
  fields: string[];
}

/**
 * What Go's decoder knows at a location: the innermost struct whose field it is decoding,
 * the struct fields from the root (no indexes or map keys, as encoding/json's errorContext
 * keeps them), and the schema of the value there. Inside a CRD schema wrapper (`items`,
 * `additionalProperties`, `dependencies`: a nested json.Unmarshal) `wrapper` is the frame at
 * the outermost wrapper: the outer decoder overwrites an inner type error's struct and field
 * with it (encoding/json's addErrorContext). `obj` picks a wrapper's branch (object or list).
 */
export function decodeContext(defs: Definitions, definition: string, segments: string[], obj?: unknown):
  { struct?: string; fields: string[]; target: ValidationSchema; wrapper?: DecodeFrame } {
  let target: ValidationSchema = { $ref: refPrefix + definition };
  let struct: string | undefined;
  let wrapper: DecodeFrame | undefined;
  const fields: string[] = [];
  let value = obj;
  for (const seg of segments) {
    let { schema, name } = resolve(defs, target);
    if (isSchemaWrapper(schema)) {
      wrapper ??= { struct, fields: [...fields] };
      const branch = Array.isArray(value) ? schema.else?.then : schema.then;
      ({ schema, name } = resolve(defs, branch ?? {}));
    }
    if (schema.properties?.[seg]) {
      struct = (name ?? definition).split('.').pop();
      fields.push(seg);
      target = schema.properties[seg];
    } else {
      target = elementSchema(schema) ?? {};
    }
    value = valueAt(value, [seg]);
  }
  if (isSchemaWrapper(resolve(defs, target).schema)) wrapper ??= { struct, fields: [...fields] };
  return { struct, fields, target, wrapper };
}

/**
 * Removes JSON nulls the way Go's decoder ignores them: a null struct field is as if absent
 * (kubectl sends `creationTimestamp: null`); a null list item or map value becomes the
 * element's zero value. Unknown fields are left for the unknown-field check; subtrees Go
 * keeps as raw JSON (RawExtension, preserve-unknown-fields) are not touched.
 */
export function dropNulls(defs: Definitions, value: unknown, schema: ValidationSchema): void {
  let s = resolve(defs, schema).schema;
  // A CRD schema wrapper holds a JSONSchemaProps (or a list of them), decoded as a struct.
  if (isSchemaWrapper(s)) s = resolve(defs, (Array.isArray(value) ? s.else?.then : s.then) ?? {}).schema;
  if (acceptsAnything(s)) return;
  if (Array.isArray(value)) {
    const items = elementSchema(s);
    if (!items) return;
    value.forEach((item, i) => {
      if (item === null) {
        const zero = zeroValue(defs, items);
        if (zero !== undefined) value[i] = zero;
      } else dropNulls(defs, item, items);
    });
    return;
  }
  if (!isPlainObject(value)) return;
  if (s.properties) {
    for (const [key, child] of Object.entries(value)) {
      const prop = s.properties[key];
      if (!prop) continue;
      if (child === null || droppedByWrapper(defs, prop, child)) delete value[key];
      else dropNulls(defs, child, prop);
    }
    return;
  }
  // A map (free-form objects keep their nulls, as map[string]interface{} does).
  const values = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
  if (!values) return;
  for (const [key, child] of Object.entries(value)) {
    if (droppedByWrapper(defs, values, child)) delete value[key];
    else if (child !== null) dropNulls(defs, child, values);
    else {
      const zero = zeroValue(defs, values);
      if (zero === undefined) delete value[key];
      else value[key] = zero;
    }
  }
}

/** `items: "x"` or `dependencies: {a: 5}`: a wrapper's UnmarshalJSON ignores what is neither object nor list. */
function droppedByWrapper(defs: Definitions, schema: ValidationSchema, value: unknown): boolean {
  const s = resolve(defs, schema).schema;
  return (s['x-decode'] === 'schema-or-array' || s['x-decode'] === 'schema-or-string-array') &&
    value !== null && typeof value !== 'object';
}

/** Go's zero value of an element type as it serialises, where it is not `null`. */
function zeroValue(defs: Definitions, schema: ValidationSchema): unknown {
  const s = resolve(defs, schema).schema;
  if (s['x-decode'] === 'quantity') return '0';
  if (s['x-decode'] === 'int-or-string') return 0;
  if (s['x-decode'] === 'time' || s['x-decode'] === 'byte') return undefined;
  if (s.properties) return {};
  switch (s.type) {
    case 'string': return '';
    case 'integer':
    case 'number': return 0;
    case 'boolean': return false;
    default: return undefined;
  }
}
