// The LevelDB backend: LevelDB is the durable log (objects, one history record per revision,
// the revision counter), and an in-memory index of every live object serves reads and the
// compare-and-swap of guaranteedUpdate, as kine does over SQL. Each write is one atomic batch,
// group-committed with one fsync per batch (group-commit.ts).
import { Level } from 'level';
import { maxStoredObjectBytes } from '../api/json-limits.ts';
import type { KubeObject } from '../api/types.ts';
import { createLogger } from '../log.ts';
import { recordStorageRequest } from './metrics.ts';
import { inUseError, isLockedError, removeHolder, writeHolder } from './holder.ts';
import { GroupCommit } from './group-commit.ts';
import { deleteHistoryThrough, historyEvent, readHistory } from './history.ts';
import { RevisionClock } from './history-window.ts';
import {
  StorageError,
  type DeleteOptions, type ListOptions, type ListResult, type Storage, type StorageEvent, type StorageEventType,
  type StoredObject, type TryUpdate, type UpdateOptions, type WatchHandle,
} from './interface.ts';
import type { KeyIndex } from './key-index.ts';
import { historyPrefix, metaCompacted, objectRangeEnd } from './keys.ts';
import { loadState, type OnUnloadable } from './leveldb-load.ts';
import { equalIgnoringResourceVersion } from './object-equal.ts';
import { paginate } from './paginate.ts';
import { WatcherSet, type StorageLogger } from './watchers.ts';

export interface LevelStoreOptions {
  /** History older than this is compacted in the background (default 5 minutes, as kube-apiserver). */
  historyWindowMs?: number;
  /** How often the background compactor runs (default 1 minute). */
  compactionIntervalMs?: number;
  logger?: StorageLogger;
  /** Told of records that cannot be decoded; they are skipped. */
  onUnloadable?: OnUnloadable;
}

/** The fewest dead records (replaced versions, dropped history) worth compacting LevelDB's files for. */
const compactRangeAfterGarbage = 1000;

/** LevelDB's CompactRange; `level`'s type leaves it out, as its browser implementation has none. */
function compactRange(db: Level<string, string>, start: string, end: string): Promise<void> {
  const native = db as unknown as { compactRange?: (start: string, end: string) => Promise<void> };
  return native.compactRange ? native.compactRange(start, end) : Promise.resolve();
}

/** etcd_request_duration_seconds' operation for each kind of write. */
const operations = { ADDED: 'create', MODIFIED: 'update', DELETED: 'delete' } as const;

/** A version written but not yet durable: what the next compare-and-swap on its key must see. */
interface PendingVersion {
  revision: number;
  /** null for a delete. */
  stored: StoredObject | null;
  durable: Promise<void>;
}

export class LevelStore implements Storage {
  private readonly pending = new Map<string, PendingVersion>();
  private readonly watchers: WatcherSet;
  private readonly commits: GroupCommit;
  private readonly clock = new RevisionClock();
  private readonly compactor: NodeJS.Timeout;
  /** The last revision handed to a write; ahead of `durableRevision` while batches are in flight. */
  private assignedRevision: number;
  private durableRevision: number;
  private compacted: number;
  private compaction: Promise<void> = Promise.resolve();
  /** Records dead on disk since LevelDB's files were last compacted (see compactThrough). */
  private garbageRecords = 0;
  private closed = false;

  static async open(dir: string, opts: LevelStoreOptions = {}): Promise<LevelStore> {
    const db = new Level<string, string>(dir);
    try {
      await db.open();
    } catch (err) {
      throw isLockedError(err) ? inUseError(dir) : err;
    }
    try {
      writeHolder(dir);
      const state = await loadState(db, opts.onUnloadable);
      return new LevelStore(db, dir, state.index, state.revision, state.compactedRevision, opts);
    } catch (err) {
      await db.close();
      throw err;
    }
  }

  private constructor(
    private readonly db: Level<string, string>,
    private readonly dir: string,
    private readonly index: KeyIndex,
    revision: number,
    compactedRevision: number,
    opts: LevelStoreOptions,
  ) {
    this.assignedRevision = this.durableRevision = revision;
    this.compacted = compactedRevision;
    const log = opts.logger ?? createLogger();
    this.watchers = new WatcherSet(log);
    this.commits = new GroupCommit(db, (events) => this.applyDurable(events));
    // The history already on disk has no write times: count it as written now.
    this.clock.record(revision, Date.now());
    const windowMs = opts.historyWindowMs ?? 5 * 60_000;
    this.compactor = setInterval(() => this.compactOldHistory(windowMs, log), opts.compactionIntervalMs ?? 60_000);
    this.compactor.unref();
  }

  get revision(): number {
    return this.durableRevision;
  }

  get compactedRevision(): number {
    return this.compacted;
  }

  async get(key: string): Promise<StoredObject | undefined> {
    this.assertOpen(key);
    return this.index.get(key);
  }

  /** Serves the current state only; an older `revision` is the watch cache's job. */
  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.assertOpen(prefix);
    if (opts.revision !== undefined && opts.revision < this.durableRevision) {
      throw new StorageError('Compacted', prefix, `revision ${opts.revision} is older than the current revision ${this.durableRevision}`);
    }
    const page = paginate(this.index.range(prefix, opts.startAfterKey), opts);
    const result: ListResult = { ...page, revision: this.durableRevision };
    if (page.continueAfterKey !== undefined && !opts.predicate) result.remaining = this.index.countAfter(prefix, page.continueAfterKey);
    return result;
  }

  async create(key: string, obj: KubeObject): Promise<StoredObject> {
    this.assertOpen(key);
    if (this.latest(key)) throw new StorageError('KeyExists', key);
    return this.commit('ADDED', key, obj);
  }

  async guaranteedUpdate(key: string, tryUpdate: TryUpdate, opts: UpdateOptions = {}): Promise<StoredObject> {
    this.assertOpen(key);
    let current = this.latestOrNotFound(key);
    if (opts.cachedExisting?.revision === current.revision) current = opts.cachedExisting;
    for (;;) {
      const updated = await tryUpdate(current);
      this.assertOpen(key);
      // Compare-and-swap: from here to the revision being assigned there is no await.
      const latest = this.latestOrNotFound(key);
      if (latest.revision !== current.revision) {
        current = latest;
        continue;
      }
      if (equalIgnoringResourceVersion(updated, current.object)) {
        // Nothing changed: write nothing, as GuaranteedUpdate does for identical bytes.
        await this.pending.get(key)?.durable;
        return current;
      }
      return this.commit('MODIFIED', key, updated, current);
    }
  }

  async delete(key: string, opts: DeleteOptions = {}): Promise<StoredObject> {
    this.assertOpen(key);
    const current = this.latestOrNotFound(key);
    // The precondition is synchronous, so it judges exactly the version being deleted.
    opts.precondition?.(current);
    return this.commit('DELETED', key, current.object, current);
  }

  async watch(prefix: string, fromRevision: number, onEvent: (ev: StorageEvent) => void): Promise<WatchHandle> {
    this.assertOpen(prefix);
    this.assertRetained(prefix, fromRevision);
    // Subscribe first, holding live events; replay the history; then release the held events
    // not already replayed (kine's recipe).
    const watcher = this.watchers.add(prefix, fromRevision, onEvent, true);
    // Everything after the durable revision is still to be dispatched live: nothing to replay.
    if (fromRevision < this.durableRevision) {
      try {
        await this.replay(watcher.prefix, fromRevision, (ev) => watcher.deliver(ev));
      } catch (err) {
        watcher.stop();
        throw err;
      }
    }
    watcher.goLive();
    return watcher;
  }

  compact(revision: number): Promise<void> {
    const run = this.compaction.then(() => this.compactThrough(revision));
    this.compaction = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.compactor);
    await this.commits.drain();
    await this.compaction;
    this.watchers.stopAll();
    await this.db.close();
    removeHolder(this.dir);
  }

  /** The newest version of a key, including versions whose batch is not yet durable. */
  private latest(key: string): StoredObject | undefined {
    const pending = this.pending.get(key);
    return pending ? pending.stored ?? undefined : this.index.get(key);
  }

  private latestOrNotFound(key: string): StoredObject {
    const current = this.latest(key);
    if (!current) throw new StorageError('NotFound', key);
    return current;
  }

  /** Assigns the next revision, stamps and serialises the object once, and queues the batch. */
  private async commit(type: StorageEventType, key: string, obj: KubeObject, prev?: StoredObject): Promise<StoredObject> {
    const revision = this.assignedRevision + 1;
    const object: KubeObject = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(revision) } };
    const current: StoredObject = { key, object, json: JSON.stringify(object), revision };
    // etcd refuses requests past --max-request-bytes (1.5 MiB); so does this store, before a revision is spent.
    if (type !== 'DELETED' && Buffer.byteLength(current.json) > maxStoredObjectBytes) {
      throw new StorageError('TooLarge', key, 'etcdserver: request is too large');
    }
    this.assignedRevision = revision;
    const event: StorageEvent = prev ? { type, key, revision, current, prev } : { type, key, revision, current };
    const started = performance.now();
    const durable = this.commits.enqueue(event);
    this.pending.set(key, { revision, stored: type === 'DELETED' ? null : current, durable });
    await durable;
    recordStorageRequest(operations[type], key, (performance.now() - started) / 1000);
    return current;
  }

  /** A batch is on disk: publish it to the index and the watchers, in revision order. */
  private applyDurable(events: StorageEvent[]): void {
    for (const ev of events) {
      if (ev.type === 'DELETED') this.index.delete(ev.key);
      else this.index.set(ev.current);
      if (ev.type !== 'ADDED') this.garbageRecords++;
      if (this.pending.get(ev.key)?.revision === ev.revision) this.pending.delete(ev.key);
      this.durableRevision = ev.revision;
      this.watchers.dispatch(ev);
    }
    this.clock.record(this.durableRevision, Date.now());
  }

  private async replay(prefix: string, fromRevision: number, deliver: (ev: StorageEvent) => void): Promise<void> {
    // A compaction that began before the snapshot may already have deleted what we need.
    const history = readHistory(this.db, fromRevision, () => this.assertRetained(prefix, fromRevision));
    for await (const { revision, record } of history) {
      if (record.key.startsWith(prefix)) deliver(historyEvent(revision, record, this.index.get(record.key)));
    }
  }

  private assertRetained(prefix: string, fromRevision: number): void {
    if (fromRevision < this.compacted) {
      throw new StorageError('Compacted', prefix, `revision ${fromRevision} is older than the compacted revision ${this.compacted}`);
    }
  }

  private async compactThrough(revision: number): Promise<void> {
    const target = Math.min(revision, this.durableRevision);
    if (target <= this.compacted || this.closed) return;
    // Raise the mark before deleting anything, so that a watch never replays a torn history.
    this.compacted = target;
    await this.db.put(metaCompacted, String(target), { sync: true });
    this.garbageRecords += await deleteHistoryThrough(this.db, target, () => this.closed);
    // Deleted history records and the object versions that updates and deletes replaced stay
    // in LevelDB's files until it compacts them, which it may put off for long on a quiet
    // store. Once there are as many of them as live records (objects and retained history),
    // compact everything, so that the data dir stays within about twice the live data (as
    // etcd's defragmentation keeps its file near its live size).
    const liveRecords = this.index.size + (this.durableRevision - this.compacted);
    if (this.garbageRecords >= Math.max(compactRangeAfterGarbage, liveRecords) && !this.closed) {
      this.garbageRecords = 0;
      await compactRange(this.db, historyPrefix, objectRangeEnd);
    }
  }

  private compactOldHistory(windowMs: number, log: StorageLogger): void {
    const revision = this.clock.takeWrittenBefore(Date.now() - windowMs);
    if (revision > 0) this.compact(revision).catch((err: unknown) => log.error({ err }, 'history compaction failed'));
  }

  private assertOpen(key: string): void {
    if (this.closed) throw new StorageError('Closed', key, 'storage is closed');
  }
}
