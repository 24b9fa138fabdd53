// Structural equality of JSON values, as reflect.DeepEqual on decoded JSON is used across kube
// (apiequality.Semantic.DeepEqual for "did the status change?"). Shared by the registry (no-op
// updates keep their resourceVersion) and the controllers (skip a write that changes nothing).

/**
 * Structural equality of JSON values, key order ignored. Iterative, with an explicit stack,
 * so a deeply nested request body cannot overflow the call stack.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  const stack: Array<[unknown, unknown]> = [[a, b]];
  while (stack.length > 0) {
    const [x, y] = stack.pop()!;
    if (x === y) continue;
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
    if (Array.isArray(x) !== Array.isArray(y)) return false;
    if (Array.isArray(x)) {
      const ys = y as unknown[];
      if (x.length !== ys.length) return false;
      for (let i = 0; i < x.length; i++) stack.push([x[i], ys[i]]);
      continue;
    }
    const xo = x as Record<string, unknown>;
    const yo = y as Record<string, unknown>;
    const keys = Object.keys(xo);
    if (keys.length !== Object.keys(yo).length) return false;
    for (const k of keys) {
      if (!Object.prototype.hasOwnProperty.call(yo, k)) return false; // not `in`: a `__proto__` or `toString` key is data
      stack.push([xo[k], yo[k]]);
    }
  }
  return true;
}
