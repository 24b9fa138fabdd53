// Where a patch's number literals land in the patched document. kube applies JSON and merge
// patches to the JSON text (evanphx/json-patch keeps every value as its raw bytes) and then
// decodes the result, so a `1.0` or `1e400` written in a patch reaches Go's decoder as written:
//   [{"op":"replace","path":"/spec/replicas","value":1.0}]
//   → patch: Invalid value: "…": json: cannot unmarshal number 1.0 into Go struct field DeploymentSpec.spec.replicas of type int32
// JSON.parse keeps only values, so the request decoder records the literals whose text matters
// (api/json-scan.ts) at their place in the patch; this moves them to their place in the
// result, where the body decoder judges them as it judges a create's. A strategic merge patch
// goes through Go maps (float64) first, so its literals are gone by then, in kube too.
// The stored document holds no such literals (every one was refused or normalised when written).
import type { NumberLiteral } from '../api/json-scan.ts';
import { valueAt } from './validation/schema-walk.ts';

/** Bounds the work a hostile patch can cause: literals and operations are both bounded upstream too. */
const maxTracked = 1000;

/** A JSON pointer's segments, as evanphx splits it (the part before the first `/` ignored). */
function pointerSegments(pointer: unknown): string[] | undefined {
  if (typeof pointer !== 'string') return undefined;
  return pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function startsWith(segments: string[], prefix: string[]): boolean {
  return prefix.length <= segments.length && prefix.every((s, i) => segments[i] === s);
}

/** `-` (append) and negative indexes as positions in the result's array at that place. */
function resolveIndexes(doc: unknown, segments: string[]): string[] {
  const out: string[] = [];
  let v = doc;
  for (const seg of segments) {
    let key = seg;
    if (Array.isArray(v)) {
      if (seg === '-') key = String(v.length - 1);
      else if (/^-[0-9]+$/.test(seg)) key = String(v.length + Number(seg));
      v = v[Number(key)];
    } else {
      v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[seg] : undefined;
    }
    out.push(key);
  }
  return out;
}

/** The literals of a JSON patch's values, followed through copy, move and remove, at their place in `patched`. */
function jsonPatchLiterals(patch: unknown, numbers: NumberLiteral[], patched: unknown): NumberLiteral[] {
  if (!Array.isArray(patch)) return [];
  let tracked: NumberLiteral[] = [];
  const byOp = new Map<number, NumberLiteral[]>();
  for (const n of numbers) {
    if (n.segments[1] !== 'value') continue;
    const i = Number(n.segments[0]);
    byOp.set(i, [...(byOp.get(i) ?? []), n]);
  }
  patch.forEach((op: Record<string, unknown> | null, i) => {
    if (op === null || typeof op !== 'object') return;
    const path = pointerSegments(op.path);
    if (!path) return;
    const kind = op.op;
    if (kind === 'remove' || kind === 'replace' || kind === 'move') {
      const from = kind === 'move' ? pointerSegments(op.from) : path;
      if (from && kind === 'move') {
        tracked = tracked.map((t) => (startsWith(t.segments, from) ? { ...t, segments: [...path, ...t.segments.slice(from.length)] } : t));
      } else {
        tracked = tracked.filter((t) => !startsWith(t.segments, path));
      }
    }
    if (kind === 'copy') {
      const from = pointerSegments(op.from);
      if (from) tracked.push(...tracked.filter((t) => startsWith(t.segments, from)).map((t) => ({ ...t, segments: [...path, ...t.segments.slice(from.length)] })));
    }
    if (kind === 'add' || kind === 'replace') {
      const base = resolveIndexes(patched, path);
      for (const n of byOp.get(i) ?? []) tracked.push({ literal: n.literal, segments: [...base, ...n.segments.slice(2)] });
    }
    if (tracked.length > maxTracked) tracked = tracked.slice(0, maxTracked);
  });
  return tracked;
}

/**
 * The number literals of the document a JSON or merge patch produced, for the body decoder;
 * only those still there with their value (an index shifted by a later operation is dropped
 * rather than misplaced).
 */
export function patchedLiterals(type: 'json' | 'merge', patch: unknown, numbers: NumberLiteral[] | undefined, patched: unknown): NumberLiteral[] | undefined {
  if (!numbers?.length) return undefined;
  // A merge patch's keys are the result's keys.
  const placed = type === 'merge' ? numbers : jsonPatchLiterals(patch, numbers, patched);
  const kept = placed.filter((n) => {
    const v = valueAt(patched, n.segments);
    return typeof v === 'number' && Object.is(v, Number(n.literal));
  });
  return kept.length > 0 ? kept : undefined;
}
