// The watch cache's label index answers a LIST by label values exactly as a scan does: after
// creates, label changes, deletes, with pagination, for several requirements, and at an older
// revision (where it must step aside for the scan).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { KubeObject } from '../src/api/types.ts';
import { createLogger } from '../src/log.ts';
import type { LabelValues, ListOptions } from '../src/storage/interface.ts';
import { LevelStore } from '../src/storage/leveldb.ts';
import { WatchCache } from '../src/storage/watch-cache.ts';

const logger = createLogger('silent');
const prefix = '/registry/core/pods/';
let dir: string;
let cache: WatchCache;

function pod(ns: string, name: string, labels: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, labels } };
}

/** A predicate equal to what `labelValues` says, as registry/selection.ts builds it. */
function selecting(wanted: LabelValues[]): ListOptions {
  const predicate = (obj: KubeObject) => wanted.every(({ key, values }) => values.includes(obj.metadata.labels?.[key] ?? '\0'));
  return { predicate, labelValues: wanted };
}

/** The same list served with and without the index hint: names, in order, and revisions. */
async function bothWays(listPrefix: string, opts: ListOptions) {
  const indexed = await cache.list(listPrefix, opts);
  const scanned = await cache.list(listPrefix, { ...opts, labelValues: undefined });
  const show = (r: typeof indexed) => ({ keys: r.items.map((i) => `${i.key}@${i.revision}`), continueAfterKey: r.continueAfterKey, revision: r.revision });
  assert.deepEqual(show(indexed), show(scanned));
  return indexed;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kubelite-label-index-'));
  cache = await WatchCache.create(await LevelStore.open(dir, { logger }), { logger });
  for (let i = 0; i < 300; i++) {
    const ns = i % 3 === 0 ? 'a' : 'b';
    await cache.create(`${prefix}${ns}/p${String(i).padStart(3, '0')}`, pod(ns, `p${i}`, { app: `x${i % 10}`, tier: i % 2 ? 'web' : 'db' }));
  }
});

after(async () => {
  await cache.close();
  await rm(dir, { recursive: true, force: true });
});

it('finds the objects with a label value, across namespaces and within one', async () => {
  const all = await bothWays(prefix, selecting([{ key: 'app', values: ['x7'] }]));
  assert.equal(all.items.length, 30);
  const inA = await bothWays(`${prefix}a/`, selecting([{ key: 'app', values: ['x3'] }]));
  assert.ok(inA.items.length > 0 && inA.items.every((i) => i.key.startsWith(`${prefix}a/`)));
});

it('intersects requirements and unions the values of `in`', async () => {
  const res = await bothWays(prefix, selecting([{ key: 'app', values: ['x1', 'x2'] }, { key: 'tier', values: ['web'] }]));
  assert.equal(res.items.length, 30);
  assert.equal((await bothWays(prefix, selecting([{ key: 'app', values: ['nope'] }]))).items.length, 0);
});

it('follows label changes and deletes once the label is indexed', async () => {
  const before = (await bothWays(prefix, selecting([{ key: 'app', values: ['x5'] }]))).items.length;
  const moved = `${prefix}b/p001`;
  await cache.guaranteedUpdate(moved, (cur) => ({ ...cur.object, metadata: { ...cur.object.metadata, labels: { app: 'x5', tier: 'web' } } }));
  await cache.delete(`${prefix}b/p005`);
  await cache.guaranteedUpdate(`${prefix}b/p025`, (cur) => ({ ...cur.object, metadata: { ...cur.object.metadata, labels: undefined } }));
  const now = await bothWays(prefix, selecting([{ key: 'app', values: ['x5'] }]));
  assert.equal(now.items.length, before - 1);
  assert.ok(now.items.some((i) => i.key === moved));
  assert.equal((await bothWays(prefix, selecting([{ key: 'app', values: ['x1'] }]))).items.some((i) => i.key === moved), false);
  await cache.create(`${prefix}c/new`, pod('c', 'new', { app: 'x5' }));
  assert.ok((await bothWays(prefix, selecting([{ key: 'app', values: ['x5'] }]))).items.some((i) => i.key === `${prefix}c/new`));
});

it('pages through the indexed result with limit and startAfterKey', async () => {
  const opts = selecting([{ key: 'app', values: ['x2', 'x4'] }]);
  const seen: string[] = [];
  let startAfterKey: string | undefined;
  for (;;) {
    const page = await bothWays(prefix, { ...opts, limit: 7, startAfterKey });
    seen.push(...page.items.map((i) => i.key));
    if (!page.continueAfterKey) break;
    startAfterKey = page.continueAfterKey;
  }
  const whole = await bothWays(prefix, opts);
  assert.deepEqual(seen, whole.items.map((i) => i.key));
});

it('lists at an older revision by scanning, as the objects were then', async () => {
  const key = `${prefix}a/p000`;
  const then = cache.revision;
  await cache.guaranteedUpdate(key, (cur) => ({ ...cur.object, metadata: { ...cur.object.metadata, labels: { app: 'moved' } } }));
  const past = await bothWays(prefix, { ...selecting([{ key: 'app', values: ['x0'] }]), revision: then });
  assert.ok(past.items.some((i) => i.key === key), 'the old labels still match at the old revision');
  const present = await bothWays(prefix, selecting([{ key: 'app', values: ['x0'] }]));
  assert.ok(!present.items.some((i) => i.key === key));
});
