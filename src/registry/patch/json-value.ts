// JSON values as the patch engines see them, and the few operations both need.
import { deepCopyJson, jsonEqual } from '../../api/json-limits.ts';

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

/** A deep copy without recursion: a patch may build values deeper than the stack (copy into itself). */
export function cloneJson<T>(value: T): T {
  return deepCopyJson(value);
}

/** Structural equality; object key order ignored; iterative. */
export function jsonDeepEqual(a: unknown, b: unknown): boolean {
  return jsonEqual(a, b);
}

/** The name Go's encoding/json gives a JSON value's type in "cannot unmarshal X" errors. */
export function goJsonTypeName(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'object') return 'object';
  return typeof v; // 'string' | 'number'
}
