// One resource in the watch cache: its live objects and its recent events. Any state since
// the ring's floor can be rebuilt by undoing, from the live state, the events newer than it.
// The ring keeps past versions as JSON only; the events it replays are rebuilt here, with the
// live object where the event wrote it and the others parsed on first use.
import type { KubeObject } from '../api/types.ts';
import type { LabelValues, StorageEvent, StoredObject } from './interface.ts';
import { EventRing, type RingEntry } from './event-ring.ts';
import { KeyIndex } from './key-index.ts';
import { LabelIndex } from './label-index.ts';
import { mergeByKey } from './paginate.ts';

export class CacheBucket {
  readonly objects = new KeyIndex();
  readonly labels = new LabelIndex();
  readonly events: EventRing;

  constructor(readonly name: string, ringCapacity: number, floorRevision: number, maxEventAgeMs = Infinity, maxEventBytes = Infinity,
    now: () => number = Date.now) {
    this.events = new EventRing(ringCapacity, floorRevision, maxEventAgeMs, now, maxEventBytes);
  }

  /** The revision of the last event applied here (0: none since the cache started). */
  lastApplied = 0;

  apply(ev: StorageEvent): void {
    this.lastApplied = ev.revision;
    const prev = this.objects.get(ev.key);
    if (ev.type === 'DELETED') this.objects.delete(ev.key);
    else this.objects.set(ev.current);
    this.labels.update(ev.key, prev, ev.type === 'DELETED' ? undefined : ev.current);
    this.events.push(ev);
  }

  /** The ring's events under `prefix` after `revision`, oldest first, as the watchers got them live. */
  *eventsAfter(prefix: string, revision: number): Generator<StorageEvent> {
    for (const entry of this.events.after(revision)) if (entry.key.startsWith(prefix)) yield this.eventOf(entry);
  }

  private eventOf(entry: RingEntry): StorageEvent {
    const { type, key, revision } = entry;
    const live = this.objects.get(key);
    const current = live?.revision === revision ? live : pastVersion(key, entry.json, revision);
    if (entry.prevJson === undefined) return { type, key, revision, current };
    return { type, key, revision, current, prev: pastVersion(key, entry.prevJson, entry.prevRevision!) };
  }

  /**
   * The live objects under `prefix` after `startAfterKey` whose labels have the wanted
   * values, in key order, from the label index; undefined when the index would not narrow
   * the scan much (then the caller scans).
   */
  rangeByLabels(prefix: string, startAfterKey: string | undefined, wanted: readonly LabelValues[]): StoredObject[] | undefined {
    const keys = this.labels.candidates(wanted, () => this.objects.range(''), this.objects.size / 2);
    if (!keys) return undefined;
    const items: StoredObject[] = [];
    for (const key of keys) {
      if (!key.startsWith(prefix) || (startAfterKey !== undefined && key <= startAfterKey)) continue;
      items.push(this.objects.get(key)!);
    }
    return items.sort((a, b) => (a.key < b.key ? -1 : 1));
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
    for (const entry of this.events.after(revision)) {
      // The first change after `revision` replaced the version that was current at it.
      if (before.has(entry.key)) continue;
      const replaced = entry.type === 'ADDED' || entry.prevJson === undefined ? undefined : pastVersion(entry.key, entry.prevJson, entry.prevRevision!);
      before.set(entry.key, replaced);
    }
    return before;
  }

  private *unchangedSince(changed: Map<string, unknown>, prefix: string, startAfterKey?: string): Generator<StoredObject> {
    for (const obj of this.objects.range(prefix, startAfterKey)) if (!changed.has(obj.key)) yield obj;
  }
}

/** A past version from its JSON, parsed when first read: a replay or a past LIST reads few of them. */
function pastVersion(key: string, json: string, revision: number): StoredObject {
  let object: KubeObject | undefined;
  return {
    key, json, revision,
    get object(): KubeObject {
      return (object ??= JSON.parse(json) as KubeObject);
    },
  };
}
