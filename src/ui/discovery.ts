// Which resources the server serves, read from discovery (/api/v1, /apis, /apis/<g>/<v>) as
// kubectl reads it; custom resources appear as soon as their CRD is established.
import { getJson } from './api.ts';
import type { ApiResource } from './types.ts';

interface ResourceList { groupVersion: string; resources: { name: string; kind: string; namespaced: boolean; verbs: string[]; shortNames?: string[] }[] }
interface GroupList { groups: { name: string; preferredVersion: { version: string } }[] }

let cached: Promise<ApiResource[]> | undefined;

async function groupVersion(path: string, group: string, version: string): Promise<ApiResource[]> {
  const list = await getJson<ResourceList>(path);
  return list.resources.filter((r) => !r.name.includes('/')).map((r) => ({ group, version, name: r.name, kind: r.kind, namespaced: r.namespaced, verbs: r.verbs, shortNames: r.shortNames }));
}

export function discover(refresh = false): Promise<ApiResource[]> {
  if (!cached || refresh) {
    cached = (async () => {
      const groups = await getJson<GroupList>('/apis');
      const all = await Promise.all([
        groupVersion('/api/v1', '', 'v1'),
        ...groups.groups.map((g) => groupVersion(`/apis/${g.name}/${g.preferredVersion.version}`, g.name, g.preferredVersion.version).catch(() => [])),
      ]);
      return all.flat().sort((a, b) => a.name.localeCompare(b.name));
    })();
    cached.catch(() => { cached = undefined; });
  }
  return cached;
}

export function findResource(resources: ApiResource[], group: string, plural: string): ApiResource | undefined {
  return resources.find((r) => r.group === group && r.name === plural);
}
