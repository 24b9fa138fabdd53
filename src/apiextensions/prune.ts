// Pruning and defaulting of custom resources by their structural schema, as kube's
// apiextensions-apiserver does in its decoder (pkg/apiserver/schema/pruning and
// schema/defaulting): fields the schema does not specify are dropped (and reported, for
// fieldValidation), unless x-kubernetes-preserve-unknown-fields keeps them; `default`s fill
// missing fields, then defaulted values are pruned and defaulted in turn.
import type { JSONSchemaProps } from './types.ts';

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Paths print as kube's field paths: `spec.foo`, `spec.items[0].bar`. */
function child(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

export interface PruneOptions {
  /** The object is a resource root (or embedded resource): apiVersion, kind and metadata stay. */
  isResourceRoot: boolean;
}

/** Removes unknown fields from `value` in place; returns their paths in document order. */
export function prune(value: Json, schema: JSONSchemaProps | undefined, opts: PruneOptions): string[] {
  const unknown: string[] = [];
  walk(value, schema, '', opts.isResourceRoot, unknown);
  return unknown;
}

function walk(value: Json, schema: JSONSchemaProps | undefined, path: string, isResourceRoot: boolean, unknown: string[]): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => walk(item, schema?.items, `${path}[${i}]`, false, unknown));
    return;
  }
  if (!isObject(value)) return;
  const embedded = isResourceRoot || schema?.['x-kubernetes-embedded-resource'] === true;
  const preserve = schema?.['x-kubernetes-preserve-unknown-fields'] === true;
  const additional = typeof schema?.additionalProperties === 'object' ? schema.additionalProperties : undefined;
  for (const key of Object.keys(value)) {
    if (embedded && (key === 'apiVersion' || key === 'kind' || key === 'metadata')) {
      // Embedded resources' metadata is ObjectMeta: only its known fields survive.
      if (key === 'metadata' && !isResourceRoot && isObject(value.metadata)) pruneMetadata(value.metadata, child(path, 'metadata'), unknown);
      continue;
    }
    const prop = schema?.properties?.[key];
    if (prop) walk(value[key], prop, child(path, key), false, unknown);
    else if (additional) walk(value[key], additional, child(path, key), false, unknown);
    else if (schema?.additionalProperties === true || preserve) continue;
    else {
      unknown.push(child(path, key));
      delete value[key];
    }
  }
}

/** ObjectMeta's fields: unknown ones in an embedded resource's metadata are dropped. */
const objectMetaFields = new Set([
  'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
  'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields',
]);

function pruneMetadata(meta: Record<string, Json>, path: string, unknown: string[]): void {
  for (const key of Object.keys(meta)) {
    if (objectMetaFields.has(key)) continue;
    unknown.push(child(path, key));
    delete meta[key];
  }
}

/**
 * Fills `default`s in place (kube's structuraldefaulting.Default): a missing field, or a
 * null one that is not nullable, takes its default; then every value is defaulted by its own
 * schema, defaults included.
 */
export function applyDefaults(value: Json, schema: JSONSchemaProps | undefined): void {
  if (!schema) return;
  if (Array.isArray(value)) {
    for (const item of value) applyDefaults(item, schema.items);
    return;
  }
  if (!isObject(value)) return;
  for (const [key, prop] of Object.entries(schema.properties ?? {})) {
    if (prop.default === undefined) continue;
    if (!(key in value) || (value[key] === null && prop.nullable !== true)) value[key] = structuredClone(prop.default);
  }
  const additional = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
  for (const [key, v] of Object.entries(value)) {
    const prop = schema.properties?.[key] ?? additional;
    if (prop) applyDefaults(v, prop);
  }
}

/** Whether any `default` appears in the schema (reads need no defaulting pass otherwise). */
export function hasDefaults(schema: JSONSchemaProps | undefined): boolean {
  if (!schema) return false;
  if (schema.default !== undefined) return true;
  if (Object.values(schema.properties ?? {}).some(hasDefaults)) return true;
  if (typeof schema.additionalProperties === 'object' && hasDefaults(schema.additionalProperties)) return true;
  return hasDefaults(schema.items);
}

/**
 * Drops nulls in fields that are not nullable and have no default, as kube's decoder does
 * for custom resources (pruning.PruneNonNullableNullsWithoutDefaults).
 */
export function dropNonNullableNulls(value: Json, schema: JSONSchemaProps | undefined): void {
  if (!schema) return;
  if (Array.isArray(value)) {
    for (const item of value) dropNonNullableNulls(item, schema.items);
    return;
  }
  if (!isObject(value)) return;
  const additional = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
  for (const [key, v] of Object.entries(value)) {
    const prop = schema.properties?.[key] ?? additional;
    if (!prop) continue;
    if (v === null && prop.nullable !== true && prop.default === undefined) delete value[key];
    else dropNonNullableNulls(v, prop);
  }
}
