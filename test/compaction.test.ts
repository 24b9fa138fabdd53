// History compaction on disk: many updates to a few keys, then past the history window the
// background compactor drops the history records, LevelDB's files shrink back to about the
// live data, a LIST at a compacted revision is 410 Expired, and the store goes on working.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, stat, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { Level } from 'level';
import { isStatusError } from '../src/api/errors.ts';
import { createLogger } from '../src/log.ts';
import { ResourceCatalog } from '../src/registry/catalog.ts';
import { listObjects } from '../src/registry/list.ts';
import { builtinResources } from '../src/registry/resources/index.ts';
import { historyPrefix, historyRangeEnd, metaCompacted } from '../src/storage/keys.ts';
import { LevelStore } from '../src/storage/leveldb.ts';
import { WatchCache } from '../src/storage/watch-cache.ts';
import { defaultWaitMs, hangGuard } from './support/wait.ts';

const logger = createLogger('silent');
const key = (i: number) => `/registry/core/configmaps/ns/cm${i}`;
/** 4 KiB that LevelDB's compression cannot shrink. */
const padding = () => randomBytes(3072).toString('base64');

async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  // LevelDB may delete a file between the listing and the stat: it then counts nothing.
  for (const name of await readdir(dir)) total += (await stat(join(dir, name)).catch(() => ({ size: 0 }))).size;
  return total;
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, describe?: () => Promise<string>): Promise<void> {
  // A hang guard counted in wall time (the checks themselves take time on a loaded machine).
  const deadline = Date.now() + defaultWaitMs;
  while (!(await check())) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}${describe ? `: ${await describe()}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

it('drops history older than the window from disk and answers 410 for it', { timeout: hangGuard(30_000) }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kubelite-compaction-'));
  try {
    // The writes below must end before the window does (else the compactor starts on them
    // piecemeal and may leave under a thousand dead records uncompacted, which the store
    // allows): 3 s alone, stretched by KUBELITE_TEST_SLOWDOWN for a loaded machine.
    const windowMs = hangGuard(3000);
    const level = await LevelStore.open(dir, { logger, historyWindowMs: windowMs, compactionIntervalMs: 100 });
    const cache = await WatchCache.create(level, { logger, maxEventAgeMs: windowMs });
    const def = new ResourceCatalog(builtinResources()).lookup('', 'v1', 'configmaps')!;
    for (let i = 0; i < 4; i++) await cache.create(key(i), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm${i}`, namespace: 'ns' }, data: { n: '0' } });
    const early = cache.revision;
    await cache.guaranteedUpdate(key(0), (cur) => ({ ...cur.object, data: { n: 'first' } }));
    const page = await listObjects(cache, def, 'ns', { resourceVersion: String(early), resourceVersionMatch: 'Exact' });
    assert.deepEqual(page.items.map((o) => (o.object.data as Record<string, string> | undefined)?.n), ['0', '0', '0', '0'], 'within the window, the early revision is served');
    // 2,000 updates of 4 KiB objects: ~8 MiB of history over 16 KiB of live data.
    const writesStarted = Date.now();
    for (let round = 1; round <= 500; round++) {
      await Promise.all([0, 1, 2, 3].map((i) => cache.guaranteedUpdate(key(i), (cur) => ({ ...cur.object, data: { n: String(round), padding: padding() } }))));
    }
    const written = cache.revision;
    const filled = await dirBytes(dir);
    assert.ok(filled > 2 * 1024 * 1024, `the history should take megabytes on disk, took ${filled}`);
    assert.ok(Date.now() - writesStarted < windowMs, `the writes took ${Date.now() - writesStarted} ms, more than the ${windowMs} ms window: raise KUBELITE_TEST_SLOWDOWN`);

    // Past the window the background compactor drops everything written before it.
    await waitFor('the compactor to pass the writes', () => level.compactedRevision >= written);
    // One more write, so that the watch cache's rings let go of their old events too.
    await cache.guaranteedUpdate(key(0), (cur) => ({ ...cur.object, data: { n: 'last' } }));
    await assert.rejects(
      listObjects(cache, def, 'ns', { resourceVersion: String(early), resourceVersionMatch: 'Exact' }),
      (err) => isStatusError(err, 'Expired') && err.code === 410 && /too old resource version/.test(err.message),
    );
    await assert.rejects(cache.watch('/registry/core/configmaps/', early, () => undefined));
    await waitFor(`the data dir to shrink from ${filled} bytes`, async () => (await dirBytes(dir)) < filled / 4,
      async () => `${await dirBytes(dir)} bytes now, compacted through ${level.compactedRevision} of ${cache.revision}`);
    const live = await cache.list('/registry/core/configmaps/');
    assert.deepEqual(live.items.map((o) => (o.object.data as Record<string, string> | undefined)?.n), ['last', '500', '500', '500']);
    await cache.close();

    // On disk: the mark, and no history record at or below it.
    const db = new Level<string, string>(dir);
    try {
      const compacted = Number(await db.get(metaCompacted));
      assert.ok(compacted >= written, `compaction mark ${compacted} below ${written}`);
      const history = await db.keys({ gte: historyPrefix, lt: historyRangeEnd }).all();
      assert.ok(history.length <= 2, `${history.length} history records remain`);
    } finally {
      await db.close();
    }
    // And the store opens again and takes writes after the compacted revision.
    const reopened = await LevelStore.open(dir, { logger });
    try {
      const next = await reopened.guaranteedUpdate(key(1), (cur) => ({ ...cur.object, data: { n: 'again' } }));
      assert.ok(next.revision > written);
    } finally {
      await reopened.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
