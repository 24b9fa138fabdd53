// What the garbage collector watches and how it turns an ownerReference into a URL: kube's
// GetDeletableResources (every preferred resource that supports delete, list and watch, less
// the ignored ones) and the RESTMapper (apiVersion + kind → resource, over every served
// version). Both are re-read from discovery periodically, so custom resources added later
// are collected too.
import type { ResourceDescriptor } from '../../client/index.ts';
import type { DiscoveredResource, RawApi } from '../raw-api.ts';

/** DefaultIgnoredResources: events never own anything and churn a lot. */
const ignoredResources = new Set(['/events', 'events.k8s.io/events']);

const groupResource = (r: Pick<DiscoveredResource, 'group' | 'resource'>) => `${r.group}/${r.resource}`;

export function descriptorOf(r: DiscoveredResource): ResourceDescriptor {
  return { group: r.group, version: r.version, resource: r.resource, namespaced: r.namespaced, kind: r.kind ?? '' };
}

/** group/version/resource: the monitors' key. */
export function resourceKey(r: Pick<ResourceDescriptor, 'group' | 'version' | 'resource'>): string {
  return `${r.group}/${r.version}/${r.resource}`;
}

export function apiVersionOf(r: Pick<ResourceDescriptor, 'group' | 'version'>): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** A reference to a kind discovery does not (yet) know: retried, as kube's restMappingError. */
export class RestMappingError extends Error {
  constructor(readonly apiVersion: string, readonly kind: string) {
    super(`unable to get REST mapping for ${apiVersion}/${kind}`);
  }
}

export class RestMapper {
  private readonly byKind = new Map<string, ResourceDescriptor>();

  constructor(resources: DiscoveredResource[] = []) {
    for (const r of resources) {
      if (!r.kind) continue;
      const key = `${apiVersionOf(r)}|${r.kind}`;
      if (!this.byKind.has(key)) this.byKind.set(key, descriptorOf(r));
    }
  }

  /** The resource serving `kind` in `apiVersion`; throws RestMappingError when none does. */
  resourceFor(apiVersion: string, kind: string): ResourceDescriptor {
    const found = this.byKind.get(`${apiVersion}|${kind}`);
    if (!found) throw new RestMappingError(apiVersion, kind);
    return found;
  }
}

export interface Discovery {
  /** The resources to monitor. */
  deletable: DiscoveredResource[];
  mapper: RestMapper;
  /** Group versions whose discovery failed (their resources are kept as they were). */
  failed: string[];
}

/** One discovery pass: preferred resources to monitor, every version for the mapper. */
export async function discover(api: RawApi): Promise<Discovery> {
  const [preferred, all] = await Promise.all([api.serverResources(), api.serverResources(true)]);
  const deletable = preferred.resources.filter((r) => ['delete', 'list', 'watch'].every((v) => r.verbs.includes(v)) && !ignoredResources.has(groupResource(r)));
  return { deletable, mapper: new RestMapper(all.resources), failed: [...preferred.failed.keys()] };
}
