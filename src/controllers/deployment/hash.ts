// The pod-template-hash, as kube's controller.ComputeHash: a 32-bit FNV-1a over the pod
// template, then over the collision count (4 little-endian bytes padded to 8) when there is
// one, printed in decimal and each digit mapped through apimachinery's rand.SafeEncodeString
// alphabet (no vowels, no look-alikes), so a name never spells a word. kube hashes the Go
// struct's spew dump; here the template's canonical JSON (keys sorted) stands in for it, so
// names are stable for one template but are not the same strings kube would pick.
import { safeEncodeString } from '../history.ts';
import type { PodTemplateSpec } from './types.ts';

export function computeHash(template: PodTemplateSpec, collisionCount?: number): string {
  let hash = fnv1a32(0x811c9dc5, new TextEncoder().encode(canonicalJson(template)));
  if (collisionCount !== undefined && collisionCount !== null) {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setUint32(0, collisionCount >>> 0, true);
    hash = fnv1a32(hash, bytes);
  }
  return safeEncodeString(String(hash));
}

function fnv1a32(seed: number, bytes: Uint8Array): number {
  let hash = seed;
  for (const b of bytes) hash = Math.imul(hash ^ b, 0x01000193) >>> 0;
  return hash >>> 0;
}

/** JSON with every object's keys in sorted order, so equal templates hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value).sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
