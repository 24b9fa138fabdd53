// Sets of field paths, as sigs.k8s.io/structured-merge-diff's fieldpath package keeps them,
// and their fieldsV1 encoding (metav1.FieldsV1): a trie whose keys are path elements
// (`f:<field>`, `k:<key fields JSON>`, `v:<value JSON>`, `i:<index>`) and where `.` marks a
// node that is itself a member of the set. Members and children are kept apart, so that
// `spec` (the struct as a whole) and `spec.replicas` are different entries.

/** A JSON value (what a field or a list item holds). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** One step of a path: a struct field or map key, a map-list key, a set-list value, or a list index. */
export type PathElement =
  | { field: string }
  | { key: Array<[string, JsonValue]> }
  | { value: JsonValue }
  | { index: number };

export type Path = PathElement[];

// ---- path elements ----

/** Go's encoding/json (as jsoniter's standard-compatible config) escapes <, >, & and U+2028/9. */
export function goJson(value: unknown): string {
  return JSON.stringify(sortedForJson(value))
    .replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Go marshals map[string]interface{} with sorted keys. */
function sortedForJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedForJson);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = sortedForJson((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}

/** The fieldsV1 key of a path element: `f:name`, `k:{"name":"c"}`, `v:"x"`, `i:0`. */
export function serializePathElement(pe: PathElement): string {
  if ('field' in pe) return `f:${pe.field}`;
  if ('key' in pe) return `k:{${pe.key.map(([name, v]) => `${goJson(name)}:${goJson(v)}`).join(',')}}`;
  if ('value' in pe) return `v:${goJson(pe.value)}`;
  return `i:${pe.index}`;
}

/** Parses a fieldsV1 key; undefined for an unknown element type (skipped, as structured-merge-diff does). */
export function parsePathElement(s: string): PathElement | undefined {
  if (s.length < 2 || s[1] !== ':') throw new Error(`invalid path element ${JSON.stringify(s)}`);
  const rest = s.slice(2);
  switch (s[0]) {
    case 'f':
      return { field: rest };
    case 'v':
      return { value: JSON.parse(rest) as JsonValue };
    case 'k': {
      const obj = JSON.parse(rest) as unknown;
      if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new Error(`invalid key ${rest}`);
      return keyElement(Object.entries(obj as Record<string, JsonValue>));
    }
    case 'i': {
      if (!/^-?\d+$/.test(rest)) throw new Error(`invalid index ${rest}`);
      return { index: Number(rest) };
    }
    default:
      return undefined;
  }
}

/** A map-list key element with its fields sorted by name. */
export function keyElement(fields: Array<[string, JsonValue]>): PathElement {
  return { key: [...fields].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)) };
}

/** The path element as structured-merge-diff prints it in messages: `.name`, `[name="c"]`, `[="v"]`, `[0]`. */
export function pathElementString(pe: PathElement): string {
  if ('field' in pe) return `.${pe.field}`;
  if ('key' in pe) return `[${pe.key.map(([name, v]) => `${name}=${valueString(v)}`).join(',')}]`;
  if ('value' in pe) return `[=${valueString(pe.value)}]`;
  return `[${pe.index}]`;
}

export function pathString(path: Path): string {
  return path.map(pathElementString).join('');
}

/** value.ToString: strings quoted as Go's %q, lists bracketed, maps as k=v runs. */
function valueString(v: JsonValue): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(valueString).join(',')}]`;
  return Object.entries(v).map(([k, x]) => `${k}=${valueString(x)}`).join('');
}

const typeRank = (pe: PathElement): number => ('field' in pe ? 0 : 'key' in pe ? 1 : 'value' in pe ? 2 : 3);

/** PathElement.Compare: field names < keys < values < indexes, then within the kind. */
export function comparePathElements(a: PathElement, b: PathElement): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  if ('field' in a && 'field' in b) return compareStrings(a.field, b.field);
  if ('key' in a && 'key' in b) return compareKeys(a.key, b.key);
  if ('value' in a && 'value' in b) return compareValues(a.value, b.value);
  return Math.sign((a as { index: number }).index - (b as { index: number }).index);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareKeys(a: Array<[string, JsonValue]>, b: Array<[string, JsonValue]>): number {
  for (let i = 0; ; i++) {
    if (i >= a.length && i >= b.length) return 0;
    if (i >= a.length) return -1;
    if (i >= b.length) return 1;
    const c = compareStrings(a[i][0], b[i][0]) || compareValues(a[i][1], b[i][1]);
    if (c !== 0) return c;
  }
}

const valueRank = (v: JsonValue): number =>
  typeof v === 'number' ? 0 : typeof v === 'string' ? 1 : typeof v === 'boolean' ? 2 : Array.isArray(v) ? 3 : v === null ? 5 : 4;

/** value.Compare: numbers < strings < booleans < lists < maps < null. */
export function compareValues(a: JsonValue, b: JsonValue): number {
  const ra = valueRank(a);
  const rb = valueRank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'number') return Math.sign(a - (b as number));
  if (typeof a === 'string') return compareStrings(a, b as string);
  if (typeof a === 'boolean') return Number(a) - Number(b as boolean);
  if (Array.isArray(a)) {
    const bl = b as JsonValue[];
    for (let i = 0; ; i++) {
      if (i >= a.length && i >= bl.length) return 0;
      if (i >= a.length) return -1;
      if (i >= bl.length) return 1;
      const c = compareValues(a[i], bl[i]);
      if (c !== 0) return c;
    }
  }
  if (a === null) return 0;
  const bm = b as Record<string, JsonValue>;
  const keys = [...new Set([...Object.keys(a), ...Object.keys(bm)])].sort();
  for (const k of keys) {
    if (!(k in a)) return 1;
    if (!(k in bm)) return -1;
    const c = compareValues(a[k], bm[k]);
    if (c !== 0) return c;
  }
  return 0;
}

// ---- sets ----

interface ChildNode {
  pe: PathElement;
  set: FieldSet;
}

/** A set of paths (fieldpath.Set). Operations return new sets; empty children are never kept. */
export class FieldSet {
  readonly members = new Map<string, PathElement>();
  readonly children = new Map<string, ChildNode>();

  static of(...paths: Path[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  /** Adds a path (mutates: for building sets). */
  insert(path: Path): void {
    if (path.length === 0) return;
    let node: FieldSet = this;
    for (let i = 0; i < path.length - 1; i++) node = node.descend(path[i]);
    const last = path[path.length - 1];
    node.members.set(serializePathElement(last), last);
  }

  /** The child set under `pe`, created when missing (mutates). */
  descend(pe: PathElement): FieldSet {
    const k = serializePathElement(pe);
    let child = this.children.get(k);
    if (!child) {
      child = { pe, set: new FieldSet() };
      this.children.set(k, child);
    }
    return child.set;
  }

  has(path: Path): boolean {
    let node: FieldSet | undefined = this;
    for (let i = 0; i < path.length - 1 && node; i++) node = node.children.get(serializePathElement(path[i]))?.set;
    return !!node && path.length > 0 && node.members.has(serializePathElement(path[path.length - 1]));
  }

  hasMember(pe: PathElement): boolean {
    return this.members.has(serializePathElement(pe));
  }

  /** The paths under `pe`, relative to it (fieldpath.Set.WithPrefix). */
  withPrefix(pe: PathElement): FieldSet {
    return this.children.get(serializePathElement(pe))?.set ?? EMPTY;
  }

  isEmpty(): boolean {
    if (this.members.size > 0) return false;
    for (const c of this.children.values()) if (!c.set.isEmpty()) return false;
    return true;
  }

  union(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) out.members.set(k, pe);
    for (const [k, pe] of other.members) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      out.children.set(k, { pe: c.pe, set: o ? c.set.union(o.set) : c.set });
    }
    for (const [k, c] of other.children) if (!out.children.has(k)) out.children.set(k, c);
    return out.pruned();
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (other.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      if (!o) continue;
      const s = c.set.intersection(o.set);
      if (!s.isEmpty()) out.children.set(k, { pe: c.pe, set: s });
    }
    return out;
  }

  /** Paths in this set and not in `other` (a member of `other` does not remove the paths below it). */
  difference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (!other.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      const s = o ? c.set.difference(o.set) : c.set;
      if (!s.isEmpty()) out.children.set(k, { pe: c.pe, set: s });
    }
    return out;
  }

  /** Like difference, but a member of `other` also removes everything below it. */
  recursiveDifference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (!other.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      if (other.members.has(k)) continue;
      const o = other.children.get(k);
      const s = o ? c.set.recursiveDifference(o.set) : c.set;
      if (!s.isEmpty()) out.children.set(k, { pe: c.pe, set: s });
    }
    return out;
  }

  equals(other: FieldSet): boolean {
    return this.difference(other).isEmpty() && other.difference(this).isEmpty();
  }

  /** Every path, members before children, each level in path-element order (Set.Iterate). */
  paths(prefix: Path = []): Path[] {
    const out: Path[] = [];
    for (const pe of sortedMembers(this)) out.push([...prefix, pe]);
    for (const c of sortedChildren(this)) out.push(...c.set.paths([...prefix, c.pe]));
    return out;
  }

  /** metav1.FieldsV1 as structured-merge-diff writes it: `.` first, then keys in path-element order. */
  toFieldsV1(): Record<string, unknown> {
    return this.emit(false);
  }

  static fromFieldsV1(fields: unknown): FieldSet {
    if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) throw new Error('fieldsV1 must be a JSON object');
    return readFieldsV1(fields as Record<string, unknown>).set;
  }

  private emit(includeSelf: boolean): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (includeSelf && (this.members.size > 0 || this.children.size > 0)) out['.'] = {};
    const entries: Array<{ pe: PathElement; child?: FieldSet; member: boolean }> = [];
    for (const [k, pe] of this.members) entries.push({ pe, member: true, child: this.children.get(k)?.set });
    for (const [k, c] of this.children) if (!this.members.has(k)) entries.push({ pe: c.pe, child: c.set, member: false });
    entries.sort((a, b) => comparePathElements(a.pe, b.pe));
    for (const e of entries) out[serializePathElement(e.pe)] = e.child ? e.child.emit(e.member) : {};
    return out;
  }

  /** No members and no child nodes at all (even empty ones). */
  isEmptyStructure(): boolean {
    return this.members.size === 0 && this.children.size === 0;
  }

  private pruned(): FieldSet {
    for (const [k, c] of this.children) if (c.set.isEmpty()) this.children.delete(k);
    return this;
  }
}

const EMPTY = new FieldSet();

function sortedMembers(s: FieldSet): PathElement[] {
  return [...s.members.values()].sort(comparePathElements);
}

function sortedChildren(s: FieldSet): ChildNode[] {
  return [...s.children.values()].sort((a, b) => comparePathElements(a.pe, b.pe));
}

/** readIterV1: a node with no children (`{}`) or with `.` is a member of its parent. */
function readFieldsV1(obj: Record<string, unknown>): { set: FieldSet; isMember: boolean } {
  const set = new FieldSet();
  let isMember = false;
  let hasChildren = false;
  for (const [key, sub] of Object.entries(obj)) {
    if (key === '.') {
      isMember = true;
      continue;
    }
    const pe = parsePathElement(key);
    if (!pe) continue;
    if (sub === null || typeof sub !== 'object' || Array.isArray(sub)) throw new Error(`fieldsV1 value of ${key} must be an object`);
    const child = readFieldsV1(sub as Record<string, unknown>);
    if (child.isMember) {
      set.members.set(serializePathElement(pe), pe);
      hasChildren = true;
    }
    if (!child.set.isEmptyStructure()) {
      set.children.set(serializePathElement(pe), { pe, set: child.set });
      hasChildren = true;
    }
  }
  return { set, isMember: isMember || !hasChildren };
}
