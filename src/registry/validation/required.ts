// The `required` lists of the published schema, reported as kube-apiserver's kind validation
// reports them: 422 Invalid with `spec.containers[0].name: Required value`. The decoder never
// enforces them (Go fills a missing field with its zero value), so they are checked apart from
// decoding. Booleans and numbers are skipped: Go cannot tell an absent `false`/`0` from a
// present one, so kube-apiserver never calls them missing.
import { field, type FieldError } from '../../api/errors.ts';
import { acceptsAnything, isPlainObject, resolve, type Definitions } from './schema-walk.ts';
import type { ValidationSchema } from './validation-schema.ts';

export function collectRequired(defs: Definitions, value: unknown, schema: ValidationSchema, path: string, out: FieldError[]): void {
  const s = resolve(defs, schema).schema;
  if (acceptsAnything(s)) return;
  if (Array.isArray(value)) {
    if (s.type === 'array' && s.items) value.forEach((item, i) => collectRequired(defs, item, s.items!, `${path}[${i}]`, out));
    return;
  }
  if (!isPlainObject(value)) return;
  if (s.properties) {
    for (const name of s['x-required'] ?? []) {
      if ((value[name] === undefined || value[name] === null) && reportsMissing(defs, s.properties[name])) {
        out.push(field.required(join(path, name)));
      }
    }
    for (const [key, child] of Object.entries(value)) {
      const prop = s.properties[key];
      if (prop) collectRequired(defs, child, prop, join(path, key), out);
    }
  } else if (typeof s.additionalProperties === 'object') {
    for (const [key, child] of Object.entries(value)) collectRequired(defs, child, s.additionalProperties, `${path}[${key}]`, out);
  }
}

function join(path: string, name: string): string {
  return path === '' ? name : `${path}.${name}`;
}

function reportsMissing(defs: Definitions, schema: ValidationSchema | undefined): boolean {
  if (!schema) return false;
  const s = resolve(defs, schema).schema;
  if (s['x-decode'] === 'int-or-string') return false;
  return s.type !== 'boolean' && s.type !== 'integer' && s.type !== 'number';
}
