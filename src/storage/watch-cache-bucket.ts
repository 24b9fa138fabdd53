// One resource in the watch cache: its live objects and its recent events. Any state since
// the ring's floor can be rebuilt by undoing, from the live state, the events newer than it.
import type { StorageEvent, StoredObject } from './interface.ts';
import { EventRing } from './event-ring.ts';
import { KeyIndex } from './key-index.ts';
import { mergeByKey } from './paginate.ts';

export class CacheBucket {
  readonly objects = new KeyIndex();
  readonly events: EventRing;

  constructor(readonly name: string, ringCapacity: number, floorRevision: number, maxEventAgeMs = Infinity) {
    this.events = new EventRing(ringCapacity, floorRevision, maxEventAgeMs);
  }

  apply(ev: StorageEvent): void {
    if (ev.type === 'DELETED') this.objects.delete(ev.key);
    else this.objects.set(ev.current);
    this.events.push(ev);
  }

  /**
   * Objects under `prefix` after `startAfterKey`, in key order, as they were at `revision`
   * (not older than the ring's floor): the live objects that have not changed since, merged
   * with the earlier versions of those that have.
   */
  *rangeAt(prefix: string, startAfterKey: string | undefined, revision: number): Generator<StoredObject> {
    const changed = this.versionsAt(revision);
    const inRange = (key: string) => key.startsWith(prefix) && (startAfterKey === undefined || key > startAfterKey);
    const restored = [...changed.values()]
      .filter((obj): obj is StoredObject => obj !== undefined && inRange(obj.key))
      .sort((a, b) => (a.key < b.key ? -1 : 1));
    yield* mergeByKey(this.unchangedSince(changed, prefix, startAfterKey), restored);
  }

  /** For each key changed after `revision`, its version at `revision` (undefined: absent then). */
  private versionsAt(revision: number): Map<string, StoredObject | undefined> {
    const before = new Map<string, StoredObject | undefined>();
    for (const ev of this.events.after(revision)) {
      // The first change after `revision` replaced the version that was current at it.
      if (!before.has(ev.key)) before.set(ev.key, ev.type === 'ADDED' ? undefined : ev.prev);
    }
    return before;
  }

  private *unchangedSince(changed: Map<string, unknown>, prefix: string, startAfterKey?: string): Generator<StoredObject> {
    for (const obj of this.objects.range(prefix, startAfterKey)) if (!changed.has(obj.key)) yield obj;
  }
}
