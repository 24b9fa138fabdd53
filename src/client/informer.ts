// A shared informer, as client-go's Reflector + DeltaFIFO + sharedIndexInformer folded into
// one loop: LIST (paged), then WATCH from the list's resourceVersion with bookmarks; a watch
// that ends is resumed from the last resourceVersion seen; `410 Gone/Expired` (as an HTTP
// answer or an ERROR event) means that history is lost, so the informer relists and emits the
// difference against its store — deletes for what vanished meanwhile are delivered with
// `finalStateUnknown` (client-go's DeletedFinalStateUnknown). Handlers run synchronously in
// event order; an object is delivered as changed only when its resourceVersion changed,
// except on the optional periodic resync.
import type { KubeObject } from '../api/types.ts';
import { ApiError, isGone } from './errors.ts';
import { sleep } from './rate-limit.ts';
import type { ApiClient, KubeList } from './rest.ts';
import { apiVersionOf, type ResourceDescriptor } from './resource.ts';
import { defaultIndexers, objectKey, Store, type IndexFunc } from './store.ts';
import type { Watch, WatchEnd, WatchEvent } from './watch.ts';

export interface InformerOptions<T extends KubeObject> {
  /** Watch one namespace; all namespaces when unset. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** List and watch PartialObjectMetadata only (client-go's metadata informer, as the garbage collector uses). */
  metadataOnly?: boolean;
  /** LIST page size (client-go's reflector uses 500). */
  pageSize?: number;
  /** Re-deliver every cached object as onUpdate(obj, obj) this often; 0 (default) = never. */
  resyncPeriodMs?: number;
  /** Server-side watch timeout; default random 5–10 minutes, as the reflector spreads re-watches. */
  watchTimeoutSeconds?: number;
  /** Indexes beside the default ones (namespace, label, controller). */
  indexers?: Record<string, IndexFunc<T>>;
  /** Retry delays after failures (client-go: 800 ms doubling to 30 s). */
  backoff?: { initialMs: number; maxMs: number };
  /**
   * Drop metadata.managedFields before an object enters the store, as kube-controller-manager's
   * informer factories (shared and metadata) and kube-scheduler's pod informer do (their "trim"
   * transform): no controller reads them, and an update sent without them keeps the stored ones.
   * They are a third or more of a small object's parsed size in every cache that holds it.
   */
  stripManagedFields?: boolean;
  /** Failures the informer recovers from (lists, watches, handlers that threw). */
  onError?: (err: unknown, during: 'list' | 'watch' | 'handler') => void;
}

export interface DeleteInfo {
  /** The object vanished while no watch saw it go: this is its last known state, not its final one. */
  finalStateUnknown: boolean;
}

export interface EventHandler<T extends KubeObject> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T, info: DeleteInfo): void;
}

export class SharedInformer<T extends KubeObject = KubeObject> {
  readonly store: Store<T>;
  private readonly handlers = new Set<EventHandler<T>>();
  private readonly stopController = new AbortController();
  private resourceVersion = '';
  private synced = false;
  private syncWaiters: ((synced: boolean) => void)[] = [];
  private running?: Promise<void>;
  private watch?: Watch;
  private resyncTimer?: NodeJS.Timeout;

  constructor(
    private readonly client: ApiClient,
    readonly resource: ResourceDescriptor<T>,
    private readonly opts: InformerOptions<T> = {},
  ) {
    this.store = new Store<T>({ ...defaultIndexers<T>(), ...opts.indexers });
  }

  /** Registers handlers; a handler added late first gets onAdd for what the store holds. Returns a remover. */
  addEventHandler(handler: EventHandler<T>): () => void {
    this.handlers.add(handler);
    for (const obj of this.store.list()) this.call(handler, 'onAdd', obj);
    return () => this.handlers.delete(handler);
  }

  /** Starts the list-and-watch loop (idempotent). */
  run(): this {
    if (!this.running && !this.stopped) {
      this.running = this.loop();
      if (this.opts.resyncPeriodMs) this.resyncTimer = setInterval(() => this.resync(), this.opts.resyncPeriodMs);
    }
    return this;
  }

  /** True once the first list has been delivered to the handlers. */
  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves true once synced, false if the informer is stopped first. */
  waitForSync(): Promise<boolean> {
    if (this.synced || this.stopped) return Promise.resolve(this.synced);
    return new Promise((resolveSync) => this.syncWaiters.push(resolveSync));
  }

  /** The resourceVersion of the last list, event or bookmark seen. */
  get lastSyncResourceVersion(): string {
    return this.resourceVersion;
  }

  /** Stops listing and watching; resolves when the loop has exited. */
  async stop(): Promise<void> {
    if (this.stopped) return this.running;
    this.stopController.abort();
    clearInterval(this.resyncTimer);
    this.watch?.stop();
    this.settleSync();
    await this.running;
  }

  private get stopped(): boolean {
    return this.stopController.signal.aborted;
  }

  private async loop(): Promise<void> {
    const backoff = this.opts.backoff ?? { initialMs: 800, maxMs: 30_000 };
    let delay = backoff.initialMs;
    let needList = true;
    while (!this.stopped) {
      let failed = false;
      try {
        if (needList) {
          await this.relist();
          needList = false;
        }
        const end = await this.watchOnce();
        if (end.reason === 'error') {
          failed = !isGone(end.error);
          // A 410 or any other ERROR event means the stream's history cannot be trusted: relist.
          // A broken connection keeps the resourceVersion: resume from it.
          needList = end.error instanceof ApiError;
          if (failed) this.report(end.error, 'watch');
        }
      } catch (err) {
        if (this.stopped) break;
        // A refused watch: 410 → relist at once; anything else → retry the same step later.
        if (isGone(err)) needList = true;
        else {
          failed = true;
          this.report(err, needList ? 'list' : 'watch');
        }
      }
      if (!failed) {
        delay = backoff.initialMs;
        continue;
      }
      await sleep(delay * (1 + Math.random()), this.stopController.signal).catch(() => undefined);
      delay = Math.min(delay * 2, backoff.maxMs);
    }
  }

  /** LIST every page, then deliver the difference against the store (Indexer.Replace). */
  private async relist(): Promise<void> {
    const list = await this.listPages();
    const seen = new Set<string>();
    for (const item of list.items) {
      const obj = { ...item, apiVersion: item.apiVersion ?? apiVersionOf(this.resource), kind: item.kind ?? this.resource.kind };
      seen.add(objectKey(obj));
      this.apply(this.trimmed(obj));
    }
    for (const key of this.store.keys()) {
      if (seen.has(key)) continue;
      const gone = this.store.delete(key)!;
      this.emit('onDelete', gone, { finalStateUnknown: true });
    }
    this.resourceVersion = list.metadata.resourceVersion ?? '';
    if (!this.synced) {
      this.synced = true;
      this.settleSync();
    }
  }

  private async listPages(): Promise<KubeList<T>> {
    const { namespace, labelSelector, fieldSelector } = this.opts;
    const query = { namespace, labelSelector, fieldSelector, metadataOnly: this.opts.metadataOnly, signal: this.stopController.signal };
    try {
      return await this.client.listAll(this.resource, { ...query, limit: this.opts.pageSize ?? 500 });
    } catch (err) {
      // A continue token that expired mid-list: fall back to one unpaged list, as the reflector does.
      if (!isGone(err)) throw err;
      return this.client.listAll(this.resource, query);
    }
  }

  private async watchOnce(): Promise<WatchEnd> {
    const timeoutSeconds = this.opts.watchTimeoutSeconds ?? Math.floor(300 * (1 + Math.random()));
    const watch = await this.client.watch(this.resource, {
      namespace: this.opts.namespace,
      labelSelector: this.opts.labelSelector,
      fieldSelector: this.opts.fieldSelector,
      metadataOnly: this.opts.metadataOnly,
      resourceVersion: this.resourceVersion,
      allowWatchBookmarks: true,
      timeoutSeconds,
      signal: this.stopController.signal,
    }, (event) => this.onWatchEvent(event));
    this.watch = watch;
    try {
      return await watch.done;
    } finally {
      this.watch = undefined;
    }
  }

  private onWatchEvent(event: WatchEvent<T>): void {
    if (this.stopped) return;
    // Thrown into the stream, which ends the watch with this error (see loop()).
    if (event.type === 'ERROR') throw new ApiError(event.object);
    const obj = this.trimmed(event.object);
    switch (event.type) {
      case 'ADDED':
      case 'MODIFIED':
        this.apply(obj);
        break;
      case 'DELETED': {
        const old = this.store.delete(objectKey(obj));
        if (old) this.emit('onDelete', obj, { finalStateUnknown: false });
        break;
      }
      case 'BOOKMARK':
        break;
    }
    if (obj.metadata?.resourceVersion) this.resourceVersion = obj.metadata.resourceVersion;
  }

  /** The object as the store keeps it (client-go's TransformFunc, applied before the store). */
  private trimmed(obj: T): T {
    if (!this.opts.stripManagedFields || !obj?.metadata?.managedFields) return obj;
    // A new metadata object rather than `delete`, which would turn it into a slower and larger
    // dictionary-mode object. The object is this informer's own (decoded for it alone).
    const { managedFields: _dropped, ...metadata } = obj.metadata;
    obj.metadata = metadata;
    return obj;
  }

  /** Stores an object and delivers it as added, or updated if its resourceVersion moved. */
  private apply(obj: T): void {
    const old = this.store.upsert(obj);
    if (!old) this.emit('onAdd', obj);
    else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) this.emit('onUpdate', old, obj);
  }

  private resync(): void {
    if (!this.synced || this.stopped) return;
    for (const obj of this.store.list()) this.emit('onUpdate', obj, obj);
  }

  private emit<K extends keyof EventHandler<T>>(kind: K, ...args: Parameters<NonNullable<EventHandler<T>[K]>>): void {
    for (const handler of this.handlers) this.call(handler, kind, ...args);
  }

  /** A handler that throws is reported, never allowed to break the stream for the others. */
  private call<K extends keyof EventHandler<T>>(handler: EventHandler<T>, kind: K, ...args: Parameters<NonNullable<EventHandler<T>[K]>>): void {
    const fn = handler[kind] as ((...a: typeof args) => void) | undefined;
    try {
      fn?.apply(handler, args);
    } catch (err) {
      this.report(err, 'handler');
    }
  }

  private settleSync(): void {
    for (const resolveSync of this.syncWaiters.splice(0)) resolveSync(this.synced);
  }

  private report(err: unknown, during: 'list' | 'watch' | 'handler'): void {
    if (this.opts.onError) this.opts.onError(err, during);
    else console.error(`informer ${this.resource.resource}: ${during} failed:`, err);
  }
}
