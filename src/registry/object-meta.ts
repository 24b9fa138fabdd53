// System metadata the generic store fills in, as k8s.io/apiserver's rest.FillObjectMetaSystemFields
// and names.SimpleNameGenerator do.
import { randomFillSync, randomUUID } from 'node:crypto';
import type { KubeObject } from '../api/types.ts';
import { jsonEqual } from '../api/json-equal.ts';

// jsonEqual moved to src/api (shared with the controllers); re-exported for the registry's callers.
export { jsonEqual };
import { deepCopyJson } from '../api/json-limits.ts';

/** RFC 3339 with second precision and a Z, as metav1.Time marshals. */
export function nowTimestamp(now = Date.now()): string {
  // Every write stamps one or more of these; they change once a second, so the last is kept.
  const second = Math.floor(now / 1000);
  if (second !== lastStamp.second) lastStamp = { second, text: new Date(second * 1000).toISOString().replace('.000Z', 'Z') };
  return lastStamp.text;
}

let lastStamp = { second: NaN, text: '' };

// The alphabet of names.SimpleNameGenerator: no vowels (no accidental words), no 0/1/3 look-alikes.
const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
const maxGeneratedNameLength = 63;

export function generateName(base: string): string {
  const prefix = base.length > maxGeneratedNameLength - 5 ? base.slice(0, maxGeneratedNameLength - 5) : base;
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += alphabet[nextRandomByte() % alphabet.length];
  return prefix + suffix;
}

// Random bytes drawn from a pool filled 4 KiB at a time: one getrandom call per ~800 names
// instead of one per name (each pod gets a generated token volume name; kube uses math/rand).
const randomPool = Buffer.alloc(4096);
let randomOffset = randomPool.length;

function nextRandomByte(): number {
  if (randomOffset >= randomPool.length) {
    randomFillSync(randomPool);
    randomOffset = 0;
  }
  return randomPool[randomOffset++]!;
}

export function fillSystemFields(obj: KubeObject, now = Date.now()): void {
  obj.metadata.uid = randomUUID();
  obj.metadata.creationTimestamp = nowTimestamp(now);
}

/** Deep copy of JSON data (objects from storage are shared and must not be mutated). */
export function deepCopy<T>(value: T): T {
  // Iterative: a stored object may nest deeper than structuredClone's native recursion allows.
  return deepCopyJson(value);
}

