// An index label key → value → object keys over one watch-cache bucket, so that a LIST whose
// label selector requires `key=value` or `key in (...)` looks at the objects carrying those
// labels instead of every object of the resource (kube's cacher does the same with its
// `l:<label>` indexers). A label key is indexed on the first LIST that asks for it, by one
// pass over the bucket, and kept up to date from then on: keys nobody selects by cost nothing,
// and a restart builds nothing.
import type { KubeObject } from '../api/types.ts';
import type { LabelValues, StoredObject } from './interface.ts';

type ValueIndex = Map<string, Set<string>>;

function labelsOf(obj: KubeObject | undefined): Record<string, string> | undefined {
  return obj?.metadata.labels ?? undefined;
}

export class LabelIndex {
  /** label key → label value → keys of the objects with that value. */
  private readonly byLabel = new Map<string, ValueIndex>();

  /** Keeps the indexed label keys current for one write: `prev` replaced by `next` (undefined: absent). */
  update(key: string, prev: StoredObject | undefined, next: StoredObject | undefined): void {
    if (this.byLabel.size === 0) return;
    const before = labelsOf(prev?.object);
    const after = labelsOf(next?.object);
    if (before === after) return;
    for (const [label, values] of this.byLabel) {
      const was = before?.[label];
      const is = after?.[label];
      if (was === is) continue;
      if (was !== undefined) remove(values, was, key);
      if (is !== undefined) add(values, is, key);
    }
  }

  /**
   * The keys of the objects that satisfy every requirement of `wanted` (a superset of what the
   * selector matches), or undefined when they are not fewer than `atMost`: then a scan is as
   * cheap. Indexes the label keys it has not seen yet from `all`.
   */
  candidates(wanted: readonly LabelValues[], all: () => Iterable<StoredObject>, atMost: number): Set<string> | undefined {
    const sets: Set<string>[] = [];
    for (const { key, values } of wanted) {
      const index = this.byLabel.get(key) ?? this.build(key, all());
      sets.push(union(index, values));
    }
    sets.sort((a, b) => a.size - b.size);
    let result = sets[0];
    if (result === undefined || result.size >= atMost) return undefined;
    for (const other of sets.slice(1)) result = new Set([...result].filter((k) => other.has(k)));
    return result;
  }

  private build(label: string, objects: Iterable<StoredObject>): ValueIndex {
    const values: ValueIndex = new Map();
    for (const obj of objects) {
      const value = labelsOf(obj.object)?.[label];
      if (value !== undefined) add(values, value, obj.key);
    }
    this.byLabel.set(label, values);
    return values;
  }
}

function add(values: ValueIndex, value: string, key: string): void {
  let keys = values.get(value);
  if (!keys) values.set(value, (keys = new Set()));
  keys.add(key);
}

function remove(values: ValueIndex, value: string, key: string): void {
  const keys = values.get(value);
  if (!keys) return;
  keys.delete(key);
  if (keys.size === 0) values.delete(value);
}

/** The keys with any of `wanted` values; the index's own set when there is one value (read-only). */
function union(index: ValueIndex, wanted: readonly string[]): Set<string> {
  if (wanted.length === 1) return index.get(wanted[0]) ?? new Set();
  const keys = new Set<string>();
  for (const value of wanted) for (const key of index.get(value) ?? []) keys.add(key);
  return keys;
}
