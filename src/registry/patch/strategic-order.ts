// The order of a merged list, as strategicpatch settles it (normalizeElementOrder): the items the
// patch names keep the patch's order (or `$setElementOrder`'s), the server-only items keep the
// live object's, and the two are interleaved by mergeSortedSlice's best effort. Sorting uses Go's
// sort.SliceStable step for step, because strategicpatch's comparison is not a strict order
// when an item is missing from the order list, and the result then depends on the algorithm.
import { isJsonObject, type JsonObject, type JsonValue } from './json-value.ts';
import { badArgType, noMergeKey, panicked, unhandledError, type GoType } from './strategic-errors.ts';

/** Go's == on two interface values: same dynamic type and value; maps and slices never match here. */
export function goEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  const x = a ?? null;
  const y = b ?? null;
  if (typeof x === 'object' && x !== null) return false;
  return x === y;
}

/** What index() compares: an element's merge key value for maps, the element itself otherwise. */
function lookupValue(item: JsonValue, mergeKey: string, kind: GoType): JsonValue | undefined {
  if (kind !== 'map') return item;
  return isJsonObject(item) && Object.prototype.hasOwnProperty.call(item, mergeKey) ? item[mergeKey] : null;
}

/** index: the position of `item` in `list`, or -1. */
export function indexIn(list: JsonValue[], item: JsonValue, mergeKey: string, kind: GoType): number {
  const wanted = lookupValue(item, mergeKey, kind);
  return list.findIndex((v) => goEqual(lookupValue(v, mergeKey, kind), wanted));
}

// ---- sort.SliceStable (insertion sort on blocks of 20, then SymMerge) ----

type Less = (i: number, j: number) => boolean;

function swap(a: JsonValue[], i: number, j: number): void {
  [a[i], a[j]] = [a[j], a[i]];
}

function insertionSort(a: JsonValue[], less: Less, lo: number, hi: number): void {
  for (let i = lo + 1; i < hi; i++) {
    for (let j = i; j > lo && less(j, j - 1); j--) swap(a, j, j - 1);
  }
}

function swapRange(a: JsonValue[], x: number, y: number, n: number): void {
  for (let i = 0; i < n; i++) swap(a, x + i, y + i);
}

function rotate(a: JsonValue[], lo: number, m: number, hi: number): void {
  let i = m - lo;
  let j = hi - m;
  while (i !== j) {
    if (i > j) {
      swapRange(a, m - i, m, j);
      i -= j;
    } else {
      swapRange(a, m - i, m + j - i, i);
      j -= i;
    }
  }
  swapRange(a, m - i, m, i);
}

function symMerge(a: JsonValue[], less: Less, lo: number, m: number, hi: number): void {
  if (m - lo === 1) {
    let i = m;
    let j = hi;
    while (i < j) {
      const h = (i + j) >>> 1;
      if (less(h, lo)) i = h + 1;
      else j = h;
    }
    for (let k = lo; k < i - 1; k++) swap(a, k, k + 1);
    return;
  }
  if (hi - m === 1) {
    let i = lo;
    let j = m;
    while (i < j) {
      const h = (i + j) >>> 1;
      if (!less(m, h)) i = h + 1;
      else j = h;
    }
    for (let k = m; k > i; k--) swap(a, k, k - 1);
    return;
  }
  const mid = (lo + hi) >>> 1;
  const n = mid + m;
  let start: number;
  let r: number;
  if (m > mid) {
    start = n - hi;
    r = mid;
  } else {
    start = lo;
    r = m;
  }
  const p = n - 1;
  while (start < r) {
    const c = (start + r) >>> 1;
    if (!less(p - c, c)) start = c + 1;
    else r = c;
  }
  const end = n - start;
  if (start < m && m < end) rotate(a, start, m, end);
  if (lo < start && start < mid) symMerge(a, less, lo, start, mid);
  if (mid < end && end < hi) symMerge(a, less, mid, end, hi);
}

function sliceStable(a: JsonValue[], less: Less): void {
  const n = a.length;
  let blockSize = 20;
  let lo = 0;
  let hi = blockSize;
  while (hi <= n) {
    insertionSort(a, less, lo, hi);
    lo = hi;
    hi += blockSize;
  }
  insertionSort(a, less, lo, n);
  while (blockSize < n) {
    lo = 0;
    hi = 2 * blockSize;
    while (hi <= n) {
      symMerge(a, less, lo, lo + blockSize, hi);
      lo = hi;
      hi += 2 * blockSize;
    }
    const m = lo + blockSize;
    if (m < n) symMerge(a, less, lo, m, n);
    blockSize *= 2;
  }
}

// ---- normalizing ----

/** validateMergeKeyInLists. */
function requireMergeKey(mergeKey: string, ...lists: JsonValue[][]): void {
  for (const list of lists) {
    for (const item of list) {
      if (!isJsonObject(item)) throw badArgType('map', item);
      if (!Object.prototype.hasOwnProperty.call(item, mergeKey)) throw noMergeKey(item, mergeKey);
    }
  }
}

/** normalizeSliceOrder: sort by `order`; `$patch: delete` items go last. */
function sortByOrder(items: JsonValue[], order: JsonValue[], mergeKey: string, kind: GoType): JsonValue[] {
  let toSort = items;
  let toDelete: JsonValue[] = [];
  if (kind === 'map') {
    requireMergeKey(mergeKey, items, order);
    toSort = items.filter((v) => (v as JsonObject).$patch !== 'delete');
    toDelete = items.filter((v) => (v as JsonObject).$patch === 'delete');
  }
  const sorted = [...toSort];
  sliceStable(sorted, (i, j) => {
    const ii = indexIn(order, sorted[i], mergeKey, kind);
    if (ii < 0) return true;
    const ij = indexIn(order, sorted[j], mergeKey, kind);
    return ij < 0 || ii < ij;
  });
  return [...sorted, ...toDelete];
}

/**
 * mergeSortedSlice: inserts the server-only items (`left`) among the patch items (`right`), both
 * already sorted; a server-only item goes first only when the live order puts it before the
 * patch item it is compared with and both are in the live list.
 */
function mergeSorted(left: JsonValue[], right: JsonValue[], serverOrder: JsonValue[], mergeKey: string, kind: GoType): JsonValue[] {
  const out: JsonValue[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (j >= right.length) out.push(left[i++]);
    else if (i >= left.length) out.push(right[j++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey, kind);
      const ri = indexIn(serverOrder, right[j], mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

export interface ElementOrder {
  patchItems: JsonValue[];
  serverOnly: JsonValue[];
  patchOrder: JsonValue[];
  serverOrder: JsonValue[];
  mergeKey: string;
  kind: GoType;
}

/** normalizeElementOrder. */
export function normalizeElementOrder(o: ElementOrder): JsonValue[] {
  const patchItems = sortByOrder(o.patchItems, o.patchOrder, o.mergeKey, o.kind);
  const serverOnly = sortByOrder(o.serverOnly, o.serverOrder, o.mergeKey, o.kind);
  return mergeSorted(serverOnly, patchItems, o.serverOrder, o.mergeKey, o.kind);
}

/** findMapInSliceBasedOnKeyValue: the first map whose merge key equals `value`. */
export function findByMergeKey(list: JsonValue[], mergeKey: string, value: JsonValue): number {
  for (let k = 0; k < list.length; k++) {
    const item = list[k];
    if (!isJsonObject(item)) throw unhandledError(`value for key ${k} is not a map`);
    if (Object.prototype.hasOwnProperty.call(item, mergeKey) && goEqual(item[mergeKey], value)) return k;
  }
  return -1;
}

/** partitionMapsByPresentInList / partitionPrimitivesByPresentInList: [in `by`, not in `by`]. */
export function partitionByPresence(items: JsonValue[], by: JsonValue[], mergeKey: string): [JsonValue[], JsonValue[]] {
  const present: JsonValue[] = [];
  const absent: JsonValue[] = [];
  if (mergeKey === '' && by.some((p) => typeof p === 'object' && p !== null)) throw panicked('hash of unhashable type in strategic merge patch');
  for (const v of items) {
    let found: boolean;
    if (mergeKey === '') {
      if (typeof v === 'object' && v !== null) throw panicked('hash of unhashable type in strategic merge patch');
      found = by.some((p) => goEqual(p, v));
    } else {
      if (!isJsonObject(v)) throw badArgType('map', v);
      if (!Object.prototype.hasOwnProperty.call(v, mergeKey)) throw noMergeKey(v, mergeKey);
      found = findByMergeKey(by, mergeKey, v[mergeKey]) >= 0;
    }
    (found ? present : absent).push(v);
  }
  return [present, absent];
}
