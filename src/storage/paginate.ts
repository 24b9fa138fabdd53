// One page of a LIST, shared by every backend: the predicate (label and field selectors)
// applies before the limit, as in kube-apiserver, and a page says it is not the last only
// when another matching item really follows, so that clients never fetch an empty page.
import type { ListOptions, StoredObject } from './interface.ts';

export interface Page {
  items: StoredObject[];
  /** Set when more matching items follow the page. */
  continueAfterKey?: string;
}

/** Takes one page from `source`, which yields objects in key order. */
export function paginate(source: Iterable<StoredObject>, opts: ListOptions = {}): Page {
  const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
  const items: StoredObject[] = [];
  for (const obj of source) {
    if (opts.predicate && !opts.predicate(obj.object)) continue;
    if (items.length === limit) return { items, continueAfterKey: items[items.length - 1].key };
    items.push(obj);
  }
  return { items };
}

/** Yields the objects of several key-ordered sources whose key ranges do not overlap, in order. */
export function* concat(sources: Iterable<Iterable<StoredObject>>): Generator<StoredObject> {
  for (const source of sources) yield* source;
}

/** Merges two key-ordered sources with disjoint keys into one key-ordered sequence. */
export function* mergeByKey(a: Iterable<StoredObject>, b: Iterable<StoredObject>): Generator<StoredObject> {
  const itA = a[Symbol.iterator]();
  const itB = b[Symbol.iterator]();
  let nextA = itA.next();
  let nextB = itB.next();
  while (!nextA.done || !nextB.done) {
    if (nextB.done || (!nextA.done && nextA.value.key < nextB.value.key)) {
      yield nextA.value;
      nextA = itA.next();
    } else {
      yield nextB.value;
      nextB = itB.next();
    }
  }
}
