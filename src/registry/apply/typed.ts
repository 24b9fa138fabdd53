// Typed operations on JSON objects, as structured-merge-diff's typed package does them:
// the set of fields a value sets (ToFieldSet), the difference of two values (Compare),
// the merge of an applied configuration into a live object (Merge) and the removal of a set
// of fields (RemoveItems). `undefined` means "absent"; `null` is a value.
import {
  FieldSet, keyElement, pathElementString, pathString, serializePathElement,
  type JsonValue, type Path, type PathElement,
} from './fieldset.ts';
import { childType, fieldType, listKeyDefaults, type ListType, type MapType, type SchemaType } from './schema-types.ts';

type Value = unknown;
type Atom = 'scalar' | 'list' | 'map';

export function isMap(v: Value): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The atom a value is handled as (deduceAtom): deduced types follow the value. */
function atomOf(t: SchemaType, v: Value): Atom {
  if (t.kind !== 'deduced') return t.kind;
  if (Array.isArray(v)) return 'list';
  if (isMap(v)) return 'map';
  return 'scalar';
}

const deducedList: ListType = { kind: 'list', atomic: true, keys: [], element: () => ({ kind: 'deduced' }) };
const deducedMap: MapType = { kind: 'map', atomic: false, element: () => ({ kind: 'deduced' }) };

function asList(t: SchemaType): ListType {
  return t.kind === 'list' ? t : deducedList;
}

function asMap(t: SchemaType): MapType {
  return t.kind === 'map' ? t : deducedMap;
}

function valueType(t: MapType, key: string): SchemaType {
  // Undeclared fields only reach here in live objects; treat them as untyped rather than fail.
  return fieldType(t, key) ?? { kind: 'deduced' };
}

/** The path element of a list item, or the reason it has none (listItemToPathElement). */
export function itemElement(t: ListType, item: Value): PathElement | string {
  if (t.keys.length > 0) {
    if (item === null) return 'associative list with keys may not have a null element';
    if (!isMap(item)) return 'associative list with keys may not have non-map elements';
    const fields: Array<[string, JsonValue]> = [];
    for (const k of t.keys) {
      if (k in item) fields.push([k, item[k] as JsonValue]);
      else if (listKeyDefaults[k] !== undefined) fields.push([k, listKeyDefaults[k]]);
    }
    if (fields.length === 0) {
      return `associative list with keys has an element that omits all key fields ${goQuoteList(t.keys)} (and doesn't have default values for any key fields)`;
    }
    return keyElement(fields);
  }
  if (isMap(item)) return "associative list without keys has an element that's a map type";
  if (Array.isArray(item)) return 'not supported: associative list with lists as elements';
  if (item === null) return "associative list without keys has an element that's an explicit null";
  return { value: item as JsonValue };
}

function goQuoteList(items: string[]): string {
  return `[${items.map((s) => JSON.stringify(s)).join(' ')}]`;
}

// ---- ToFieldSet (and validation of an applied configuration) ----

export interface TypedErrors {
  errors: string[];
}

/**
 * The fields `value` sets: scalars, atomic lists and maps, list items (as members: `.`),
 * undeclared map keys, and empty or null maps. Problems the typed conversion would refuse
 * (undeclared fields, duplicate or keyless list items) are collected in `errors`.
 */
export function toFieldSet(value: Value, t: SchemaType, out: TypedErrors = { errors: [] }): FieldSet {
  const set = new FieldSet();
  walkFieldSet([], value, t, set, out.errors);
  return set;
}

function walkFieldSet(path: Path, v: Value, t: SchemaType, set: FieldSet, errors: string[]): void {
  switch (atomOf(t, v)) {
    case 'scalar':
      if (isMap(v) || Array.isArray(v)) errors.push(`${pathString(path)}: expected ${t.kind === 'scalar' ? 'scalar' : t.kind}, got ${isMap(v) ? 'map' : 'list'}`);
      set.insert(path);
      return;
    case 'list': {
      const lt = asList(t);
      if (lt.atomic) {
        set.insert(path);
        return;
      }
      if (!Array.isArray(v)) {
        if (v !== null) errors.push(`${pathString(path)}: expected list, got ${describe(v)}`);
        return;
      }
      const seen = new Set<string>();
      v.forEach((item, i) => {
        const pe = itemElement(lt, item);
        if (typeof pe === 'string') {
          errors.push(`${pathString(path)}: element ${i}: ${pe}`);
          return;
        }
        const k = serializePathElement(pe);
        if (seen.has(k)) errors.push(`${pathString(path)}: duplicate entries for key ${pathElementString(pe)}`);
        seen.add(k);
        const itemPath = [...path, pe];
        walkFieldSet(itemPath, item, lt.element(), set, errors);
        set.insert(itemPath);
      });
      return;
    }
    case 'map': {
      const mt = asMap(t);
      if (mt.atomic) {
        set.insert(path);
        return;
      }
      if (!isMap(v)) {
        if (v !== null) errors.push(`${pathString(path)}: expected map, got ${describe(v)}`);
        return;
      }
      for (const [key, val] of Object.entries(v)) {
        const childPath: Path = [...path, { field: key }];
        const ft = fieldType(mt, key);
        if (!ft) {
          errors.push(`${pathString(childPath)}: field not declared in schema`);
          continue;
        }
        walkFieldSet(childPath, val, ft, set, errors);
        if (val === null || (isMap(val) && Object.keys(val).length === 0) || !mt.fields?.has(key)) set.insert(childPath);
      }
    }
  }
}

function describe(v: Value): string {
  return Array.isArray(v) ? 'list' : isMap(v) ? 'map' : typeof v;
}

// ---- Compare ----

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** The fields added, modified and removed going from `lhs` to `rhs` (TypedValue.Compare). */
export function compare(lhs: Value, rhs: Value, t: SchemaType): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  compareNode([], lhs, rhs, t, c);
  return c;
}

function compareNode(path: Path, lhs: Value, rhs: Value, t: SchemaType, c: Comparison): void {
  const la = atomOf(t, lhs);
  const ra = atomOf(t, rhs);
  let inLeaf: boolean;
  if (rhs === undefined) inLeaf = compareAtom(la, path, lhs, rhs, t, c);
  else if (lhs === undefined || la === ra) inLeaf = compareAtom(ra, path, lhs, rhs, t, c);
  else {
    compareAtom(la, path, lhs, rhs, t, c);
    inLeaf = compareAtom(ra, path, lhs, rhs, t, c);
  }
  if (!inLeaf && path.length > 0) {
    if (lhs === undefined) c.added.insert(path);
    else if (rhs === undefined) c.removed.insert(path);
  }
}

/** Handles one atom; true when the node was treated as a leaf. */
function compareAtom(atom: Atom, path: Path, lhs: Value, rhs: Value, t: SchemaType, c: Comparison): boolean {
  if (atom === 'scalar') return compareLeaf(path, lhs, rhs, c);
  if (atom === 'list') {
    const lt = asList(t);
    const l = Array.isArray(lhs) ? lhs : undefined;
    const r = Array.isArray(rhs) ? rhs : undefined;
    if (lt.atomic || ((l?.length ?? 0) === 0 && (r?.length ?? 0) === 0)) return compareLeaf(path, lhs, rhs, c);
    compareListItems(path, l ?? [], r ?? [], lt, c);
    return false;
  }
  const mt = asMap(t);
  const l = isMap(lhs) ? lhs : undefined;
  const r = isMap(rhs) ? rhs : undefined;
  if (mt.atomic || (isEmptyMap(l) && isEmptyMap(r))) return compareLeaf(path, lhs, rhs, c);
  const keys = new Set([...Object.keys(l ?? {}), ...Object.keys(r ?? {})]);
  for (const key of keys) compareNode([...path, { field: key }], l?.[key], r?.[key], valueType(mt, key), c);
  return false;
}

function isEmptyMap(m: Record<string, unknown> | undefined): boolean {
  return m === undefined || Object.keys(m).length === 0;
}

function compareLeaf(path: Path, lhs: Value, rhs: Value, c: Comparison): boolean {
  if (path.length === 0) return true;
  if (lhs === undefined && rhs === undefined) return true;
  if (lhs === undefined) c.added.insert(path);
  else if (rhs === undefined) c.removed.insert(path);
  else if (!valueEquals(lhs, rhs)) c.modified.insert(path);
  return true;
}

function compareListItems(path: Path, l: Value[], r: Value[], t: ListType, c: Comparison): void {
  const order: Array<{ pe: PathElement; k: string }> = [];
  const lhsItems = new Map<string, Value[]>();
  const rhsItems = new Map<string, Value[]>();
  const index = (items: Value[], into: Map<string, Value[]>) => {
    for (const item of items) {
      const pe = itemElement(t, item);
      if (typeof pe === 'string') continue;
      const k = serializePathElement(pe);
      if (!lhsItems.has(k) && !rhsItems.has(k)) order.push({ pe, k });
      into.set(k, [...(into.get(k) ?? []), item]);
    }
  };
  index(l, lhsItems);
  index(r, rhsItems);
  for (const { pe, k } of order) {
    const li = lhsItems.get(k) ?? [];
    const ri = rhsItems.get(k) ?? [];
    const itemPath = [...path, pe];
    if (li.length >= 2 || ri.length >= 2) {
      // Duplicated items are compared as a whole (a live object may hold duplicates).
      if (li.length === 0) c.added.insert(itemPath);
      else if (ri.length === 0) c.removed.insert(itemPath);
      else if (!valueEquals(li, ri)) c.modified.insert(itemPath);
      continue;
    }
    compareNode(itemPath, li[0], ri[0], t.element(), c);
  }
}

/** value.Equals: numbers compare numerically, maps by content regardless of key order. */
export function valueEquals(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => valueEquals(x, b[i]));
  if (isMap(a)) {
    if (!isMap(b)) return false;
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && valueEquals(a[k], b[k]));
  }
  return false;
}

// ---- Merge ----

/** Merges `rhs` (an applied configuration) into `lhs` (the live object); rhs wins on leaves. */
export function merge(lhs: Value, rhs: Value, t: SchemaType): Value {
  return mergeNode(lhs, rhs, t);
}

function mergeNode(lhs: Value, rhs: Value, t: SchemaType): Value {
  const la = atomOf(t, lhs);
  const ra = atomOf(t, rhs);
  return mergeAtom(rhs === undefined ? la : ra, lhs, rhs, t);
}

function mergeAtom(atom: Atom, lhs: Value, rhs: Value, t: SchemaType): Value {
  const leaf = () => (rhs !== undefined ? clone(rhs) : clone(lhs));
  if (atom === 'scalar') return leaf();
  if (atom === 'list') {
    const lt = asList(t);
    const l = Array.isArray(lhs) ? lhs : undefined;
    const r = Array.isArray(rhs) ? rhs : undefined;
    if (lt.atomic || ((l?.length ?? 0) === 0 && (r?.length ?? 0) === 0)) return leaf();
    const out = mergeListItems(l ?? [], r ?? [], lt);
    return out.length > 0 ? out : undefined;
  }
  const mt = asMap(t);
  const l = isMap(lhs) ? lhs : undefined;
  const r = isMap(rhs) ? rhs : undefined;
  if (mt.atomic || (isEmptyMap(l) && isEmptyMap(r))) return leaf();
  const out: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(l ?? {}), ...Object.keys(r ?? {})])) {
    const v = mergeNode(l?.[key], r?.[key], valueType(mt, key));
    if (v !== undefined) out[key] = v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * Merges two associative lists: live items keep their places, applied items that are new
 * come in the order the configuration gives them, relative to the items both share.
 */
function mergeListItems(lhs: Value[], rhs: Value[], t: ListType): Value[] {
  const index = (items: Value[]) => {
    const pes: Array<{ pe: PathElement; k: string }> = [];
    const kept: Value[] = [];
    const seen = new Map<string, Value>();
    for (const item of items) {
      const pe = itemElement(t, item);
      if (typeof pe === 'string') continue;
      const k = serializePathElement(pe);
      // A duplicated live item merges as null, as structured-merge-diff indexes it.
      seen.set(k, seen.has(k) ? null : item);
      pes.push({ pe, k });
      kept.push(item);
    }
    return { pes, seen, items: kept };
  };
  const L = index(lhs);
  const R = index(rhs);
  const shared = R.pes.filter((p) => L.seen.has(p.k));
  let nextShared = shared.shift();
  const mergedRHS = new Set<string>();
  const out: Value[] = [];
  const push = (l: Value, r: Value) => {
    const v = mergeNode(l, r, t.element());
    if (v !== undefined) out.push(v);
  };
  let li = 0;
  let ri = 0;
  while (li < L.pes.length || ri < R.pes.length) {
    if (li < L.pes.length && ri < R.pes.length) {
      const lp = L.pes[li];
      if (lp.k === R.pes[ri].k) {
        mergedRHS.add(lp.k);
        push(L.seen.get(lp.k), R.seen.get(lp.k));
        li++;
        ri++;
        nextShared = shared.shift();
        continue;
      }
      if (R.seen.has(lp.k) && nextShared !== undefined && nextShared.k !== lp.k) {
        li++;
        continue;
      }
    }
    if (li < L.pes.length) {
      const lp = L.pes[li];
      if (!R.seen.has(lp.k)) {
        push(L.items[li], undefined);
        li++;
        continue;
      } else if (mergedRHS.has(lp.k)) {
        li++;
      }
    }
    if (ri < R.pes.length) {
      const rp = R.pes[ri];
      mergedRHS.add(rp.k);
      push(L.seen.get(rp.k), R.seen.get(rp.k));
      ri++;
      if (nextShared !== undefined && nextShared.k === rp.k) nextShared = shared.shift();
    }
  }
  return out;
}

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

// ---- RemoveItems ----

/** `value` without the fields in `toRemove` (TypedValue.RemoveItems); undefined when nothing is left. */
export function removeItems(value: Value, toRemove: FieldSet, t: SchemaType): Value {
  const atom = atomOf(t, value);
  if (atom === 'scalar') return value;
  if (atom === 'list') {
    const lt = asList(t);
    if (!Array.isArray(value) || value.length === 0 || lt.atomic) return undefined;
    const items: Value[] = [];
    for (const item of value) {
      const pe = itemElement(lt, item);
      if (typeof pe === 'string') {
        items.push(item);
        continue;
      }
      if (toRemove.hasMember(pe)) continue;
      const sub = toRemove.withPrefix(pe);
      if (!sub.isEmpty()) {
        const v = removeItems(item, sub, lt.element());
        items.push(v === undefined ? null : v);
      } else items.push(item);
    }
    return items.length > 0 ? items : undefined;
  }
  const mt = asMap(t);
  if (!isMap(value) || Object.keys(value).length === 0 || mt.atomic) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const pe: PathElement = { field: k };
    if (toRemove.hasMember(pe)) continue;
    const sub = toRemove.withPrefix(pe);
    if (sub.isEmpty()) {
      out[k] = v;
      continue;
    }
    const kept = removeItems(v, sub, valueType(mt, k));
    // Go turns the emptied value into null, and null into an omitted field.
    if (kept !== undefined) out[k] = kept;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Adds every named struct field that has children as a member itself (Set.EnsureNamedFieldsAreMembers). */
export function ensureNamedFieldsAreMembers(set: FieldSet, t: SchemaType | undefined): FieldSet {
  const out = new FieldSet();
  for (const [k, pe] of set.members) out.members.set(k, pe);
  for (const [k, c] of set.children) {
    if ('field' in c.pe && t?.kind === 'map' && t.fields?.has(c.pe.field)) out.members.set(k, c.pe);
    const ct = t && ('field' in c.pe || 'key' in c.pe) ? childType(t, c.pe) : undefined;
    out.children.set(k, { pe: c.pe, set: ensureNamedFieldsAreMembers(c.set, ct) });
  }
  return out;
}
