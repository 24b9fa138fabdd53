// The structured-merge-diff view of the OpenAPI v2 definitions, derived as kube-openapi's
// schemaconv does: a struct or map is granular unless `x-kubernetes-map-type: atomic`; a
// list is atomic unless `x-kubernetes-list-type` says set or map, or, without a list type,
// `x-kubernetes-patch-strategy: merge` makes it a map list keyed by the patch merge key (a
// set for scalars); types without a schema (RawExtension, JSON) are "deduced": scalars,
// atomic lists, granular maps of deduced values.
import { loadDefinitions } from '../validation/schema.ts';
import type { OpenAPIV2Schema } from '../validation/validation-schema.ts';
import type { Path } from './fieldset.ts';

export type SchemaType = ScalarType | ListType | MapType | DeducedType;

export interface ScalarType {
  kind: 'scalar';
}

export interface ListType {
  kind: 'list';
  atomic: boolean;
  /** Key fields of a map list; empty for a set list. */
  keys: string[];
  element: () => SchemaType;
}

export interface MapType {
  kind: 'map';
  atomic: boolean;
  /** Declared fields of a struct; undefined for a map. */
  fields?: ReadonlyMap<string, () => SchemaType>;
  /** Type of undeclared keys (maps, structs that preserve unknown fields); undefined: not allowed. */
  element?: () => SchemaType;
}

export interface DeducedType {
  kind: 'deduced';
}

const scalar: ScalarType = { kind: 'scalar' };
const deduced: DeducedType = { kind: 'deduced' };
const cache = new WeakMap<object, SchemaType>();
const definitionPrefix = '#/definitions/';

/** The type of definition `name` (e.g. 'io.k8s.api.apps.v1.Deployment'); undefined when unknown. */
export function definitionType(name: string): SchemaType | undefined {
  const def = loadDefinitions()[name];
  return def ? typeOf(def) : undefined;
}

/**
 * The type to handle objects of `definition` with: its schema, or, for a kind without one
 * (a custom resource whose schema is not loaded), the untyped type structured-merge-diff
 * uses for x-kubernetes-preserve-unknown-fields (granular maps, atomic lists).
 */
export function objectType(definition: string): SchemaType {
  return definitionType(definition) ?? deduced;
}

/** The type at `path` below definition `definition` (list items by key, value or index). */
export function schemaTypeAt(definition: string, path: Path): SchemaType | undefined {
  let t = definitionType(definition);
  for (const pe of path) {
    if (!t) return undefined;
    t = childType(t, pe);
  }
  return t;
}

/** The type of a child of `t`: a field for maps, an item for lists. */
export function childType(t: SchemaType, pe: Path[number]): SchemaType | undefined {
  if (t.kind === 'deduced') return deduced;
  if ('field' in pe) return t.kind === 'map' ? fieldType(t, pe.field) : undefined;
  return t.kind === 'list' ? t.element() : undefined;
}

export function fieldType(t: MapType, name: string): SchemaType | undefined {
  return (t.fields?.get(name) ?? t.element)?.();
}

function resolve(s: OpenAPIV2Schema): OpenAPIV2Schema {
  if (!s.$ref) return s;
  if (!s.$ref.startsWith(definitionPrefix)) return {};
  const def = loadDefinitions()[s.$ref.slice(definitionPrefix.length)] ?? {};
  // A $ref property may carry its own map or list type (x-kubernetes-map-type: atomic).
  const overrides = Object.keys(s).filter((k) => k.startsWith('x-kubernetes-'));
  if (overrides.length === 0) return def;
  const merged: OpenAPIV2Schema = { ...def };
  for (const k of overrides) merged[k] = s[k];
  return merged;
}

export function typeOf(schema: OpenAPIV2Schema): SchemaType {
  const cached = cache.get(schema);
  if (cached) return cached;
  const t = build(resolve(schema));
  cache.set(schema, t);
  return t;
}

function lazy(s: OpenAPIV2Schema): () => SchemaType {
  let t: SchemaType | undefined;
  return () => (t ??= typeOf(s));
}

function build(s: OpenAPIV2Schema): SchemaType {
  if (s['x-kubernetes-int-or-string'] === true || s.format === 'int-or-string') return scalar;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  const atomicMap = s['x-kubernetes-map-type'] === 'atomic';
  if (s.type === 'array') return listType(s);
  if (s.properties && Object.keys(s.properties).length > 0) {
    const fields = new Map<string, () => SchemaType>();
    for (const [name, prop] of Object.entries(s.properties)) fields.set(name, lazy(prop));
    return { kind: 'map', atomic: atomicMap, fields, element: preserve ? () => deduced : undefined };
  }
  if (s.type === 'object' || (s.type === undefined && typeof s.additionalProperties === 'object')) {
    if (typeof s.additionalProperties === 'object') return { kind: 'map', atomic: atomicMap, element: lazy(s.additionalProperties) };
    return deduced;
  }
  if (s.type === undefined) return deduced;
  return scalar;
}

function listType(s: OpenAPIV2Schema): ListType {
  const element = s.items ? lazy(s.items) : () => deduced;
  let atomic = true;
  let keys: string[] = [];
  const strategy = s['x-kubernetes-patch-strategy'];
  if (typeof strategy === 'string' && strategy.split(',').includes('merge')) {
    atomic = false;
    const mergeKey = s['x-kubernetes-patch-merge-key'];
    if (typeof mergeKey === 'string' && mergeKey) keys = [mergeKey];
  }
  switch (s['x-kubernetes-list-type']) {
    case 'atomic':
      atomic = true;
      keys = [];
      break;
    case 'set':
      atomic = false;
      keys = [];
      break;
    case 'map': {
      atomic = false;
      const listKeys = s['x-kubernetes-list-map-keys'];
      if (Array.isArray(listKeys)) keys = listKeys.map(String);
      break;
    }
  }
  return { kind: 'list', atomic, keys, element };
}

/**
 * Defaults of list-map key fields, as kube's schemas declare them (`+default="TCP"` on the
 * protocol of container, service and endpoint ports); a missing key field takes its default.
 */
export const listKeyDefaults: Readonly<Record<string, string>> = { protocol: 'TCP' };
