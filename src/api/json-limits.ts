// Bounds on the shape of API objects, so that no request can exhaust the stack or the heap.
// kube's JSON decoder refuses nesting past 10,000 levels; Go's goroutine stacks grow to 1 GB,
// V8's stack does not (structuredClone overflows between 1,000 and 2,000 levels on the main
// thread), so kubelite refuses bodies past `maxNestingDepth` levels at decode time, before
// any recursive walk (validation, pruning, defaulting, patching, managed fields, CEL, schema
// compilation) sees them. Every walk then stays many times inside the stack (the fuzz and
// limits tests drive each one at exactly this depth). Real objects are far shallower: a CRD
// embedding a whole PodTemplateSpec schema nests about 60 levels.

/** The deepest nesting of objects and arrays kubelite accepts in a request body or stored object. */
export const maxNestingDepth = 256;

/** kube's JSONPatchMaxCopyBytes: the most that `copy` operations of one JSON patch may add. */
export const jsonPatchMaxCopyBytes = 3 * 1024 * 1024;

/** etcd's --max-request-bytes as kube-apiserver runs it (1.5 MiB): the largest object stored. */
export const maxStoredObjectBytes = 1.5 * 1024 * 1024;

/** Nesting depth of a JSON value, walked iteratively; stops counting past `limit`. */
export function nestingDepth(value: unknown, limit = Number.MAX_SAFE_INTEGER): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    const d = depth + 1;
    if (d > max) {
      max = d;
      if (max > limit) return max;
    }
    const children = Array.isArray(v) ? v : Object.values(v);
    for (const child of children) {
      if (typeof child === 'object' && child !== null) stack.push([child, d]);
    }
  }
  return max;
}

export function exceedsNestingDepth(value: unknown, limit = maxNestingDepth): boolean {
  return nestingDepth(value, limit) > limit;
}

/**
 * A deep copy of a JSON value without recursion (structuredClone recurses natively and
 * overflows on deep values). Keys are defined as own data properties, so `__proto__` stays data.
 */
export function deepCopyJson<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  const root: unknown = Array.isArray(value) ? new Array(value.length) : {};
  const stack: Array<[unknown, unknown]> = [[value, root]];
  while (stack.length > 0) {
    const [from, to] = stack.pop()! as [Record<string, unknown>, Record<string, unknown>];
    for (const key of Object.keys(from)) {
      const v = from[key];
      let copy: unknown = v;
      if (typeof v === 'object' && v !== null) {
        if (isPlainContainer(v)) {
          copy = Array.isArray(v) ? new Array(v.length) : {};
          stack.push([v, copy]);
        } else {
          copy = structuredClone(v); // a Date or a typed array: flat, so the native clone is safe
        }
      }
      Object.defineProperty(to, key, { value: copy, writable: true, enumerable: true, configurable: true });
    }
  }
  return root as T;
}

function isPlainContainer(v: object): boolean {
  if (Array.isArray(v)) return true;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Structural equality of JSON values, without recursion (one implementation for the server and the workers). */
export { jsonEqual } from './json-equal.ts';

/** The size of a value's JSON text in bytes, as Go's json.Marshal would write it (close enough for limits). */
export function jsonByteLength(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? 'null');
}
