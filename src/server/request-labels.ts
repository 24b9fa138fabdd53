// The labels of one request, worked out as kube-apiserver's metrics work them out: the verb is
// the HTTP method, GET becoming LIST below a single object, WATCH with ?watch=true, APPLY for
// an apply patch, CONNECT for exec/attach/portforward/proxy/log; the scope is `resource` for a
// named object or a create, `namespace`, `cluster`, or empty outside the resource API (where
// the subresource label carries the path, as kube reports /healthz or /openapi/v2).
import type { ResourceCatalog } from '../registry/catalog.ts';
import type { ResourceDef } from '../registry/types.ts';
import { apiPathOf, type ApiPath } from './request-info.ts';
import type { RequestLabels } from '../metrics/apiserver.ts';

const connectSubresources = new Set(['log', 'exec', 'portforward', 'attach', 'proxy']);
const applyPatchType = 'application/apply-patch+yaml';

export interface RequestSummary {
  method: string;
  url: string;
  /** The underlying request, which the parsed path is remembered by. */
  raw: object;
  query: Record<string, unknown> | undefined;
  contentType: string | undefined;
}

export interface LabelledRequest {
  labels: RequestLabels;
  def?: ResourceDef;
  longRunning: boolean;
}

function queryValue(query: Record<string, unknown> | undefined, name: string): string {
  const v = query?.[name];
  if (v === undefined) return '';
  return Array.isArray(v) ? v.join(',') : String(v);
}

function isTrue(value: string): boolean {
  return value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

/** The request's labels; undefined for a path that names nothing kubelite serves under /api(s). */
export function requestLabels(req: RequestSummary, catalog: ResourceCatalog): LabelledRequest | undefined {
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  const method = req.method === 'HEAD' ? 'GET' : req.method;
  let resource: Extract<ApiPath, { kind: 'resource' }> | undefined;
  if (path.startsWith('/api/') || path.startsWith('/apis/')) {
    const parsed = resourcePath(req, catalog);
    if (parsed === null) return undefined;
    resource = parsed;
  }
  const dryRun = queryValue(req.query, 'dryRun');
  if (!resource) {
    return {
      labels: { verb: method, dryRun, group: '', version: '', resource: '', subresource: path, scope: '', component: '' },
      longRunning: false,
    };
  }
  const { def, namespace, name, subresource } = resource;
  const scope = name !== undefined || (method === 'POST' && subresource === undefined) ? 'resource' : namespace !== undefined ? 'namespace' : 'cluster';
  let verb = method === 'GET' && scope !== 'resource' ? 'LIST' : method;
  if (method === 'GET' && isTrue(queryValue(req.query, 'watch'))) verb = 'WATCH';
  if (method === 'PATCH' && req.contentType?.startsWith(applyPatchType)) verb = 'APPLY';
  if (subresource !== undefined && connectSubresources.has(subresource)) verb = 'CONNECT';
  return {
    labels: { verb, dryRun, group: def.group, version: def.version, resource: def.plural, subresource: subresource ?? '', scope, component: 'apiserver' },
    def,
    longRunning: verb === 'WATCH' || verb === 'CONNECT',
  };
}

/**
 * The resource a path under /api or /apis names, from the request's parsed path (parsed once
 * per request, shared with authorization and the handler); undefined for discovery paths
 * (/api/v1, /apis/apps/v1), null for a path naming no served resource.
 */
function resourcePath(req: RequestSummary, catalog: ResourceCatalog): Extract<ApiPath, { kind: 'resource' }> | undefined | null {
  let parsed: ApiPath;
  try {
    parsed = apiPathOf(req, catalog);
  } catch {
    return null;
  }
  return parsed.kind === 'resource' ? parsed : undefined;
}
