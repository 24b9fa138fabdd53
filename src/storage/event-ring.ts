// The recent events of one watch-cache bucket, oldest first, in a fixed-capacity ring (kube's
// watchCache keeps such a cyclic buffer per resource). The floor is the revision from which the
// ring is complete: every event of the bucket with a larger revision is in it. The window is
// bounded by count, by age and by bytes: a ring of big objects would otherwise hold gigabytes
// at 10,000 events.
//
// An entry keeps the JSON of the versions its event carries, never the parsed objects: the live
// version's JSON is the very string the bucket's object holds (it costs nothing more), and a
// past version is parsed again only when a watch resumes from before it or a LIST asks for a
// past revision (pastVersion). So the byte bound is the ring's true size, not half of it.
import type { StorageEvent, StorageEventType } from './interface.ts';

export interface RingEntry {
  readonly type: StorageEventType;
  readonly key: string;
  readonly revision: number;
  /** The version the event wrote (for DELETED, the last state stamped with the delete's revision). */
  readonly json: string;
  /** The version it replaced (MODIFIED, DELETED), when known: its JSON and revision. */
  readonly prevJson?: string;
  readonly prevRevision?: number;
  /** The next event of the same key while both are in the ring: its `prevJson` is this entry's `json`. */
  successor?: RingEntry;
  /** Whether `prevJson` is counted in the ring's bytes (the event that wrote it has left the ring). */
  prevCounted: boolean;
}

/** What the ring holds, for tests and diagnostics. */
export interface RingStats {
  events: number;
  /** The JSON bytes of the versions the ring keeps alive. */
  bytes: number;
  floorRevision: number;
}

export class EventRing {
  /** Grows up to `capacity`, then wraps around, overwriting the oldest event. */
  private readonly slots: (RingEntry | undefined)[] = [];
  /** When each slot's event arrived (ms), for the age bound. */
  private readonly arrived: number[] = [];
  private start = 0;
  private count = 0;
  /** The JSON bytes of the versions the ring holds. */
  private held = 0;
  /** The entry being pushed while older ones leave to make room (not counted in `held` yet). */
  private pending: RingEntry | undefined;

  /** The window is bounded by count (`capacity`), by age (`maxAgeMs`) and by the JSON bytes of its events (`maxBytes`): whichever is smallest. */
  constructor(readonly capacity: number, private floor: number, readonly maxAgeMs = Infinity,
    private readonly now: () => number = Date.now, readonly maxBytes = Infinity) {}

  /** The JSON bytes of the object versions the ring's events keep alive. */
  get bytes(): number {
    return this.held;
  }

  get floorRevision(): number {
    return this.floor;
  }

  get size(): number {
    return this.count;
  }

  get stats(): RingStats {
    return { events: this.count, bytes: this.held, floorRevision: this.floor };
  }

  push(ev: StorageEvent): void {
    const now = this.now();
    this.expire(now);
    const entry = this.entryOf(ev);
    // The replaced version's own event, if still here, shares its JSON with this entry's `prevJson`.
    if (entry.prevRevision !== undefined && !entry.prevCounted) {
      const writer = this.find(entry.prevRevision);
      if (writer?.key === entry.key) writer.successor = entry;
      else entry.prevCounted = true;
    }
    this.pending = entry;
    // Full (by count or bytes): the oldest events leave, and with them the ability to serve their revisions' past.
    while (this.count > 0 && (this.count >= this.capacity || this.held + entryBytes(entry) > this.maxBytes)) this.dropOldest();
    this.pending = undefined;
    const slot = (this.start + this.count) % this.capacity;
    this.slots[slot] = entry;
    this.arrived[slot] = now;
    this.count++;
    this.held += entryBytes(entry);
  }

  /**
   * Forgets the events older than the age bound; a watch from their revisions then gets 410.
   * Run on every push and by the watch cache's timer, so that a quiet bucket lets its old
   * versions (a deleted object's among them) go once the window has passed.
   */
  expire(now = this.now()): void {
    const time = now - this.maxAgeMs;
    while (this.count > 0 && this.arrived[this.start] < time) this.dropOldest();
  }

  private entryOf(ev: StorageEvent): RingEntry {
    const { type, key, revision, prev } = ev;
    if (!prev) return { type, key, revision, json: ev.current.json, prevCounted: false };
    // A version from before the floor (the initial load, or an event gone) has no event here to share its JSON with.
    const counted = prev.revision <= this.floor;
    return { type, key, revision, json: ev.current.json, prevJson: prev.json, prevRevision: prev.revision, prevCounted: counted };
  }

  private dropOldest(): void {
    const entry = this.slots[this.start]!;
    this.floor = entry.revision;
    this.held -= entryBytes(entry);
    // Its version lives on as the next event's `prevJson` (a LIST at a revision in the window needs it).
    if (entry.successor) {
      entry.successor.prevCounted = true;
      if (entry.successor !== this.pending) this.held += entry.json.length;
    }
    this.slots[this.start] = undefined;
    this.start = (this.start + 1) % this.capacity;
    this.count--;
  }

  /** Events with a revision greater than `revision`, oldest first. */
  *after(revision: number): Generator<RingEntry> {
    for (let i = this.firstAfter(revision); i < this.count; i++) yield this.at(i);
  }

  /** Forgets the events up to and including `revision` (compaction). */
  dropThrough(revision: number): void {
    const drop = this.firstAfter(revision);
    for (let i = 0; i < drop; i++) this.dropOldest();
    this.floor = Math.max(this.floor, revision);
  }

  private at(i: number): RingEntry {
    return this.slots[(this.start + i) % this.capacity]!;
  }

  /** The event of exactly `revision`, if the ring holds it. */
  private find(revision: number): RingEntry | undefined {
    const i = this.firstAfter(revision - 1);
    const entry = i < this.count ? this.at(i) : undefined;
    return entry?.revision === revision ? entry : undefined;
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

/** What an entry's versions cost, counted as their JSON's length (a shared `prevJson` is counted once, at its own event). */
function entryBytes(entry: RingEntry): number {
  return entry.json.length + (entry.prevCounted ? entry.prevJson!.length : 0);
}
