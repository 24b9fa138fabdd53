// Derives the OpenAPI v3 documents kube-apiserver serves at /openapi/v3/<group-version> from
// its OpenAPI v2 document: one document per group-version path (`api/v1`, `apis/apps/v1`,
// `apis/apps`, `version`, ...), holding that group-version's paths with v2 parameters turned
// into v3 ones, and every definition those paths reach as `components.schemas`.
// kubectl reads these: `explain` finds schemas by x-kubernetes-group-version-kind, client-side
// apply takes patch strategies and merge keys from them, and kubectl decides whether the server
// supports fieldValidation by finding that query parameter on the kind's PATCH operation, so
// every parameter is kept (inlined, since kubectl looks parameters up by name on the operation).
// Used by scripts/gen-schemas.ts; CRD publishing can reuse `toV3Schema`.

/** The subset of an OpenAPI v2 (Swagger) document this converter reads. */
export interface SwaggerDocument {
  swagger: string;
  info: Record<string, unknown>;
  paths: Record<string, Record<string, unknown>>;
  definitions: Record<string, JsonObject>;
  parameters?: Record<string, JsonObject>;
  securityDefinitions?: Record<string, JsonObject>;
  security?: unknown[];
}

export type JsonObject = Record<string, unknown>;

export interface OpenAPIV3Document {
  openapi: string;
  info: Record<string, unknown>;
  paths: Record<string, JsonObject>;
  components: { schemas?: Record<string, JsonObject>; securitySchemes?: Record<string, JsonObject> };
  security?: unknown[];
}

const operations = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'];
const v2RefPrefix = '#/definitions/';
const v3RefPrefix = '#/components/schemas/';

/**
 * The group-version path kube-apiserver files a request path under, as the v3 index keys
 * it: `/api/v1/pods` → `api/v1`, `/apis/apps/` → `apis/apps`, `/logs/{logpath}` → `logs`.
 */
export function groupVersionPathOf(path: string): string {
  const segments = path.split('/').filter((s) => s !== '');
  if (segments[0] === 'api') return segments.slice(0, 2).join('/');
  if (segments[0] === 'apis') return segments.slice(0, 3).join('/');
  const fixed = segments.findIndex((s) => s.includes('{'));
  return (fixed < 0 ? segments : segments.slice(0, fixed)).join('/');
}

/** The file under schemas/openapi-v3/ a group-version document is stored in: `apis/apps/v1` → `apis__apps__v1.json`. */
export function v3FileName(groupVersionPath: string): string {
  return groupVersionPath.replaceAll('/', '__') + '.json';
}

/** One v3 document per group-version path, keyed by that path, sorted. */
export function buildOpenAPIV3Documents(spec: SwaggerDocument): Map<string, OpenAPIV3Document> {
  const byGroupVersion = new Map<string, string[]>();
  for (const path of Object.keys(spec.paths).sort()) {
    const gv = groupVersionPathOf(path);
    byGroupVersion.set(gv, [...(byGroupVersion.get(gv) ?? []), path]);
  }
  const docs = new Map<string, OpenAPIV3Document>();
  for (const gv of [...byGroupVersion.keys()].sort()) docs.set(gv, buildDocument(spec, byGroupVersion.get(gv)!));
  return docs;
}

function buildDocument(spec: SwaggerDocument, paths: string[]): OpenAPIV3Document {
  const doc: OpenAPIV3Document = { openapi: '3.0.0', info: spec.info, paths: {}, components: {} };
  for (const path of paths) doc.paths[path] = convertPathItem(spec, spec.paths[path]);
  const reached = reachableDefinitions(spec, doc.paths);
  if (reached.length > 0) {
    doc.components.schemas = {};
    for (const name of reached) doc.components.schemas[name] = toV3Schema(spec.definitions[name]) as JsonObject;
  }
  if (spec.securityDefinitions) doc.components.securitySchemes = spec.securityDefinitions;
  if (spec.security) doc.security = spec.security;
  return doc;
}

function convertPathItem(spec: SwaggerDocument, item: Record<string, unknown>): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(item)) {
    if (operations.includes(key)) out[key] = convertOperation(spec, value as JsonObject);
    else if (key === 'parameters') out.parameters = (value as JsonObject[]).map((p) => convertParameter(resolveParameter(spec, p)));
    else out[key] = value;
  }
  return out;
}

function convertOperation(spec: SwaggerDocument, op: JsonObject): JsonObject {
  const out: JsonObject = {};
  const consumes = (op.consumes as string[] | undefined) ?? ['application/json'];
  const produces = (op.produces as string[] | undefined) ?? ['application/json'];
  const parameters: JsonObject[] = [];
  for (const raw of (op.parameters as JsonObject[] | undefined) ?? []) {
    const p = resolveParameter(spec, raw);
    if (p.in === 'body') out.requestBody = requestBody(p, consumes);
    else parameters.push(convertParameter(p));
  }
  for (const [key, value] of Object.entries(op)) {
    if (key === 'consumes' || key === 'produces' || key === 'schemes' || key === 'parameters') continue;
    out[key] = key === 'responses' ? convertResponses(value as Record<string, JsonObject>, produces) : value;
  }
  if (parameters.length > 0) out.parameters = parameters;
  return out;
}

function resolveParameter(spec: SwaggerDocument, p: JsonObject): JsonObject {
  const ref = p.$ref as string | undefined;
  if (!ref) return p;
  const found = spec.parameters?.[ref.replace('#/parameters/', '')];
  if (!found) throw new Error(`unresolved parameter ${ref}`);
  return found;
}

/** v2 keeps type/format/items on the parameter; v3 moves them into `schema`. */
function convertParameter(p: JsonObject): JsonObject {
  const out: JsonObject = {};
  const schema: JsonObject = {};
  for (const [key, value] of Object.entries(p)) {
    if (['type', 'format', 'items', 'uniqueItems', 'enum', 'default', 'minimum', 'maximum'].includes(key)) schema[key] = value;
    else if (key !== 'collectionFormat') out[key] = value;
  }
  out.schema = toV3Schema(schema);
  return out;
}

function requestBody(p: JsonObject, consumes: string[]): JsonObject {
  const schema = toV3Schema(p.schema);
  const body: JsonObject = { content: Object.fromEntries(consumes.map((type) => [type, { schema }])) };
  if (p.description) body.description = p.description;
  if (p.required) body.required = true;
  return body;
}

function convertResponses(responses: Record<string, JsonObject>, produces: string[]): JsonObject {
  const out: JsonObject = {};
  for (const [code, response] of Object.entries(responses)) {
    const { schema, ...rest } = response;
    out[code] = schema === undefined
      ? rest
      : { ...rest, content: Object.fromEntries(produces.map((type) => [type, { schema: toV3Schema(schema) }])) };
  }
  return out;
}

/**
 * A v2 schema as a v3 one: refs point into components, and a ref with siblings (a
 * description, a default) is wrapped in `allOf`, because v3 ignores a $ref's siblings.
 */
export function toV3Schema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toV3Schema);
  if (schema === null || typeof schema !== 'object') return schema;
  const s = schema as JsonObject;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(s)) {
    if (key === '$ref') continue;
    // Extensions and enums/defaults are data, never schemas: copy them as they are.
    out[key] = key.startsWith('x-') || key === 'enum' || key === 'default' || key === 'example'
      ? value
      : key === 'properties' ? mapValues(value as JsonObject, toV3Schema) : toV3Schema(value);
  }
  if (typeof s.$ref !== 'string') return out;
  const ref = s.$ref.startsWith(v2RefPrefix) ? v3RefPrefix + s.$ref.slice(v2RefPrefix.length) : s.$ref;
  return Object.keys(out).length === 0 ? { $ref: ref } : { ...out, allOf: [{ $ref: ref }] };
}

function mapValues(obj: JsonObject, fn: (v: unknown) => unknown): JsonObject {
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, fn(v)]));
}

/** Every definition the paths refer to, directly or through other definitions, sorted. */
function reachableDefinitions(spec: SwaggerDocument, paths: Record<string, JsonObject>): string[] {
  const seen = new Set<string>();
  const queue: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith(v3RefPrefix)) {
        const name = value.slice(v3RefPrefix.length);
        if (!seen.has(name)) { seen.add(name); queue.push(name); }
      } else if (!key.startsWith('x-') && key !== 'enum' && key !== 'default') visit(value);
    }
  };
  visit(paths);
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (!spec.definitions[name]) throw new Error(`unresolved definition ${name}`);
    visit(toV3Schema(spec.definitions[name]));
  }
  return [...seen].sort();
}
