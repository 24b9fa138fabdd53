// The table of served resources, looked up by URL (group, version, plural) and by kind.
// Built-in rows come from resources/; CRDs will add and remove rows at run time.
import type { ResourceDef } from './types.ts';
import { groupVersion } from './types.ts';

export class ResourceCatalog {
  private readonly byPath = new Map<string, ResourceDef>();
  private listeners: Array<() => void> = [];

  constructor(defs: ResourceDef[] = []) {
    for (const def of defs) this.add(def);
  }

  add(def: ResourceDef): void {
    this.byPath.set(pathKey(def.group, def.version, def.plural), def);
    this.changed();
  }

  remove(group: string, version: string, plural: string): void {
    if (this.byPath.delete(pathKey(group, version, plural))) this.changed();
  }

  lookup(group: string, version: string, plural: string): ResourceDef | undefined {
    return this.byPath.get(pathKey(group, version, plural));
  }

  all(): ResourceDef[] {
    return [...this.byPath.values()];
  }

  /** Every served group with its versions, in the order kube lists them (preferred first); cached until the catalog changes (read on every request). */
  groups(): Map<string, string[]> {
    this.groupsCache ??= this.computeGroups();
    return this.groupsCache;
  }

  private groupsCache: Map<string, string[]> | undefined;

  private computeGroups(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const def of this.byPath.values()) {
      const versions = out.get(def.group) ?? [];
      if (!versions.includes(def.version)) versions.push(def.version);
      out.set(def.group, versions);
    }
    // Within a group, versions go by Kubernetes version priority (v1 > v1beta2 > v1beta1 > v1alpha1 > other),
    // the order kube-apiserver lists them and picks the preferred one by.
    for (const versions of out.values()) versions.sort(compareKubeAwareVersions);
    return out;
  }

  inGroupVersion(group: string, version: string): ResourceDef[] {
    return this.all().filter((d) => d.group === group && d.version === version);
  }

  /** Called after any change, e.g. to drop cached discovery documents. */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  private changed(): void {
    this.groupsCache = undefined;
    for (const l of this.listeners) l();
  }
}

/** k8s.io/apimachinery's version.CompareKubeAwareVersionStrings, highest priority first. */
export function compareKubeAwareVersions(a: string, b: string): number {
  const rank = (v: string): [number, number, number, string] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [3, 0, 0, v];
    const stage = m[2] === undefined ? 0 : m[2] === 'beta' ? 1 : 2;
    return [stage, -Number(m[1]), -Number(m[3] ?? 0), v];
  };
  const [ra, rb] = [rank(a), rank(b)];
  for (let i = 0; i < 3; i++) if (ra[i] !== rb[i]) return (ra[i] as number) - (rb[i] as number);
  return ra[3] < rb[3] ? -1 : ra[3] > rb[3] ? 1 : 0;
}

function pathKey(group: string, version: string, plural: string): string {
  return `${group}/${version}/${plural}`;
}

/** The storage key prefix of a resource: /registry/<group|core>/<plural>/ */
export function resourcePrefix(def: Pick<ResourceDef, 'group' | 'plural'>): string {
  return `/registry/${def.group || 'core'}/${def.plural}/`;
}

export function objectKey(def: ResourceDef, namespace: string | undefined, name: string): string {
  return def.namespaced ? `${resourcePrefix(def)}${namespace}/${name}` : `${resourcePrefix(def)}${name}`;
}

export function listPrefix(def: ResourceDef, namespace: string | undefined): string {
  return def.namespaced && namespace ? `${resourcePrefix(def)}${namespace}/` : resourcePrefix(def);
}

export function apiVersionOf(def: ResourceDef): string {
  return groupVersion(def);
}
