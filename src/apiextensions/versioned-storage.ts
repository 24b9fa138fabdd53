// The storage view one served version of a custom resource reads and writes through, as
// the CRD's storage codec does: objects are written in the storage version (conversion
// strategy None: only apiVersion changes), read back in the requested version, with the
// schema's defaults filled on read (a default added to the CRD shows on old objects too).
// Each stored version is converted once per served version and shared, like the stored JSON.
import type { KubeObject } from '../api/types.ts';
import type { DeleteOptions, ListOptions, ListResult, Storage, StoredObject, TryUpdate, UpdateOptions, WatchHandle, StorageEvent } from '../storage/interface.ts';
import { applyDefaults, hasDefaults } from './prune.ts';
import type { JSONSchemaProps } from './types.ts';

export interface VersionedStorageOptions {
  /** The version objects are served in, e.g. cert-manager.io/v1alpha1. */
  apiVersion: string;
  /** The CRD's storage version, e.g. cert-manager.io/v1. */
  storageApiVersion: string;
  schema: JSONSchemaProps;
}

export function versionedStorage(inner: Storage, opts: VersionedStorageOptions): Storage {
  return new VersionedStorage(inner, opts);
}

class VersionedStorage implements Storage {
  /** Stored version → the same version as served here. */
  private readonly views = new WeakMap<StoredObject, StoredObject>();
  /** Served view → the stored version it came from (for cachedExisting and no-op updates). */
  private readonly sources = new WeakMap<StoredObject, StoredObject>();
  private readonly defaults: boolean;

  constructor(private readonly inner: Storage, private readonly opts: VersionedStorageOptions) {
    this.defaults = hasDefaults(opts.schema);
  }

  get revision(): number {
    return this.inner.revision;
  }

  get compactedRevision(): number {
    return this.inner.compactedRevision;
  }

  private read(stored: StoredObject): StoredObject {
    if (stored.object.apiVersion === this.opts.apiVersion && !this.defaults) return stored;
    let view = this.views.get(stored);
    if (view) return view;
    const object = structuredClone(stored.object) as KubeObject;
    object.apiVersion = this.opts.apiVersion;
    if (this.defaults) applyDefaults(object, this.opts.schema);
    const json = JSON.stringify(object);
    view = json === stored.json ? stored : { key: stored.key, object, json, revision: stored.revision };
    this.views.set(stored, view);
    if (view !== stored) this.sources.set(view, stored);
    return view;
  }

  private write(obj: KubeObject): KubeObject {
    if (obj.apiVersion === this.opts.storageApiVersion) return obj;
    return { ...obj, apiVersion: this.opts.storageApiVersion };
  }

  private source(view: StoredObject | undefined): StoredObject | undefined {
    return view && (this.sources.get(view) ?? view);
  }

  async get(key: string): Promise<StoredObject | undefined> {
    const found = await this.inner.get(key);
    return found && this.read(found);
  }

  async list(prefix: string, opts?: ListOptions): Promise<ListResult> {
    const res = await this.inner.list(prefix, opts);
    return { ...res, items: res.items.map((i) => this.read(i)) };
  }

  async create(key: string, obj: KubeObject): Promise<StoredObject> {
    return this.read(await this.inner.create(key, this.write(obj)));
  }

  async guaranteedUpdate(key: string, tryUpdate: TryUpdate, opts?: UpdateOptions): Promise<StoredObject> {
    const updated = await this.inner.guaranteedUpdate(key, async (current) => {
      const view = this.read(current);
      const next = await tryUpdate(view);
      // Returning the current version unchanged is a no-op: hand back the stored object itself.
      return next === view.object ? current.object : this.write(next);
    }, { cachedExisting: this.source(opts?.cachedExisting) });
    return this.read(updated);
  }

  async delete(key: string, opts?: DeleteOptions): Promise<StoredObject> {
    const precondition = opts?.precondition;
    const gone = await this.inner.delete(key, {
      cachedExisting: this.source(opts?.cachedExisting),
      precondition: precondition && ((cur) => precondition(this.read(cur))),
    });
    return this.read(gone);
  }

  watch(prefix: string, fromRevision: number, onEvent: (ev: StorageEvent) => void): Promise<WatchHandle> {
    return this.inner.watch(prefix, fromRevision, (ev) => onEvent({
      ...ev, current: this.read(ev.current), prev: ev.prev && this.read(ev.prev),
    }));
  }

  compact(revision: number): Promise<void> {
    return this.inner.compact(revision);
  }

  /** The view owns nothing: the shared storage is closed by the server. */
  async close(): Promise<void> {}
}
