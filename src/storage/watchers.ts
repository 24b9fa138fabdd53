// The watchers of one store. A watcher delivers each event under its prefix at most once and
// in revision order: it remembers the last revision it delivered and drops anything not newer,
// which is what lets a store subscribe first, replay history, and then release the live events
// that arrived meanwhile (kine's recipe) without sending one twice.
import type { Logger } from 'pino';
import type { StorageEvent, WatchHandle } from './interface.ts';

export type StorageLogger = Pick<Logger, 'warn' | 'error'>;

export class Watcher implements WatchHandle {
  private stopped = false;
  /** Live events held back while history is replayed; null once live. */
  private held: StorageEvent[] | null;

  constructor(
    private readonly set: WatcherSet,
    readonly prefix: string,
    private lastRevision: number,
    private readonly onEvent: (ev: StorageEvent) => void,
    holdLiveEvents: boolean,
  ) {
    this.held = holdLiveEvents ? [] : null;
  }

  /** A live event: delivered now, or held until `goLive` when history is still being replayed. */
  offer(ev: StorageEvent): void {
    if (this.stopped || !ev.key.startsWith(this.prefix)) return;
    if (this.held) this.held.push(ev);
    else this.deliver(ev);
  }

  /** A replayed event, already known to be under the prefix. */
  deliver(ev: StorageEvent): void {
    if (this.stopped || ev.revision <= this.lastRevision) return;
    this.lastRevision = ev.revision;
    try {
      this.onEvent(ev);
    } catch (err) {
      // A watcher's failure is its own: the store and the other watchers carry on.
      this.set.log.error({ err, prefix: this.prefix }, 'storage watcher threw; event dropped for it');
    }
  }

  /** Ends the replay: delivers the held live events not already replayed, then goes live. */
  goLive(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const ev of held) this.deliver(ev);
  }

  stop(): void {
    this.stopped = true;
    this.held = null;
    this.set.remove(this);
  }
}

export class WatcherSet {
  private readonly watchers = new Set<Watcher>();

  constructor(readonly log: StorageLogger) {}

  add(prefix: string, fromRevision: number, onEvent: (ev: StorageEvent) => void, holdLiveEvents = false): Watcher {
    const watcher = new Watcher(this, prefix, fromRevision, onEvent, holdLiveEvents);
    this.watchers.add(watcher);
    return watcher;
  }

  remove(watcher: Watcher): void {
    this.watchers.delete(watcher);
  }

  /** Offers one event, the same object, to every watcher. */
  dispatch(ev: StorageEvent): void {
    for (const watcher of this.watchers) watcher.offer(ev);
  }

  stopAll(): void {
    for (const watcher of [...this.watchers]) watcher.stop();
  }

  get size(): number {
    return this.watchers.size;
  }
}
