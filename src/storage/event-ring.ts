// The recent events of one watch-cache bucket, oldest first, in a fixed-capacity ring (kube's
// watchCache keeps such a cyclic buffer per resource). The floor is the revision from which the
// ring is complete: every event of the bucket with a larger revision is in it. The window is
// bounded by count, by age and by bytes: a ring of big objects (each event holds a version of
// the object, parsed and as JSON) would otherwise hold gigabytes at 10,000 events.
import type { StorageEvent } from './interface.ts';

export class EventRing {
  /** Grows up to `capacity`, then wraps around, overwriting the oldest event. */
  private readonly slots: StorageEvent[] = [];
  /** When each slot's event arrived (ms), for the age bound. */
  private readonly arrived: number[] = [];
  private start = 0;
  private count = 0;
  /** The JSON bytes of the versions the ring holds. */
  private held = 0;

  /** The window is bounded by count (`capacity`), by age (`maxAgeMs`) and by the JSON bytes of its events (`maxBytes`): whichever is smallest. */
  constructor(readonly capacity: number, private floor: number, readonly maxAgeMs = Infinity,
    private readonly now: () => number = Date.now, readonly maxBytes = Infinity) {}

  /** The JSON bytes of the object versions the ring's events hold. */
  get bytes(): number {
    return this.held;
  }

  get floorRevision(): number {
    return this.floor;
  }

  get size(): number {
    return this.count;
  }

  push(ev: StorageEvent): void {
    const now = this.now();
    const size = eventBytes(ev);
    this.dropOlderThan(now - this.maxAgeMs);
    // Full (by count or bytes): the oldest events leave, and with them the ability to serve their revisions' past.
    while (this.count > 0 && (this.count >= this.capacity || this.held + size > this.maxBytes)) this.dropOldest();
    const slot = (this.start + this.count) % this.capacity;
    this.slots[slot] = ev;
    this.arrived[slot] = now;
    this.count++;
    this.held += size;
  }

  /** Forgets events that arrived before `time`; a watch from their revisions then gets 410. */
  private dropOlderThan(time: number): void {
    while (this.count > 0 && this.arrived[this.start] < time) this.dropOldest();
  }

  private dropOldest(): void {
    const ev = this.slots[this.start];
    this.floor = ev.revision;
    this.held -= eventBytes(ev);
    delete this.slots[this.start];
    this.start = (this.start + 1) % this.capacity;
    this.count--;
  }

  /** Events with a revision greater than `revision`, oldest first. */
  *after(revision: number): Generator<StorageEvent> {
    for (let i = this.firstAfter(revision); i < this.count; i++) yield this.at(i);
  }

  /** Forgets the events up to and including `revision` (compaction). */
  dropThrough(revision: number): void {
    const drop = this.firstAfter(revision);
    for (let i = 0; i < drop; i++) this.dropOldest();
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

/** What an event's version costs, counted as its JSON's length (the parsed object costs about as much again). */
function eventBytes(ev: StorageEvent): number {
  return ev.current.json.length;
}
