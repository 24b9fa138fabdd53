// The watch cache, a decorator over any Storage as kube-apiserver's cacher is: it lists the
// backend once, then follows its watch, keeping every live object and a ring of recent events
// per resource. Writes pass through; GET, LIST (also at a recent revision, for continue
// tokens) and WATCH are served from memory; a LIST selecting by label values looks only at
// the objects a label index names (label-index.ts). The cache owns its backend and closes it.
import type { KubeObject } from '../api/types.ts';
import { createLogger } from '../log.ts';
import {
  StorageError,
  type CachedStorage, type DeleteOptions, type ListOptions, type ListResult, type Storage, type StorageEvent, type StoredObject,
  type TryUpdate, type UpdateOptions, type WatchHandle,
} from './interface.ts';
import { resourcePrefixOf } from './keys.ts';
import { concat, paginate } from './paginate.ts';
import type { RingStats } from './event-ring.ts';
import { CacheBucket } from './watch-cache-bucket.ts';
import { WatcherSet, type StorageLogger } from './watchers.ts';

export interface WatchCacheOptions {
  /** Capacity of each bucket's event ring (default 10,000, as kube's watch cache). */
  eventsPerBucket?: number;
  /** Events older than this leave the ring too (default 5 minutes, like kube's etcd compaction window). */
  maxEventAgeMs?: number;
  /** And past this many bytes of the versions' JSON per bucket (default 64 MiB): big objects' history is bounded by size. */
  maxEventBytes?: number;
  /**
   * The bucket of a key (default: its resource prefix `/registry/<group>/<resource>/`). It must
   * return a prefix of the key, no bucket may be a prefix of another, and every key starting
   * with a bucket must belong to it.
   */
  bucketOf?: (key: string) => string;
  logger?: StorageLogger;
  /** The clock events' ages are measured on (default Date.now; tests inject their own). */
  now?: () => number;
}

export const defaultMaxEventBytes = 64 * 1024 * 1024;

interface RevisionWaiter {
  revision: number;
  resolve(): void;
  reject(err: unknown): void;
}

export class WatchCache implements Storage, CachedStorage {
  private readonly buckets = new Map<string, CacheBucket>();
  private readonly watchers: WatcherSet;
  private readonly bucketOf: (key: string) => string;
  private readonly eventsPerBucket: number;
  private readonly maxEventAgeMs: number;
  private readonly maxEventBytes: number;
  private waiters: RevisionWaiter[] = [];
  private appliedRevision: number;
  /** The floor of buckets not created yet: raised only by compaction. */
  private baseFloor: number;
  private backendWatch: WatchHandle | undefined;
  private readonly now: () => number;
  private expiryTimer: NodeJS.Timeout | undefined;
  private closed = false;

  static async create(backend: Storage, opts: WatchCacheOptions = {}): Promise<WatchCache> {
    const initial = await backend.list('');
    const cache = new WatchCache(backend, initial.revision, opts);
    // Items come in key order, so a bucket's keys are consecutive: look a bucket up only when the key leaves it.
    let bucket: CacheBucket | undefined;
    for (const item of initial.items) {
      if (!bucket || !item.key.startsWith(bucket.name)) bucket = cache.bucketFor(item.key);
      bucket.objects.set(item);
    }
    cache.backendWatch = await backend.watch('', initial.revision, (ev) => cache.apply(ev));
    cache.startExpiry();
    return cache;
  }

  private constructor(private readonly backend: Storage, private readonly startRevision: number, opts: WatchCacheOptions) {
    this.appliedRevision = this.baseFloor = startRevision;
    this.bucketOf = opts.bucketOf ?? resourcePrefixOf;
    this.eventsPerBucket = Math.max(1, opts.eventsPerBucket ?? 10_000);
    this.maxEventAgeMs = opts.maxEventAgeMs ?? 5 * 60_000;
    this.maxEventBytes = opts.maxEventBytes ?? defaultMaxEventBytes;
    this.watchers = new WatcherSet(opts.logger ?? createLogger());
    this.now = opts.now ?? Date.now;
  }

  /**
   * A ring drops events past the age bound when its bucket gets a new one; a quiet bucket
   * would keep them (a deleted 4 MB pod's versions among them) for good. So every bucket is
   * also swept on a timer, a tenth of the window apart (at most 30 s past the window).
   */
  private startExpiry(): void {
    if (!Number.isFinite(this.maxEventAgeMs)) return;
    const every = Math.min(30_000, Math.max(1000, this.maxEventAgeMs / 10));
    this.expiryTimer = setInterval(() => this.expireEvents(), every);
    this.expiryTimer.unref();
  }

  /** Forgets, in every bucket, the events older than the window (what the timer runs). */
  expireEvents(): void {
    const now = this.now();
    for (const bucket of this.buckets.values()) bucket.events.expire(now);
  }

  /** What each bucket's event ring holds (events, JSON bytes, floor), for tests and diagnostics. */
  eventWindows(): Map<string, RingStats> {
    return new Map([...this.buckets].map(([name, bucket]) => [name, bucket.events.stats]));
  }

  /** The last revision applied to the cache. */
  get revision(): number {
    return this.appliedRevision;
  }

  /** The oldest revision from which a watch on any prefix can start. */
  get compactedRevision(): number {
    let floor = this.baseFloor;
    for (const bucket of this.buckets.values()) floor = Math.max(floor, bucket.events.floorRevision);
    return floor;
  }

  /** How many live objects each bucket (resource prefix) holds, for apiserver_storage_objects. */
  objectCounts(): Map<string, number> {
    return new Map([...this.buckets].map(([name, bucket]) => [name, bucket.objects.size]));
  }

  /** The oldest revision whose state (LIST) or changes since (WATCH) the cache can serve under `prefix`. */
  snapshotRevisionFloor(prefix: string): number {
    let floor = this.baseFloor;
    for (const bucket of this.bucketsUnder(prefix)) floor = Math.max(floor, bucket.events.floorRevision);
    return floor;
  }

  async get(key: string): Promise<StoredObject | undefined> {
    this.assertOpen(key);
    return this.cached(key);
  }

  /**
   * The revision of the last change to anything under `prefix` since the cache started (0:
   * none): equal answers mean a LIST of `prefix` would return the same objects.
   */
  changedThrough(prefix: string): number {
    let last = 0;
    for (const bucket of this.bucketsUnder(prefix)) last = Math.max(last, bucket.lastApplied);
    return last;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.assertOpen(prefix);
    const past = opts.revision !== undefined && opts.revision < this.appliedRevision ? opts.revision : undefined;
    if (past !== undefined) this.assertRetained(prefix, past);
    const buckets = this.bucketsUnder(prefix);
    // Past states are rebuilt from the ring by a scan; the label index knows only the present.
    const indexed = past === undefined && opts.predicate !== undefined && opts.labelValues?.length;
    const sources = buckets.map((b) => past !== undefined
      ? b.rangeAt(prefix, opts.startAfterKey, past)
      : (indexed && b.rangeByLabels(prefix, opts.startAfterKey, opts.labelValues!)) || b.objects.range(prefix, opts.startAfterKey));
    const page = paginate(concat(sources), opts);
    const result: ListResult = { ...page, revision: past ?? this.appliedRevision };
    if (page.continueAfterKey !== undefined && past === undefined && !opts.predicate) {
      result.remaining = buckets.reduce((n, b) => n + b.objects.countAfter(prefix, page.continueAfterKey!), 0);
    }
    return result;
  }

  async create(key: string, obj: KubeObject): Promise<StoredObject> {
    this.assertOpen(key);
    return this.applied(await this.backend.create(key, obj));
  }

  async guaranteedUpdate(key: string, tryUpdate: TryUpdate, opts: UpdateOptions = {}): Promise<StoredObject> {
    this.assertOpen(key);
    const cachedExisting = opts.cachedExisting ?? this.cached(key);
    return this.applied(await this.backend.guaranteedUpdate(key, tryUpdate, { ...opts, cachedExisting }));
  }

  async delete(key: string, opts: DeleteOptions = {}): Promise<StoredObject> {
    this.assertOpen(key);
    const cachedExisting = opts.cachedExisting ?? this.cached(key);
    return this.applied(await this.backend.delete(key, { ...opts, cachedExisting }));
  }

  async watch(prefix: string, fromRevision: number, onEvent: (ev: StorageEvent) => void): Promise<WatchHandle> {
    this.assertOpen(prefix);
    if (fromRevision < this.startRevision && fromRevision >= this.backend.compactedRevision) {
      // From before this cache started (the rings start empty), yet still in the backend's
      // history: a client resuming its watch across a restart gets every event since, not 410
      // Gone. Replayed events carry no `prev`, so a selector sees an object leave it only from
      // the live events on. Past the rings' floor otherwise, a watch is 410 as in kube's cacher.
      return this.backend.watch(prefix, fromRevision, onEvent);
    }
    this.assertRetained(prefix, fromRevision);
    const watcher = this.watchers.add(prefix, fromRevision, onEvent, true);
    for (const ev of this.eventsAfter(prefix, fromRevision)) watcher.deliver(ev);
    watcher.goLive();
    return watcher;
  }

  /** Compacts the backend and forgets the same events here, so both answer alike. */
  async compact(revision: number): Promise<void> {
    await this.backend.compact(revision);
    const target = Math.min(revision, this.appliedRevision);
    this.baseFloor = Math.max(this.baseFloor, target);
    for (const bucket of this.buckets.values()) bucket.events.dropThrough(target);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.expiryTimer);
    this.backendWatch?.stop();
    this.watchers.stopAll();
    const closedError = new StorageError('Closed', '', 'storage is closed');
    for (const waiter of this.waiters) waiter.reject(closedError);
    this.waiters = [];
    await this.backend.close();
  }

  /** One backend event: update the bucket, then fan the same event object out to every watcher. */
  private apply(ev: StorageEvent): void {
    if (this.closed || ev.revision <= this.appliedRevision) return;
    const bucket = this.bucketFor(ev.key);
    // The cache knows the replaced version even when the backend (history replay) does not.
    const shared = withPrev(ev, bucket.objects.get(ev.key));
    bucket.apply(shared);
    this.appliedRevision = ev.revision;
    this.watchers.dispatch(shared);
    if (this.waiters.length > 0) this.wakeWaiters();
  }

  /** Resolves a write once the cache has applied it, so a GET right after it sees it. */
  private applied(stored: StoredObject): Promise<StoredObject> {
    if (stored.revision <= this.appliedRevision) return Promise.resolve(stored);
    return new Promise<void>((resolve, reject) => this.waiters.push({ revision: stored.revision, resolve, reject }))
      .then(() => stored);
  }

  private wakeWaiters(): void {
    const waiting: RevisionWaiter[] = [];
    for (const waiter of this.waiters) {
      if (waiter.revision <= this.appliedRevision) waiter.resolve();
      else waiting.push(waiter);
    }
    this.waiters = waiting;
  }

  /** Ring events under `prefix` after `revision`, in revision order across buckets. */
  private eventsAfter(prefix: string, revision: number): StorageEvent[] {
    const buckets = this.bucketsUnder(prefix);
    const events: StorageEvent[] = [];
    for (const bucket of buckets) {
      for (const ev of bucket.eventsAfter(prefix, revision)) events.push(ev);
    }
    if (buckets.length > 1) events.sort((a, b) => a.revision - b.revision);
    return events;
  }

  private cached(key: string): StoredObject | undefined {
    return this.buckets.get(this.bucketOf(key))?.objects.get(key);
  }

  private bucketFor(key: string): CacheBucket {
    const name = this.bucketOf(key);
    let bucket = this.buckets.get(name);
    if (!bucket) {
      // A new resource's ring misses nothing since the floor: it had no events before.
      bucket = new CacheBucket(name, this.eventsPerBucket, this.baseFloor, this.maxEventAgeMs, this.maxEventBytes, this.now);
      this.buckets.set(name, bucket);
      this.bucketsUnderCache.clear();
    }
    return bucket;
  }

  /** bucketsUnder's answers, until a bucket is added (a LIST would otherwise scan every bucket). */
  private readonly bucketsUnderCache = new Map<string, CacheBucket[]>();

  /** The buckets holding keys under `prefix`, in key order. */
  private bucketsUnder(prefix: string): CacheBucket[] {
    let found = this.bucketsUnderCache.get(prefix);
    if (!found) {
      found = [...this.buckets.values()]
        .filter((b) => b.name.startsWith(prefix) || prefix.startsWith(b.name))
        .sort((a, b) => (a.name < b.name ? -1 : 1));
      if (this.bucketsUnderCache.size > 10_000) this.bucketsUnderCache.clear(); // namespaces come and go
      this.bucketsUnderCache.set(prefix, found);
    }
    return found;
  }

  private assertRetained(prefix: string, revision: number): void {
    const floor = this.snapshotRevisionFloor(prefix);
    if (revision < floor) {
      throw new StorageError('Compacted', prefix, `revision ${revision} is older than the oldest cached revision ${floor}`);
    }
  }

  private assertOpen(key: string): void {
    if (this.closed) throw new StorageError('Closed', key, 'storage is closed');
  }
}

/** The event with `prev` set to the version the cache replaced (the backend's object when it agrees). */
function withPrev(ev: StorageEvent, prev: StoredObject | undefined): StorageEvent {
  if (ev.prev === prev) return ev;
  const { type, key, revision, current } = ev;
  return prev ? { type, key, revision, current, prev } : { type, key, revision, current };
}
