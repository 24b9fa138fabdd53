// How admission plugins read other objects: straight from the registry's storage (the watch
// cache), as kube's plugins read their informers' listers. Reads never go through admission.
import type { KubeObject } from '../api/types.ts';
import { listPrefix } from '../registry/catalog.ts';
import type { Registry } from '../registry/registry.ts';
import { isCachedStorage } from '../storage/interface.ts';

export interface ResourceRef {
  group: string;
  version: string;
  plural: string;
}

export const refs = {
  namespaces: { group: '', version: 'v1', plural: 'namespaces' },
  serviceAccounts: { group: '', version: 'v1', plural: 'serviceaccounts' },
  limitRanges: { group: '', version: 'v1', plural: 'limitranges' },
  resourceQuotas: { group: '', version: 'v1', plural: 'resourcequotas' },
  priorityClasses: { group: 'scheduling.k8s.io', version: 'v1', plural: 'priorityclasses' },
  storageClasses: { group: 'storage.k8s.io', version: 'v1', plural: 'storageclasses' },
  mutatingWebhookConfigurations: { group: 'admissionregistration.k8s.io', version: 'v1', plural: 'mutatingwebhookconfigurations' },
  validatingWebhookConfigurations: { group: 'admissionregistration.k8s.io', version: 'v1', plural: 'validatingwebhookconfigurations' },
  validatingAdmissionPolicies: { group: 'admissionregistration.k8s.io', version: 'v1', plural: 'validatingadmissionpolicies' },
  validatingAdmissionPolicyBindings: { group: 'admissionregistration.k8s.io', version: 'v1', plural: 'validatingadmissionpolicybindings' },
} satisfies Record<string, ResourceRef>;

export class ObjectLookup {
  constructor(readonly registry: Registry) {}

  private def(ref: ResourceRef) {
    const def = this.registry.catalog.lookup(ref.group, ref.version, ref.plural);
    if (!def) throw new Error(`admission: resource ${ref.plural}.${ref.group} is not served`);
    return def;
  }

  /** Lists by key prefix, remembered until the watch cache sees a change under it (it runs on every write). */
  async list(ref: ResourceRef, namespace?: string): Promise<KubeObject[]> {
    const def = this.def(ref);
    const storage = this.registry.storageFor(def);
    const prefix = listPrefix(def, namespace);
    const changed = isCachedStorage(storage) ? storage.changedThrough(prefix) : undefined;
    const memo = this.lists.get(prefix);
    if (changed !== undefined && memo?.changed === changed) return [...memo.objects]; // callers may sort
    const objects = (await storage.list(prefix)).items.map((i) => i.object);
    if (changed !== undefined) {
      if (this.lists.size > 10_000) this.lists.clear();
      this.lists.set(prefix, { changed, objects });
    }
    return objects;
  }

  private readonly lists = new Map<string, { changed: number; objects: KubeObject[] }>();

  async get(ref: ResourceRef, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    return (await this.registry.store(this.def(ref)).get(namespace, name).catch(() => undefined))?.object;
  }

  async namespaceLabels(name: string): Promise<Record<string, string> | undefined> {
    return (await this.get(refs.namespaces, undefined, name))?.metadata.labels;
  }
}
