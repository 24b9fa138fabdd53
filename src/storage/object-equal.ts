// The no-op check of GuaranteedUpdate: kube-apiserver skips the write when the updated object
// encodes to the same bytes as the stored one. JSON key order is not stable across
// JavaScript code paths, so kubelite compares structurally instead.
import type { KubeObject } from '../api/types.ts';

/** True when `a` and `b` are the same object apart from `metadata.resourceVersion`. */
export function equalIgnoringResourceVersion(a: KubeObject, b: KubeObject): boolean {
  if (a === b) return true;
  const { metadata: metaA, ...restA } = a;
  const { metadata: metaB, ...restB } = b;
  const { resourceVersion: _rvA, ...otherMetaA } = metaA ?? {};
  const { resourceVersion: _rvB, ...otherMetaB } = metaB ?? {};
  return deepEqual(restA, restB) && deepEqual(otherMetaA, otherMetaB);
}

/** Deep equality of JSON values; an absent key and a key set to undefined are the same, as in JSON. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return arraysEqual(a, b as unknown[]);
  return recordsEqual(a as Record<string, unknown>, b as Record<string, unknown>);
}

function arraysEqual(a: unknown[], b: unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
  return true;
}

function recordsEqual(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keysA = Object.keys(a).filter((k) => a[k] !== undefined);
  const keysB = Object.keys(b).filter((k) => b[k] !== undefined);
  if (keysA.length !== keysB.length) return false;
  for (const k of keysA) if (!deepEqual(a[k], b[k])) return false;
  return true;
}
