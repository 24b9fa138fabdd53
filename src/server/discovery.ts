// Discovery documents built from the resource table: the legacy /api, /apis, /apis/{g},
// /{api|apis/g}/{v} lists, and aggregated discovery (apidiscovery.k8s.io v2 and v2beta1),
// which client-go asks for first.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ResourceCatalog } from '../registry/catalog.ts';
import type { ResourceDef } from '../registry/types.ts';
import { subresourceInfo, subresourceKind } from '../registry/subresources.ts';
import type { ApiPath } from './request-info.ts';
import { errors } from '../api/errors.ts';
import { sendText } from './respond.ts';
import { createHash } from 'node:crypto';


/** kube's storageVersionHash: a short digest of the storage group/version/kind, so clients can see changes. */
function storageVersionHash(def: ResourceDef): string {
  return createHash('sha256').update(`${def.group}/${def.version}/${def.kind}`).digest('base64').slice(0, 11);
}

export function apiResourceList(catalog: ResourceCatalog, group: string, version: string) {
  const resources: Record<string, unknown>[] = [];
  for (const def of catalog.inGroupVersion(group, version)) {
    const r: Record<string, unknown> = { name: def.plural, singularName: def.singular, namespaced: def.namespaced, kind: def.kind, verbs: def.verbs };
    if (def.shortNames.length) r.shortNames = def.shortNames;
    if (def.categories.length) r.categories = def.categories;
    r.storageVersionHash = storageVersionHash(def);
    resources.push(r);
    for (const sub of def.subresources) {
      const kind = subresourceKind(def, sub);
      const s: Record<string, unknown> = { name: `${def.plural}/${sub}`, singularName: '', namespaced: def.namespaced };
      if (kind.group !== def.group || kind.version !== def.version) Object.assign(s, { group: kind.group, version: kind.version });
      resources.push({ ...s, kind: kind.kind, verbs: subresourceInfo[sub].verbs });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}

function apiGroup(group: string, versions: string[]) {
  const list = versions.map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
  return { name: group, versions: list, preferredVersion: list[0] };
}

function discoveryResources(catalog: ResourceCatalog, group: string, version: string) {
  return catalog.inGroupVersion(group, version).map((def) => {
    const r: Record<string, unknown> = {
      resource: def.plural,
      responseKind: { group: def.group, version: def.version, kind: def.kind },
      scope: def.namespaced ? 'Namespaced' : 'Cluster',
      singularResource: def.singular,
      verbs: def.verbs,
    };
    if (def.shortNames.length) r.shortNames = def.shortNames;
    if (def.categories.length) r.categories = def.categories;
    if (def.subresources.length) {
      r.subresources = def.subresources.map((sub) => ({ subresource: sub, responseKind: subresourceKind(def, sub), verbs: subresourceInfo[sub].verbs }));
    }
    return r;
  });
}

function aggregated(catalog: ResourceCatalog, core: boolean, apiVersion: string) {
  const items = [...catalog.groups()]
    .filter(([group]) => (group === '') === core)
    .map(([group, versions]) => ({
      metadata: group ? { name: group, creationTimestamp: null } : { creationTimestamp: null },
      versions: versions.map((v) => ({ version: v, resources: discoveryResources(catalog, group, v), freshness: 'Current' })),
    }));
  return { kind: 'APIGroupDiscoveryList', apiVersion, metadata: {}, items };
}

/** The aggregated discovery version the Accept header asks for, if any (v2 preferred). */
function aggregatedVersion(accept: string | undefined): string | undefined {
  for (const range of (accept ?? '').split(',')) {
    const params = range.toLowerCase().replace(/\s/g, '');
    if (!params.startsWith('application/json') || !params.includes('g=apidiscovery.k8s.io') || !params.includes('as=apigroupdiscoverylist')) continue;
    if (params.includes('v=v2beta1')) return 'v2beta1';
    if (params.includes('v=v2')) return 'v2';
  }
  return undefined;
}

export function sendDiscovery(req: FastifyRequest, reply: FastifyReply, catalog: ResourceCatalog, path: Exclude<ApiPath, { kind: 'resource' }>) {
  const json = (doc: unknown, type = 'application/json') => sendText(reply, 200, type, JSON.stringify(doc));
  switch (path.kind) {
    case 'coreVersions':
    case 'groupList': {
      const version = aggregatedVersion(req.headers.accept);
      if (version) {
        return json(aggregated(catalog, path.kind === 'coreVersions', `apidiscovery.k8s.io/${version}`),
          `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`);
      }
      if (path.kind === 'coreVersions') {
        return json({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: req.host }] });
      }
      const groups = [...catalog.groups()].filter(([g]) => g !== '').map(([g, versions]) => apiGroup(g, versions));
      return json({ kind: 'APIGroupList', apiVersion: 'v1', groups });
    }
    case 'group': {
      const versions = catalog.groups().get(path.group);
      if (!versions) throw errors.notFoundPath();
      return json({ kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(path.group, versions) });
    }
    case 'resourceList':
      return json(apiResourceList(catalog, path.group, path.version));
  }
}
