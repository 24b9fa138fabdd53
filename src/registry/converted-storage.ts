// The storage view of a kind served in a version other than the one it is stored in, as
// kube-apiserver's storage codec converts (autoscaling/v1 HorizontalPodAutoscalers are stored
// as autoscaling/v2; a custom resource's served versions go through its storage version):
// writes are converted to the stored version, reads, lists and watch events back to the
// served one. Each stored version is converted once and shared, like the stored JSON.
import type { KubeObject } from '../api/types.ts';
import type { DeleteOptions, ListOptions, ListResult, Storage, StorageEvent, StoredObject, TryUpdate, UpdateOptions, WatchHandle } from '../storage/interface.ts';

export interface Conversion {
  /** Stored version → served version; `obj` is the caller's own copy, free to change. */
  toServed(obj: KubeObject): KubeObject;
  /** True when a stored object is served exactly as stored (no copy, no conversion). */
  servedAsStored?(obj: KubeObject): boolean;
  /** Served version → stored version (defaults of the stored version applied). */
  toStored(obj: KubeObject): KubeObject;
}

export function convertedStorage(inner: Storage, conversion: Conversion): Storage {
  return new ConvertedStorage(inner, conversion);
}

class ConvertedStorage implements Storage {
  private readonly views = new WeakMap<StoredObject, StoredObject>();
  private readonly sources = new WeakMap<StoredObject, StoredObject>();

  constructor(private readonly inner: Storage, private readonly conversion: Conversion) {}

  get revision(): number {
    return this.inner.revision;
  }

  get compactedRevision(): number {
    return this.inner.compactedRevision;
  }

  private read(stored: StoredObject): StoredObject {
    if (this.conversion.servedAsStored?.(stored.object)) return stored;
    let view = this.views.get(stored);
    if (view) return view;
    const object = this.conversion.toServed(structuredClone(stored.object));
    const json = JSON.stringify(object);
    view = json === stored.json ? stored : { key: stored.key, object, json, revision: stored.revision };
    this.views.set(stored, view);
    if (view !== stored) this.sources.set(view, stored);
    return view;
  }

  private source(view: StoredObject | undefined): StoredObject | undefined {
    return view && (this.sources.get(view) ?? view);
  }

  async get(key: string): Promise<StoredObject | undefined> {
    const found = await this.inner.get(key);
    return found && this.read(found);
  }

  async list(prefix: string, opts?: ListOptions): Promise<ListResult> {
    // Selectors look at labels and metadata, which conversion keeps: the predicate runs on the stored version.
    const res = await this.inner.list(prefix, opts);
    return { ...res, items: res.items.map((i) => this.read(i)) };
  }

  async create(key: string, obj: KubeObject): Promise<StoredObject> {
    return this.read(await this.inner.create(key, this.conversion.toStored(obj)));
  }

  async guaranteedUpdate(key: string, tryUpdate: TryUpdate, opts?: UpdateOptions): Promise<StoredObject> {
    const updated = await this.inner.guaranteedUpdate(key, async (current) => {
      const view = this.read(current);
      const next = await tryUpdate(view);
      // Returning the current version unchanged is a no-op: hand back the stored object itself.
      return next === view.object ? current.object : this.conversion.toStored(next);
    }, { ...opts, cachedExisting: this.source(opts?.cachedExisting) });
    return this.read(updated);
  }

  async delete(key: string, opts?: DeleteOptions): Promise<StoredObject> {
    const precondition = opts?.precondition;
    const gone = await this.inner.delete(key, {
      ...opts, cachedExisting: this.source(opts?.cachedExisting),
      precondition: precondition && ((cur) => precondition(this.read(cur))),
    });
    return this.read(gone);
  }

  watch(prefix: string, fromRevision: number, onEvent: (ev: StorageEvent) => void): Promise<WatchHandle> {
    return this.inner.watch(prefix, fromRevision, (ev) => onEvent({ ...ev, current: this.read(ev.current), prev: ev.prev && this.read(ev.prev) }));
  }

  compact(revision: number): Promise<void> {
    return this.inner.compact(revision);
  }

  /** The view owns nothing: the shared storage is closed by the server. */
  async close(): Promise<void> {}
}
