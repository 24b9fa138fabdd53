// Live objects by key, with a key order for LIST. The sorted key array is brought up to date
// lazily, when a LIST needs it, and only if keys were added or removed (updates of existing
// keys keep it): a few changes are spliced in by binary search; many trigger one re-sort, which
// is close to linear because a Map iterates in insertion order — keys are loaded in key order,
// then the ones added since follow — and V8's TimSort merges such pre-sorted runs cheaply.
import type { StoredObject } from './interface.ts';

/** Past this many changed keys, one re-sort beats splicing each into the array. */
const spliceLimit = 128;

export class KeyIndex {
  private readonly objects = new Map<string, StoredObject>();
  private sortedKeys: string[] = [];
  /** Keys added or removed since `sortedKeys` was last brought up to date, while few. */
  private readonly changed = new Set<string>();
  private resortNeeded = false;

  get size(): number {
    return this.objects.size;
  }

  get(key: string): StoredObject | undefined {
    return this.objects.get(key);
  }

  set(obj: StoredObject): void {
    if (!this.objects.has(obj.key)) this.added(obj.key);
    this.objects.set(obj.key, obj);
  }

  /** A new key: appended when it sorts last and the order is current (a load from LevelDB, in key order, never sorts). */
  private added(key: string): void {
    const keys = this.sortedKeys;
    const inOrder = !this.resortNeeded && this.changed.size === 0 && (keys.length === 0 || key > keys[keys.length - 1]);
    if (inOrder) keys.push(key);
    else this.noteChanged(key);
  }

  delete(key: string): void {
    if (this.objects.delete(key)) this.noteChanged(key);
  }

  private noteChanged(key: string): void {
    if (this.resortNeeded) return;
    this.changed.add(key);
    if (this.changed.size > spliceLimit) {
      this.resortNeeded = true;
      this.changed.clear();
    }
  }

  /** Objects whose key starts with `prefix` and is greater than `startAfterKey`, in key order. */
  *range(prefix: string, startAfterKey?: string): Generator<StoredObject> {
    const keys = this.keys();
    for (let i = this.firstIndex(keys, prefix, startAfterKey); i < keys.length && keys[i].startsWith(prefix); i++) {
      yield this.objects.get(keys[i])!;
    }
  }

  /** How many keys under `prefix` are greater than `afterKey`. */
  countAfter(prefix: string, afterKey: string): number {
    const keys = this.keys();
    const from = this.firstIndex(keys, prefix, afterKey);
    const end = lowerBound(keys, (k) => k > prefix && !k.startsWith(prefix));
    return Math.max(0, end - from);
  }

  private keys(): string[] {
    if (this.resortNeeded) this.sortedKeys = Array.from(this.objects.keys()).sort();
    else for (const key of this.changed) this.spliceIn(key);
    this.changed.clear();
    this.resortNeeded = false;
    return this.sortedKeys;
  }

  /** Puts one changed key in its place, or takes it out, whichever its presence now calls for. */
  private spliceIn(key: string): void {
    const keys = this.sortedKeys;
    const i = lowerBound(keys, (k) => k >= key);
    const listed = keys[i] === key;
    const live = this.objects.has(key);
    if (listed && !live) keys.splice(i, 1);
    else if (!listed && live) keys.splice(i, 0, key);
  }

  private firstIndex(keys: string[], prefix: string, startAfterKey?: string): number {
    if (startAfterKey !== undefined && startAfterKey >= prefix) return lowerBound(keys, (k) => k > startAfterKey);
    return lowerBound(keys, (k) => k >= prefix);
  }
}

/** The first index at which `isPast` holds, for a predicate that is false then true along `keys`. */
export function lowerBound(keys: readonly string[], isPast: (key: string) => boolean): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (isPast(keys[mid])) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
