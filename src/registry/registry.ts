// The registry: every served resource's GenericStore over one storage, plus the verbs that
// span many objects (LIST, WATCH, DELETE collection).
import type { Storage, WatchHandle } from '../storage/interface.ts';
import { ResourceCatalog } from './catalog.ts';
import { GenericStore, type DeleteRequest } from './generic-store.ts';
import { listObjects, type ListPage } from './list.ts';
import type { ListQuery } from './list-options.ts';
import { NamespaceLifecycle } from './namespace-lifecycle.ts';
import type { ResourceDef } from './types.ts';
import { startWatch, type WatchSettings, type WatchSink, defaultWatchSettings } from './watch.ts';
import type { KubeObject } from '../api/types.ts';
import { isStatusError } from '../api/errors.ts';
import type { PodRuntime } from '../kubelet/runtime.ts';

export class Registry {
  private readonly stores = new Map<ResourceDef, GenericStore>();
  readonly namespaces: NamespaceLifecycle;
  /** The simulated kubelets' logs and exec, once a kubelet worker runs (pods/log). */
  podRuntime?: PodRuntime;

  constructor(
    readonly storage: Storage,
    readonly catalog: ResourceCatalog,
    readonly watchSettings: WatchSettings = defaultWatchSettings,
  ) {
    this.namespaces = new NamespaceLifecycle(storage);
  }

  store(def: ResourceDef): GenericStore {
    let s = this.stores.get(def);
    if (!s) {
      s = new GenericStore(def, this.storage, this.namespaces);
      this.stores.set(def, s);
    }
    return s;
  }

  list(def: ResourceDef, namespace: string | undefined, q: ListQuery): Promise<ListPage> {
    return listObjects(this.storage, def, namespace, q);
  }

  watch(def: ResourceDef, namespace: string | undefined, q: ListQuery, sink: WatchSink): Promise<WatchHandle> {
    return startWatch(this.storage, def, namespace, q, sink, this.watchSettings);
  }

  /** DELETE on a collection: every selected object is deleted as by a single DELETE (kube's DeleteCollection). */
  async deleteCollection(def: ResourceDef, namespace: string | undefined, q: ListQuery, req: DeleteRequest): Promise<KubeObject[]> {
    const page = await this.list(def, namespace, { labelSelector: q.labelSelector, fieldSelector: q.fieldSelector });
    const store = this.store(def);
    const deleted: KubeObject[] = [];
    const queue = [...page.items];
    const worker = async () => {
      for (let item = queue.shift(); item; item = queue.shift()) {
        try {
          const res = await store.delete(item.object.metadata.namespace, item.object.metadata.name!, req);
          deleted.push(res.object);
        } catch (err) {
          // Gone in the meantime is fine; anything else fails the request as kube does.
          if (!isStatusError(err, 'NotFound')) throw err;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(16, queue.length) }, worker));
    return deleted;
  }
}
