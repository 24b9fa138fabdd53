// Resource URLs parsed as kube-apiserver's RequestInfoFactory does:
// /api/v1[/namespaces/{ns}]/{resource}[/{name}[/{subresource}]] and /apis/{group}/{version}/...
import { errors } from '../api/errors.ts';
import type { ResourceCatalog } from '../registry/catalog.ts';
import type { ResourceDef } from '../registry/types.ts';

export type ApiPath =
  | { kind: 'groupList' } // /apis
  | { kind: 'coreVersions' } // /api
  | { kind: 'group'; group: string } // /apis/{group}
  | { kind: 'resourceList'; group: string; version: string } // /api/v1, /apis/{g}/{v}
  | { kind: 'resource'; def: ResourceDef; namespace?: string; name?: string; subresource?: string; proxyPath?: string };

/** Where a request keeps its parsed path (a property of the request: cheaper than a WeakMap lookup). */
const parsedPath = Symbol('kubelite.apiPath');
type WithParsedPath = { [parsedPath]?: { url: string; path: ApiPath } };

/** parseApiPath once per request (metrics, authorization and the handler all need it). */
export function apiPathOf(req: { url: string; raw: object }, catalog: ResourceCatalog): ApiPath {
  const raw = req.raw as WithParsedPath;
  const memo = raw[parsedPath];
  if (memo && memo.url === req.url) return memo.path;
  const path = parseApiPath(req.url, catalog);
  raw[parsedPath] = { url: req.url, path };
  return path;
}

export function parseApiPath(url: string, catalog: ResourceCatalog): ApiPath {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const segs = path.split('/').filter((s) => s !== '');
  // Most paths hold no escapes: decode only those that do.
  if (path.includes('%')) for (let i = 0; i < segs.length; i++) segs[i] = decodeURIComponent(segs[i]);
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === 'api') {
    if (segs.length === 1) return { kind: 'coreVersions' };
    group = '';
    version = segs[1];
    rest = segs.slice(2);
  } else if (segs[0] === 'apis') {
    if (segs.length === 1) return { kind: 'groupList' };
    if (segs.length === 2) {
      if (!catalog.groups().has(segs[1])) throw errors.notFoundPath();
      return { kind: 'group', group: segs[1] };
    }
    group = segs[1];
    version = segs[2];
    rest = segs.slice(3);
  } else {
    throw errors.notFoundPath();
  }
  if (!(catalog.groups().get(group) ?? []).includes(version)) throw errors.notFoundPath();
  if (rest.length === 0) return { kind: 'resourceList', group, version };
  return resourcePath(catalog, group, version, rest, path.endsWith('/'));
}

function resourcePath(catalog: ResourceCatalog, group: string, version: string, rest: string[], trailingSlash: boolean): ApiPath {
  let namespace: string | undefined;
  const namespacesDef = catalog.lookup(group, version, 'namespaces');
  // /namespaces/{ns}/{resource}... unless the third segment is a subresource of namespaces itself.
  if (rest[0] === 'namespaces' && rest.length >= 3 && !(namespacesDef?.subresources as string[] | undefined)?.includes(rest[2])) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  // {resource}/{name}/proxy/{path...}: the rest is the path to proxy to (pods, services, nodes).
  let proxyPath: string | undefined;
  if (rest[2] === 'proxy') {
    const tail = rest.slice(3).map((seg) => encodeURIComponent(seg).replace(/%3A/gi, ':').replace(/%40/g, '@'));
    proxyPath = `/${tail.join('/')}${tail.length && trailingSlash ? '/' : ''}`;
    rest = rest.slice(0, 3);
  }
  if (rest.length > 3) throw errors.notFoundPath();
  const [resource, name, subresource] = rest;
  const def = catalog.lookup(group, version, resource);
  if (!def) throw errors.notFoundPath();
  if (def.namespaced ? namespace === undefined && name !== undefined : namespace !== undefined) throw errors.notFoundPath();
  if (subresource !== undefined && !(def.subresources as string[]).includes(subresource)) throw errors.notFoundPath();
  return { kind: 'resource', def, namespace, name, subresource, proxyPath };
}
