// Value-level helpers of the strategic merge patch: stripping directives and nulls from values
// that land where there was nothing to merge into, the element type checks, the union and the
// `$deleteFromPrimitiveList` of primitive lists, and a model of the Go slice aliasing that
// strategicpatch's ordering of `$setElementOrder` lists depends on.
import { hasKey, isJsonObject, setKey, type JsonValue } from './json-value.ts';
import { goFormat, goTypeOf, noListOfLists, panicked, unhandledError, type GoType } from './strategic-errors.ts';
import { goEqual } from './strategic-order.ts';

export const directiveMarker = '$patch';

/** removeDirectives: drops every map carrying `$patch` (and the value itself if it is one). */
export function removeDirectives(v: JsonValue): { value: JsonValue; keep: boolean } {
  if (Array.isArray(v)) {
    const out: JsonValue[] = [];
    for (const e of v) {
      const r = removeDirectives(e);
      if (r.keep) out.push(r.value);
    }
    return { value: out, keep: true };
  }
  if (!isJsonObject(v)) return { value: v, keep: true };
  if (hasKey(v, directiveMarker)) return { value: null, keep: false };
  for (const k of Object.keys(v)) {
    const r = removeDirectives(v[k]);
    if (r.keep) setKey(v, k, r.value);
    else delete v[k];
  }
  return { value: v, keep: true };
}

/** discardNullValuesFromPatch: null members go, recursively; null list elements stay. */
export function discardNulls(v: JsonValue): JsonValue {
  if (Array.isArray(v)) v.forEach(discardNulls);
  else if (isJsonObject(v)) {
    for (const k of Object.keys(v)) {
      if (v[k] === null) delete v[k];
      else discardNulls(v[k]);
    }
  }
  return v;
}

/** sliceElementType: every element of every list has one Go type, and it is not a list. */
export function sliceElementType(...lists: JsonValue[][]): GoType {
  let prev: GoType | undefined;
  for (const list of lists) {
    for (const v of list) {
      const t = goTypeOf(v);
      if (prev === undefined) {
        if (t === 'nil') throw panicked('strategic merge patch: reflect.TypeOf(nil).Kind()');
        if (t === 'slice') throw noListOfLists();
        prev = t;
      } else if (t !== prev) {
        throw unhandledError(`list element types are not identical: ${goFormat(lists)}`);
      }
    }
  }
  if (prev === undefined) throw unhandledError('no elements in any of the given slices');
  return prev;
}

/** deduplicateScalars, in its own order (a duplicate's slot takes the last element). */
export function deduplicateScalars(s: JsonValue[]): JsonValue[] {
  let length = s.length - 1;
  for (let i = 0; i < length; i++) {
    for (let j = i + 1; j <= length; j++) {
      if (goEqual(s[i], s[j])) {
        s[j] = s[length];
        s.length = length;
        length--;
        j--;
      }
    }
  }
  return s;
}

/** deleteFromSlice: `$deleteFromPrimitiveList` removes every occurrence of each value. */
export function deleteFromSlice(current: JsonValue[], toDelete: JsonValue[]): JsonValue[] {
  return current.filter((v) => !toDelete.some((d) => goEqual(d, v)));
}

/**
 * A Go slice over the backing array of the live list. strategicpatch deletes merge-list elements
 * in place (shifting the rest left) and then appends new elements into the room that leaves, and
 * the caller's own slice of the live list (its original length) sees those writes: when
 * `$setElementOrder` orders the server-only items it compares them against that view, in which
 * added elements can stand where deleted ones were. Writes past the original length are never
 * visible, whatever the capacity, so the view is the same for every capacity kube might have.
 */
export class SharedList {
  private readonly backing: JsonValue[];
  private readonly visible: number;
  private length: number;

  constructor(items: JsonValue[]) {
    this.backing = [...items];
    this.visible = items.length;
    this.length = items.length;
  }

  /** The slice as it is now. */
  get items(): JsonValue[] {
    return this.backing.slice(0, this.length);
  }

  /** What the caller's slice of the original list sees now. */
  get view(): JsonValue[] {
    return this.backing.slice(0, this.visible);
  }

  at(i: number): JsonValue {
    return this.backing[i];
  }

  set(i: number, v: JsonValue): void {
    this.backing[i] = v;
  }

  /** append(s[:i], s[i+1:]...) */
  removeAt(i: number): void {
    this.backing.copyWithin(i, i + 1, this.length);
    this.length--;
  }

  append(v: JsonValue): void {
    this.backing[this.length++] = v;
  }
}
