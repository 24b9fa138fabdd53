// What the namespace controller needs beyond ApiClient's typed verbs, over the same kind of
// transport and the same kubeconfig: discovery documents (`/api/v1`, `/apis`,
// `/apis/<g>/<v>`), lists of any discovered resource as PartialObjectMetadata, DELETE of a
// collection, and PUT of `namespaces/{name}/finalize`, as client-go's discovery, metadata
// and namespace clients do. Errors are ApiError with the server's Status.
import type { KubeObject } from '../api/types.ts';
import { ApiError, type ApiClient } from '../client/index.ts';
import { Transport } from '../client/transport.ts';

export interface DiscoveredResource {
  group: string;
  version: string;
  resource: string;
  namespaced: boolean;
  verbs: string[];
  /** The kind its objects have (for mapping an ownerReference's apiVersion/kind to it). */
  kind?: string;
}

interface APIResourceList {
  groupVersion: string;
  resources: { name: string; namespaced: boolean; kind?: string; verbs?: string[] }[];
}

interface APIGroupList {
  groups: { name: string; preferredVersion?: { groupVersion: string }; versions: { groupVersion: string }[] }[];
}

const metadataListAccept = 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json';

export function collectionPath(r: Pick<DiscoveredResource, 'group' | 'version' | 'resource'>, namespace: string): string {
  const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  return `${base}/namespaces/${encodeURIComponent(namespace)}/${r.resource}`;
}

export class RawApi {
  private readonly transport: Transport;
  private readonly userAgent: string;

  constructor(client: ApiClient, userAgent = 'kubelite-controllers/0.1.0') {
    this.transport = new Transport(client.config);
    this.userAgent = userAgent;
  }

  /**
   * ServerPreferredNamespacedResources: the namespaced resources (no subresources) of each
   * group's preferred version, and the group versions whose discovery failed.
   */
  async namespacedResources(): Promise<{ resources: DiscoveredResource[]; failed: Map<string, unknown> }> {
    const { resources, failed } = await this.serverResources();
    return { resources: resources.filter((r) => r.namespaced), failed };
  }

  /**
   * ServerPreferredResources (every resource, no subresources, of each group's preferred
   * version), or with `allVersions` every served version, as a RESTMapper knows them.
   */
  async serverResources(allVersions = false): Promise<{ resources: DiscoveredResource[]; failed: Map<string, unknown> }> {
    const failed = new Map<string, unknown>();
    const groupVersions = ['v1'];
    const groups = await this.json<APIGroupList>('GET', '/apis');
    for (const g of groups.groups ?? []) {
      if (allVersions) groupVersions.push(...g.versions.map((v) => v.groupVersion));
      else groupVersions.push(g.preferredVersion?.groupVersion ?? g.versions[0]?.groupVersion);
    }
    const lists = await Promise.all(groupVersions.filter(Boolean).map(async (gv) => {
      try {
        return await this.json<APIResourceList>('GET', gv === 'v1' ? '/api/v1' : `/apis/${gv}`);
      } catch (err) {
        failed.set(gv, err);
        return undefined;
      }
    }));
    const resources: DiscoveredResource[] = [];
    for (const list of lists) {
      if (!list) continue;
      const [group, version] = list.groupVersion.includes('/') ? list.groupVersion.split('/') : ['', list.groupVersion];
      for (const r of list.resources ?? []) {
        if (r.name.includes('/')) continue;
        resources.push({ group, version, resource: r.name, namespaced: r.namespaced, verbs: r.verbs ?? [], kind: r.kind });
      }
    }
    return { resources, failed };
  }

  /** Every item, all pages: only its metadata (PartialObjectMetadata) unless `full`. */
  async list(r: DiscoveredResource, namespace: string, full = false): Promise<KubeObject[]> {
    const items: KubeObject[] = [];
    let token: string | undefined;
    do {
      const query = new URLSearchParams({ limit: '500', ...(token ? { continue: token } : {}) });
      const page = await this.json<{ items?: KubeObject[]; metadata?: { continue?: string } }>('GET', `${collectionPath(r, namespace)}?${query}`, undefined, full ? 'application/json' : metadataListAccept);
      items.push(...(page.items ?? []));
      token = page.metadata?.continue;
    } while (token);
    return items;
  }

  /** DELETE of a collection with propagationPolicy Background, as the namespace deleter sends it. */
  async deleteCollection(r: DiscoveredResource, namespace: string): Promise<void> {
    await this.json('DELETE', collectionPath(r, namespace), { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' });
  }

  async deleteOne(r: DiscoveredResource, namespace: string, name: string): Promise<void> {
    await this.json('DELETE', `${collectionPath(r, namespace)}/${encodeURIComponent(name)}`, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' });
  }

  /** PUT /api/v1/namespaces/{name}/finalize. */
  async finalizeNamespace(ns: KubeObject): Promise<KubeObject> {
    return this.json<KubeObject>('PUT', `/api/v1/namespaces/${encodeURIComponent(ns.metadata.name!)}/finalize`, { apiVersion: 'v1', kind: 'Namespace', ...ns });
  }

  close(): void {
    this.transport.close();
  }

  private async json<T>(method: string, path: string, body?: unknown, accept = 'application/json'): Promise<T> {
    const headers: Record<string, string> = { Accept: accept, 'User-Agent': this.userAgent };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await this.transport.request({ method, path, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    if (response.status < 200 || response.status > 299) throw ApiError.fromResponse(response.status, text);
    return JSON.parse(text) as T;
  }
}
