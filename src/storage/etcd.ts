// The etcd v3 backend, as kube-apiserver's storage/etcd3 store: every object is one key, its
// mod revision is the resourceVersion, creates/updates/deletes are transactions that compare
// the key's create or mod revision (the compare-and-swap of GuaranteedUpdate), and watches are
// etcd watches from a revision with the previous value attached. Several kubelite servers can
// share one etcd: each sees the others' writes through its watch.
import { Etcd3, Range, type Namespace } from 'etcd3';
import type { KubeObject } from '../api/types.ts';
import { createLogger } from '../log.ts';
import { watchEtcd } from './etcd-watch.ts';
import {
  decodeKeyValue, encodeObject, isCompactedError, isFutureRevisionError, prefixRangeEnd, stamp,
  type EtcdKeyValue,
} from './etcd-codec.ts';
import {
  StorageError,
  type DeleteOptions, type ListOptions, type ListResult, type Storage, type StorageEvent,
  type StoredObject, type TryUpdate, type UpdateOptions, type WatchHandle,
} from './interface.ts';
import { equalIgnoringResourceVersion } from './object-equal.ts';
import type { StorageLogger } from './watchers.ts';

export interface EtcdStoreOptions {
  /** etcd client URLs, e.g. ['http://127.0.0.1:2379'] (kube-apiserver's --etcd-servers). */
  servers: string[];
  /** Put every key under this prefix (tests share one etcd this way); default none. */
  keyPrefix?: string;
  /** How often the compactor runs (kube-apiserver's --etcd-compaction-interval, default 5 minutes); 0 disables it. */
  compactionIntervalMs?: number;
  /** Keys fetched per range request while listing (kube pages its etcd reads too). */
  pageSize?: number;
  logger?: StorageLogger;
}

/** The key kube-apiserver's compactor uses to agree, across servers, on who compacts what. */
const compactRevisionKey = 'compact_rev_key';

/** etcd refuses an empty key; the smallest key, \0, starts a range over everything. */
function rangeStart(start: string): string | Buffer {
  return start === '' ? Buffer.from([0]) : start;
}

export class EtcdStore implements Storage {
  private latestRevision = 0;
  private compacted = 0;
  private closed = false;
  private readonly watches = new Set<WatchHandle>();
  private compactor: NodeJS.Timeout | undefined;
  private readonly log: StorageLogger;
  private readonly pageSize: number;

  static async open(opts: EtcdStoreOptions): Promise<EtcdStore> {
    const client = new Etcd3({ hosts: opts.servers });
    const kv = opts.keyPrefix ? client.namespace(opts.keyPrefix) : client;
    const store = new EtcdStore(client, kv, opts);
    try {
      const res = await kv.get(compactRevisionKey).exec();
      store.observe(res.header.revision);
      const compactedTo = res.kvs[0]?.value.toString();
      if (compactedTo) store.compacted = Number(compactedTo);
    } catch (err) {
      client.close();
      throw new StorageError('Closed', '', `etcd at ${opts.servers.join(',')} is not reachable: ${(err as Error).message}`);
    }
    store.startCompactor(opts.compactionIntervalMs ?? 5 * 60_000);
    return store;
  }

  private constructor(private readonly client: Etcd3, private readonly kv: Namespace, opts: EtcdStoreOptions) {
    this.log = opts.logger ?? createLogger();
    this.pageSize = opts.pageSize ?? 1000;
  }

  get revision(): number {
    return this.latestRevision;
  }

  get compactedRevision(): number {
    return this.compacted;
  }

  async get(key: string): Promise<StoredObject | undefined> {
    this.assertOpen(key);
    const res = await this.kv.get(key).exec();
    this.observe(res.header.revision);
    const kv = res.kvs[0] as EtcdKeyValue | undefined;
    return kv ? decodeKeyValue(key, kv) : undefined;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.assertOpen(prefix);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    const items: StoredObject[] = [];
    let revision = opts.revision;
    let start = opts.startAfterKey !== undefined ? `${opts.startAfterKey}\0` : prefix;
    for (;;) {
      const page = await this.range(prefix, start, revision);
      // Every page of one list reads the same revision, so the list is one snapshot.
      revision ??= page.revision;
      for (const stored of page.items) {
        if (opts.predicate && !opts.predicate(stored.object)) continue;
        if (items.length === limit) return this.page(prefix, items, revision, !opts.predicate);
        items.push(stored);
      }
      if (!page.more) return { items, revision };
      start = `${page.items[page.items.length - 1].key}\0`;
    }
  }

  async create(key: string, obj: KubeObject): Promise<StoredObject> {
    this.assertOpen(key);
    const res = await this.kv.if(key, 'Create', '==', 0).then(this.kv.put(key).value(encodeObject(obj))).commit();
    if (!res.succeeded) throw new StorageError('KeyExists', key);
    return stamp(key, obj, this.observe(res.header.revision));
  }

  async guaranteedUpdate(key: string, tryUpdate: TryUpdate, opts: UpdateOptions = {}): Promise<StoredObject> {
    this.assertOpen(key);
    let current = opts.cachedExisting ?? await this.getOrNotFound(key);
    for (;;) {
      const updated = await tryUpdate(current);
      this.assertOpen(key);
      if (equalIgnoringResourceVersion(updated, current.object)) {
        // Nothing changed: write nothing — but only if `current` is really the latest.
        const latest = await this.getOrNotFound(key);
        if (latest.revision === current.revision) return current;
        current = latest;
        continue;
      }
      const res = await this.kv.if(key, 'Mod', '==', current.revision)
        .then(this.kv.put(key).value(encodeObject(updated)))
        .else(this.kv.get(key))
        .commit();
      if (res.succeeded) return stamp(key, updated, this.observe(res.header.revision));
      // Another write landed in between: retry on the version the transaction read back.
      const kv = res.responses[0]?.response_range?.kvs?.[0] as EtcdKeyValue | undefined;
      if (!kv) throw new StorageError('NotFound', key);
      current = decodeKeyValue(key, kv);
    }
  }

  async delete(key: string, opts: DeleteOptions = {}): Promise<StoredObject> {
    this.assertOpen(key);
    let current = opts.cachedExisting ?? await this.getOrNotFound(key);
    for (;;) {
      opts.precondition?.(current);
      const res = await this.kv.if(key, 'Mod', '==', current.revision)
        .then(this.kv.delete().key(key))
        .else(this.kv.get(key))
        .commit();
      if (res.succeeded) return stamp(key, current.object, this.observe(res.header.revision));
      const kv = res.responses[0]?.response_range?.kvs?.[0] as EtcdKeyValue | undefined;
      if (!kv) throw new StorageError('NotFound', key);
      current = decodeKeyValue(key, kv);
    }
  }

  async watch(prefix: string, fromRevision: number, onEvent: (ev: StorageEvent) => void): Promise<WatchHandle> {
    this.assertOpen(prefix);
    if (fromRevision < this.compacted) {
      throw new StorageError('Compacted', prefix, `revision ${fromRevision} is older than the compacted revision ${this.compacted}`);
    }
    const handle = await watchEtcd(this.kv, prefix, fromRevision, {
      onEvent: (ev) => {
        this.observe(String(ev.revision));
        onEvent(ev);
      },
      onError: (err) => this.log.error({ err, prefix }, 'etcd watch failed'),
    }, () => this.latestRevision);
    const tracked: WatchHandle = {
      stop: () => {
        this.watches.delete(tracked);
        handle.stop();
      },
    };
    this.watches.add(tracked);
    return tracked;
  }

  /** Compacts etcd's history through `revision`, recording it for the other servers as kube's compactor does. */
  async compact(revision: number): Promise<void> {
    this.assertOpen('');
    const target = Math.min(revision, this.latestRevision);
    if (target <= this.compacted) return;
    await this.kv.put(compactRevisionKey).value(String(target)).exec();
    try {
      await this.client.kv.compact({ revision: String(target), physical: false });
    } catch (err) {
      if (!isCompactedError(err)) throw err; // another server compacted further already
    }
    this.compacted = target;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.compactor) clearInterval(this.compactor);
    for (const w of [...this.watches]) w.stop();
    this.client.close();
  }

  /** A page that is not the last: with how many keys follow, when no predicate makes counting meaningless. */
  private async page(prefix: string, items: StoredObject[], revision: number, countRest: boolean): Promise<ListResult> {
    const continueAfterKey = items[items.length - 1].key;
    if (!countRest) return { items, revision, continueAfterKey };
    const remaining = await this.kv.getAll().inRange(new Range(`${continueAfterKey}\0`, prefixRangeEnd(prefix))).revision(revision).count();
    return { items, revision, continueAfterKey, remaining };
  }

  /** One range request of at most pageSize keys under `prefix`, from `start` on. */
  private async range(prefix: string, start: string, revision: number | undefined) {
    const builder = this.kv.getAll().inRange(new Range(rangeStart(start), prefixRangeEnd(prefix))).sort('Key', 'Ascend').limit(this.pageSize);
    if (revision !== undefined) builder.revision(revision);
    let res;
    try {
      res = await builder.exec();
    } catch (err) {
      if (isCompactedError(err)) throw new StorageError('Compacted', prefix, `revision ${revision} has been compacted`);
      if (isFutureRevisionError(err)) throw new StorageError('Compacted', prefix, `revision ${revision} is newer than etcd's`);
      throw err;
    }
    const headerRevision = this.observe(res.header.revision);
    // The client has already taken the namespace prefix off the keys.
    const items = (res.kvs as EtcdKeyValue[]).map((kv) => decodeKeyValue(kv.key.toString('utf8'), kv));
    return { items, more: res.more, revision: revision ?? headerRevision };
  }

  private async getOrNotFound(key: string): Promise<StoredObject> {
    const current = await this.get(key);
    if (!current) throw new StorageError('NotFound', key);
    return current;
  }

  /** Raises the newest revision seen; returns `revision` as a number. */
  private observe(revision: string): number {
    const n = Number(revision);
    if (n > this.latestRevision) this.latestRevision = n;
    return n;
  }

  /**
   * kube-apiserver's compactor: every interval, compact to the revision seen one interval
   * earlier, so history always covers at least one interval. The compact_rev_key write makes
   * servers sharing the etcd take turns rather than all compacting.
   */
  private startCompactor(intervalMs: number): void {
    if (intervalMs <= 0) return;
    let seen = 0;
    this.compactor = setInterval(() => {
      const target = seen;
      seen = this.latestRevision;
      if (target > this.compacted) this.compact(target).catch((err: unknown) => this.log.warn({ err }, 'etcd compaction failed'));
    }, intervalMs);
    this.compactor.unref();
  }

  private assertOpen(key: string): void {
    if (this.closed) throw new StorageError('Closed', key, 'storage is closed');
  }
}
