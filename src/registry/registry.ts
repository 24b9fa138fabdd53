// The registry: every served resource's GenericStore over one storage, plus the verbs that
// span many objects (LIST, WATCH, DELETE collection).
import type { Storage, WatchHandle } from '../storage/interface.ts';
import { ResourceCatalog } from './catalog.ts';
import { GenericStore, type DeleteRequest } from './generic-store.ts';
import { listObjects, type ListPage } from './list.ts';
import type { ListQuery } from './list-options.ts';
import { NamespaceLifecycle } from './namespace-lifecycle.ts';
import { AdmissionChain } from './admission-chain.ts';
import type { ResourceDef } from './types.ts';
import { startWatch, type WatchSettings, type WatchSink, defaultWatchSettings } from './watch.ts';
import type { KubeObject } from '../api/types.ts';
import { isStatusError } from '../api/errors.ts';
import type { ServiceNetwork } from './allocator/service-allocators.ts';
import { UnservableObjects } from './unservable.ts';

/** A create-only subresource served beside the generic store, as kube's serviceaccounts/token REST is. */
export interface TokenRequestREST {
  create(namespace: string, name: string, body: unknown): Promise<{ object: KubeObject; warnings: string[] }>;
}

export class Registry {
  private readonly stores = new Map<ResourceDef, GenericStore>();
  /** Custom resources read and write through their own storage view (version conversion). */
  private readonly views = new WeakMap<ResourceDef, Storage>();
  readonly namespaces: NamespaceLifecycle;
  /**
   * Every write's admission. The registry knows only the contract (admission.ts); the plugins
   * (src/admission, src/auth/rbac's escalation check) are installed by the apiserver right
   * after construction, before any write, as kube-apiserver builds its admission chain.
   */
  readonly admission: AdmissionChain;
  /** --service-cluster-ip-range and --service-node-port-range, read when the Service allocators are built. */
  serviceNetwork?: ServiceNetwork;
  /** The serviceaccounts/token subresource (auth/serviceaccount/token-request.ts), once the API server has loaded its signing key. */
  serviceAccountTokens?: TokenRequestREST;
  /** Stored objects that cannot be served (see unservable.ts), reported on /readyz?verbose and /metrics. */
  readonly unservable = new UnservableObjects();

  constructor(
    readonly storage: Storage,
    readonly catalog: ResourceCatalog,
    readonly watchSettings: WatchSettings = defaultWatchSettings,
  ) {
    this.namespaces = new NamespaceLifecycle(storage);
    this.admission = new AdmissionChain();
  }

  store(def: ResourceDef): GenericStore {
    let s = this.stores.get(def);
    if (!s) {
      s = new GenericStore(def, this.storageFor(def), this.admission, def.storeHooks?.(this));
      this.stores.set(def, s);
    }
    return s;
  }

  list(def: ResourceDef, namespace: string | undefined, q: ListQuery): Promise<ListPage> {
    return listObjects(this.storageFor(def), def, namespace, q);
  }

  watch(def: ResourceDef, namespace: string | undefined, q: ListQuery, sink: WatchSink): Promise<WatchHandle> {
    return startWatch(this.storageFor(def), def, namespace, q, sink, this.watchSettings);
  }

  /** The storage a resource's objects are read and written through. */
  storageFor(def: ResourceDef): Storage {
    if (!def.storageView) return this.storage;
    let view = this.views.get(def);
    if (!view) {
      view = def.storageView(this.storage);
      this.views.set(def, view);
    }
    return view;
  }

  /** Drops the store of a resource no longer served (a CRD version removed or replaced). */
  forget(def: ResourceDef): void {
    this.stores.delete(def);
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
