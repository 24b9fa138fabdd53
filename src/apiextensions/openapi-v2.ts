// A custom resource's schema as kube publishes it in /openapi/v2, which kubectl's client-side
// validation reads and which cannot say "any other field is fine". apiextensions' builder
// therefore publishes a kind whose root preserves unknown fields as a bare `{type: object}`
// (no apiVersion/kind/metadata either: kubectl would refuse every other field), and its
// ToStructuralOpenAPIV2 drops, everywhere below, what v2 readers misjudge: properties and
// items under x-kubernetes-preserve-unknown-fields, the type (and properties, items) of a
// nullable value, the type of an array left without items, allOf/oneOf/anyOf/not, and
// nullable fields from `required`. Definitions used inside kubelite keep the full schema.
import type { JSONSchemaProps } from './types.ts';

type Json = Record<string, unknown>;

/** Whether the published v2 definition of a kind with this root schema is a bare object. */
export function publishedBare(schema: JSONSchemaProps | undefined): boolean {
  return !schema || schema['x-kubernetes-preserve-unknown-fields'] === true;
}

/** Rewrites `schema` (a copy the caller owns) in place for v2, walking it with an explicit stack. */
export function toOpenAPIV2(schema: Json): Json {
  const stack: Json[] = [schema];
  while (stack.length > 0) {
    const s = stack.pop()!;
    for (const key of ['allOf', 'oneOf', 'anyOf', 'not']) delete s[key];
    if (s.nullable === true) {
      delete s.type;
      delete s.nullable;
      delete s.items;
      delete s.properties;
    }
    if (s['x-kubernetes-preserve-unknown-fields'] === true) {
      delete s.items;
      delete s.properties;
    }
    if (s.type === 'array' && s.items === undefined) delete s.type;
    const properties = s.properties as Record<string, Json> | undefined;
    if (properties && Array.isArray(s.required)) {
      const required = (s.required as string[]).filter((f) => properties[f]?.nullable !== true);
      if (required.length > 0) s.required = required;
      else delete s.required;
    }
    if (properties) stack.push(...Object.values(properties).filter(isObject));
    if (isObject(s.items)) stack.push(s.items);
    if (isObject(s.additionalProperties)) stack.push(s.additionalProperties);
  }
  return schema;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
