// Whether a CRD version's schema is structural, as apiextensions' schema.ValidateStructural
// checks it: every specified node has a type (unless int-or-string or preserve-unknown-
// fields), the root is an object, arrays have items, metadata at the root may restrict only
// name and generateName, and the x-kubernetes extensions are used where they mean something.
import { field, type FieldError } from '../api/errors.ts';
import type { JSONSchemaProps } from './types.ts';

const knownTypes = ['array', 'boolean', 'integer', 'number', 'object', 'string'];

export function structuralErrors(schema: JSONSchemaProps, path: string): FieldError[] {
  const out: FieldError[] = [];
  if (schema.type !== 'object') {
    if (!schema.type) out.push(field.required(`${path}.type`, 'must not be empty at the root'));
    else out.push(field.invalid(`${path}.type`, schema.type, 'must be object at the root'));
  }
  if (schema['x-kubernetes-int-or-string']) out.push(field.forbidden(`${path}.x-kubernetes-int-or-string`, 'must be false at the root'));
  if (schema['x-kubernetes-embedded-resource']) out.push(field.forbidden(`${path}.x-kubernetes-embedded-resource`, 'must not be used at the root'));
  const meta = schema.properties?.metadata;
  if (meta) {
    const mp = `${path}.properties[metadata]`;
    if (meta.type && meta.type !== 'object') out.push(field.invalid(`${mp}.type`, meta.type, 'must be object'));
    for (const name of Object.keys(meta.properties ?? {})) {
      if (name !== 'name' && name !== 'generateName') out.push(field.forbidden(`${mp}.properties[${name}]`, 'must not be specified'));
    }
  }
  walk(schema, path, true, out);
  return out;
}

function walk(s: JSONSchemaProps, path: string, root: boolean, out: FieldError[]): void {
  const intOrString = s['x-kubernetes-int-or-string'] === true;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  if (!root) {
    if (!s.type && !intOrString && !preserve) {
      const what = s.properties || s.additionalProperties ? 'object fields' : s.items ? 'array items' : 'fields';
      out.push(field.required(`${path}.type`, `must not be empty for specified ${what}`));
    }
  }
  if (s.type && !knownTypes.includes(s.type)) out.push(field.notSupported(`${path}.type`, s.type, knownTypes));
  if (intOrString && s.type) out.push(field.invalid(`${path}.type`, s.type, 'must be empty if x-kubernetes-int-or-string is true'));
  if (s.type === 'array' && !s.items) out.push(field.required(`${path}.items`, 'must be specified'));
  if (s.properties && s.additionalProperties !== undefined && s.additionalProperties !== false) {
    out.push(field.forbidden(`${path}.additionalProperties`, 'additionalProperties and properties are mutual exclusive'));
  }
  if (s['x-kubernetes-embedded-resource'] && s.type !== 'object') {
    out.push(field.invalid(`${path}.type`, s.type ?? '', 'must be object if x-kubernetes-embedded-resource is true'));
  }
  const listType = s['x-kubernetes-list-type'];
  if (listType !== undefined) {
    if (s.type !== 'array') out.push(field.invalid(`${path}.x-kubernetes-list-type`, listType, 'must only be used if type is array'));
    else if (!['atomic', 'set', 'map'].includes(listType)) out.push(field.notSupported(`${path}.x-kubernetes-list-type`, listType, ['atomic', 'set', 'map']));
    else if (listType === 'map') {
      const keys = s['x-kubernetes-list-map-keys'] ?? [];
      if (keys.length === 0) out.push(field.required(`${path}.x-kubernetes-list-map-keys`, 'must not be empty if x-kubernetes-list-type is map'));
      if (s.items && s.items.type !== 'object') out.push(field.invalid(`${path}.items.type`, s.items.type ?? '', 'must be object if parent array\'s x-kubernetes-list-type is map'));
      for (const k of keys) {
        if (s.items?.properties && !s.items.properties[k]) {
          out.push(field.invalid(`${path}.x-kubernetes-list-map-keys`, keys, `entries must all be names of item properties`));
        }
      }
    }
  } else if (s['x-kubernetes-list-map-keys'] !== undefined) {
    out.push(field.invalid(`${path}.x-kubernetes-list-map-keys`, s['x-kubernetes-list-map-keys'], 'must only be used if x-kubernetes-list-type is map'));
  }
  const mapType = s['x-kubernetes-map-type'];
  if (mapType !== undefined && !['atomic', 'granular'].includes(mapType)) {
    out.push(field.notSupported(`${path}.x-kubernetes-map-type`, mapType, ['atomic', 'granular']));
  }
  for (const [name, prop] of Object.entries(s.properties ?? {})) {
    if (root && name === 'metadata') continue;
    walk(prop, `${path}.properties[${name}]`, false, out);
  }
  if (typeof s.additionalProperties === 'object') walk(s.additionalProperties, `${path}.additionalProperties`, false, out);
  if (s.items) walk(s.items, `${path}.items`, false, out);
}

/** The schema type at a simple path such as `.spec.color` (undefined when the schema has no such field). */
export function typeAtPath(schema: JSONSchemaProps, jsonPath: string): string | undefined {
  let cur: JSONSchemaProps | undefined = schema;
  for (const name of jsonPath.replace(/^\./, '').split('.')) {
    if (!cur) return undefined;
    if (name === 'metadata' && cur === schema) return jsonPath === '.metadata.name' || jsonPath === '.metadata.namespace' ? 'string' : undefined;
    cur = cur.properties?.[name] ?? (typeof cur.additionalProperties === 'object' ? cur.additionalProperties : undefined);
  }
  if (!cur) return undefined;
  return cur['x-kubernetes-int-or-string'] ? 'int-or-string' : cur.type;
}
