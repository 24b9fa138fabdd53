// The recent events of one watch-cache bucket, oldest first, in a fixed-capacity ring (kube's
// watchCache keeps such a cyclic buffer per resource). The floor is the revision from which the
// ring is complete: every event of the bucket with a larger revision is in it.
import type { StorageEvent } from './interface.ts';

export class EventRing {
  /** Grows up to `capacity`, then wraps around, overwriting the oldest event. */
  private readonly slots: StorageEvent[] = [];
  /** When each slot's event arrived (ms), for the age bound. */
  private readonly arrived: number[] = [];
  private start = 0;
  private count = 0;

  /** The window is bounded by count (`capacity`) and by age (`maxAgeMs`): whichever is smaller. */
  constructor(readonly capacity: number, private floor: number, readonly maxAgeMs = Infinity,
    private readonly now: () => number = Date.now) {}

  get floorRevision(): number {
    return this.floor;
  }

  get size(): number {
    return this.count;
  }

  push(ev: StorageEvent): void {
    const now = this.now();
    this.dropOlderThan(now - this.maxAgeMs);
    if (this.count < this.capacity) {
      const slot = (this.start + this.count) % this.capacity;
      this.slots[slot] = ev;
      this.arrived[slot] = now;
      this.count++;
      return;
    }
    // Full: the oldest event leaves, and with it the ability to serve its revision's past.
    this.floor = this.slots[this.start].revision;
    this.slots[this.start] = ev;
    this.arrived[this.start] = now;
    this.start = (this.start + 1) % this.capacity;
  }

  /** Forgets events that arrived before `time`; a watch from their revisions then gets 410. */
  private dropOlderThan(time: number): void {
    while (this.count > 0 && this.arrived[this.start] < time) {
      this.floor = this.slots[this.start].revision;
      delete this.slots[this.start];
      this.start = (this.start + 1) % this.capacity;
      this.count--;
    }
  }

  /** Events with a revision greater than `revision`, oldest first. */
  *after(revision: number): Generator<StorageEvent> {
    for (let i = this.firstAfter(revision); i < this.count; i++) yield this.at(i);
  }

  /** Forgets the events up to and including `revision` (compaction). */
  dropThrough(revision: number): void {
    const drop = this.firstAfter(revision);
    for (let i = 0; i < drop; i++) delete this.slots[(this.start + i) % this.capacity];
    this.start = (this.start + drop) % this.capacity;
    this.count -= drop;
    this.floor = Math.max(this.floor, revision);
  }

  private at(i: number): StorageEvent {
    return this.slots[(this.start + i) % this.capacity];
  }

  /** Binary search: revisions increase along the ring. */
  private firstAfter(revision: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at(mid).revision > revision) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
