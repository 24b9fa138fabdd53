// Group commit: writes that arrive while a batch is being synced wait for the next one, and
// each batch is one atomic LevelDB write with one fsync, however many writes it holds. A
// write is acknowledged only once its batch is durable, and batches are written and
// acknowledged in revision order.
import type { Level } from 'level';
import type { StorageEvent } from './interface.ts';
import { encodeHistory } from './history.ts';
import { historyKey, metaRevision, objectKey } from './keys.ts';

type BatchOp = { type: 'put'; key: string; value: string } | { type: 'del'; key: string };

interface QueuedWrite {
  event: StorageEvent;
  resolve(): void;
  reject(err: unknown): void;
}

export class GroupCommit {
  private queue: QueuedWrite[] = [];
  private flushing: Promise<void> | undefined;
  private failure: unknown;

  /** `onDurable` sees each durable batch, in order, before its writers are told. */
  constructor(
    private readonly db: Level<string, string>,
    private readonly onDurable: (events: StorageEvent[]) => void,
  ) {}

  /** Queues the write of one event; resolves once it is on disk. */
  enqueue(event: StorageEvent): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const done = new Promise<void>((resolve, reject) => this.queue.push({ event, resolve, reject }));
    this.flushing ??= this.flushAll();
    return done;
  }

  /** Resolves when every queued write has been flushed (or failed). */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async flushAll(): Promise<void> {
    // Let the writes issued in this turn of the event loop join the first batch too.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.queue.length > 0 && this.failure === undefined) {
      const batch = this.queue;
      this.queue = [];
      await this.flush(batch);
    }
    this.flushing = undefined;
  }

  private async flush(batch: QueuedWrite[]): Promise<void> {
    const events = batch.map((w) => w.event);
    try {
      await this.db.batch(batchOps(events), { sync: true });
    } catch (err) {
      this.fail(err, batch);
      return;
    }
    this.onDurable(events);
    for (const write of batch) write.resolve();
  }

  /**
   * A failed sync leaves the disk in an unknown state, and later writes were built on the
   * failed ones (CAS against pending versions): refuse everything from now on, as etcd does
   * when its WAL cannot be written. A restart recovers from what is durable.
   */
  private fail(err: unknown, batch: QueuedWrite[]): void {
    this.failure = err;
    for (const write of [...batch, ...this.queue]) write.reject(err);
    this.queue = [];
  }
}

function batchOps(events: StorageEvent[]): BatchOp[] {
  const ops: BatchOp[] = [];
  for (const ev of events) {
    ops.push(ev.type === 'DELETED'
      ? { type: 'del', key: objectKey(ev.key) }
      : { type: 'put', key: objectKey(ev.key), value: ev.current.json });
    ops.push({ type: 'put', key: historyKey(ev.revision), value: encodeHistory(ev) });
  }
  ops.push({ type: 'put', key: metaRevision, value: String(events[events.length - 1].revision) });
  return ops;
}
