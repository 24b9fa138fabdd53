// Namespace admission, as kube-apiserver's NamespaceLifecycle plugin: objects need an
// existing namespace, a terminating namespace takes no new content, and the system
// namespaces may not be deleted.
import { errors } from '../api/errors.ts';
import type { KubeObject } from '../api/types.ts';
import type { Storage } from '../storage/interface.ts';
import type { ResourceDef } from './types.ts';

export const systemNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
const immortalNamespaces = new Set(['default', 'kube-system', 'kube-public']);
const namespacesGR = { group: '', resource: 'namespaces' };

export class NamespaceLifecycle {
  constructor(private readonly storage: Storage) {}

  async admitCreate(def: ResourceDef, obj: KubeObject): Promise<void> {
    if (!def.namespaced) return;
    const ns = obj.metadata.namespace!;
    const found = await this.storage.get(`/registry/core/namespaces/${ns}`);
    if (!found) throw errors.notFound(namespacesGR, ns);
    if (found.object.metadata.deletionTimestamp || found.object.status?.phase === 'Terminating') {
      throw errors.forbidden({ group: def.group, resource: def.plural }, obj.metadata.name ?? '',
        `unable to create new content in namespace ${ns} because it is being terminated`);
    }
  }

  admitDelete(def: ResourceDef, name: string): void {
    if (def.group === '' && def.plural === 'namespaces' && immortalNamespaces.has(name)) {
      throw errors.forbidden(namespacesGR, name, 'this namespace may not be deleted');
    }
  }
}
