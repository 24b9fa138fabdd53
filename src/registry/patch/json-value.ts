// JSON values as the patch engines see them, and the few operations both need.

export type JsonObject = { [key: string]: JsonValue };
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Own keys only: a `__proto__` key from JSON stays data, never a prototype. */
export function hasKey(obj: JsonObject, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

export function getKey(obj: JsonObject, key: string): JsonValue | undefined {
  return hasKey(obj, key) ? obj[key] : undefined;
}

export function setKey(obj: JsonObject, key: string, value: JsonValue): void {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
}

export function cloneJson<T>(value: T): T {
  return value === undefined ? value : structuredClone(value);
}

/** Structural equality; object key order ignored. */
export function jsonDeepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonDeepEqual(v, b[i]));
  }
  if (!isJsonObject(a) || !isJsonObject(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => hasKey(b, k) && jsonDeepEqual(a[k], b[k]));
}

/** The name Go's encoding/json gives a JSON value's type in "cannot unmarshal X" errors. */
export function goJsonTypeName(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'object') return 'object';
  return typeof v; // 'string' | 'number'
}
