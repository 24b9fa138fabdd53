// Test support for the fuzz suites: bodies mutated from valid objects with fast-check, and
// the invariants every answer must keep (issue 16): no 5xx, every error a metav1.Status,
// nothing written when the answer is an error, the server alive afterwards.
import assert from 'node:assert/strict';
import fc from 'fast-check';

/** Runs per property: small in `npm test` (the suite stays near a minute), more with `npm run fuzz`. */
export const fuzzRuns = Number(process.env.FUZZ_RUNS ?? 30);

type Json = unknown;

/** Values that broke kube look-alikes before: deep nesting, big and odd strings, odd numbers. */
const hostileValue: fc.Arbitrary<Json> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom<Json>(null, -1, '-1', 1.5, 1e400 as number, 2 ** 63, '', '😀', 'a\u0000b', '\n', '%zz', '$patch', { $patch: 'delete' },
    { $patch: 5 }, [5], { $setElementOrder: 5 }, '9'.repeat(100), 'x'.repeat(70_000)),
  fc.integer({ min: 100, max: 400 }).map((depth) => {
    let v: Json = 'x';
    for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
    return v;
  }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);

const hostileKey: fc.Arbitrary<string> = fc.oneof(fc.string({ maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 8 }),
  fc.constantFrom('😀', '__proto__', 'constructor', '$patch', '$retainKeys', 'metadata', 'spec', 'status', 'apiVersion', 'kind'));

export interface Mutation {
  path: number[];
  key?: string;
  value: Json;
}

export const mutation: fc.Arbitrary<Mutation> = fc.record({
  path: fc.array(fc.nat({ max: 30 }), { maxLength: 6 }),
  key: fc.option(hostileKey, { nil: undefined }),
  value: hostileValue,
});

/** Applies one mutation to a copy of `base`: walks `path` (indexes into keys mod their count), then sets or adds. */
export function mutate(base: Json, m: Mutation): Json {
  const root = structuredClone(base) as Record<string, Json>;
  let node: Record<string, Json> = root;
  for (const step of m.path) {
    const keys = Object.keys(node);
    if (keys.length === 0) break;
    const next = node[keys[step % keys.length]];
    if (typeof next !== 'object' || next === null) {
      node[keys[step % keys.length]] = m.value;
      return root;
    }
    node = next as Record<string, Json>;
  }
  const keys = Object.keys(node);
  const key = m.key ?? (keys.length ? keys[m.path.length % keys.length] : 'x');
  Object.defineProperty(node, key, { value: m.value, enumerable: true, writable: true, configurable: true });
  return root;
}

export interface Answer {
  status: number;
  text: string;
}

/** The invariants of one answer: below 500, and an error is a Status with its code. */
export function assertWellFormed(what: string, res: Answer): void {
  assert.ok(res.status < 500, `${what}: ${res.status} ${res.text.slice(0, 400)}`);
  if (res.status < 400) return;
  let status: { kind?: string; code?: number; status?: string } = {};
  try {
    status = JSON.parse(res.text);
  } catch {
    assert.fail(`${what}: ${res.status} with a body that is not JSON: ${res.text.slice(0, 200)}`);
  }
  assert.equal(status.kind, 'Status', `${what}: ${res.text.slice(0, 300)}`);
  assert.equal(status.code, res.status, `${what}: ${res.text.slice(0, 300)}`);
  assert.equal(status.status, 'Failure', what);
}
