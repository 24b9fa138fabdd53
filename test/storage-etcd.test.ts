// The storage conformance suite against etcd (a single-member etcd on loopback), bare and
// under the watch cache; and what only etcd gives: two stores on one etcd see each other.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../src/log.ts';
import { EtcdStore } from '../src/storage/etcd.ts';
import { WatchCache } from '../src/storage/watch-cache.ts';
import { startEtcd, type TestEtcd } from './support/etcd.ts';
import { configMap, recordWatch, runStorageConformance } from './storage-conformance.ts';
import { hangGuard } from './support/wait.ts';

const logger = createLogger('silent');
let etcd: TestEtcd;
let stores = 0;

/** Every store gets its own key prefix on the one etcd, so tests cannot see each other. */
async function etcdStore(keyPrefix = `/t${++stores}/`) {
  const store = await EtcdStore.open({ servers: [etcd.url], keyPrefix, logger, compactionIntervalMs: 0 });
  return { store, cleanup: () => store.close() };
}

describe('etcd backend', { timeout: hangGuard(120_000) }, () => {
  before(async () => { etcd = await startEtcd(); });
  after(async () => { await etcd?.stop(); });

  runStorageConformance('EtcdStore', () => etcdStore());
  runStorageConformance('WatchCache over EtcdStore', async () => {
    const { store } = await etcdStore();
    const cache = await WatchCache.create(store, { logger });
    return { store: cache, cleanup: () => cache.close() };
  });

  it('two stores on one etcd: a write through one reaches the other\'s watch cache', async () => {
    const a = await etcdStore("/shared/");
    const b = await etcdStore("/shared/");
    const cacheB = await WatchCache.create(b.store, { logger });
    try {
      const watch = await recordWatch(cacheB, '/registry/core/configmaps/', cacheB.revision);
      const created = await a.store.create('/registry/core/configmaps/default/x', configMap('x', { k: 'v' }));
      const [ev] = await watch.until((evs) => evs.length >= 1);
      assert.equal(ev.type, 'ADDED');
      assert.equal(ev.revision, created.revision);
      assert.deepEqual(ev.current.object.data, { k: 'v' });
      const seen = await cacheB.get('/registry/core/configmaps/default/x');
      assert.equal(seen?.revision, created.revision);
      // A compare-and-swap through B on the version A wrote.
      const updated = await cacheB.guaranteedUpdate('/registry/core/configmaps/default/x', (cur) => ({ ...cur.object, data: { k: 'w' } }));
      assert.ok(updated.revision > created.revision);
      assert.deepEqual((await a.store.get('/registry/core/configmaps/default/x'))?.object.data, { k: 'w' });
      watch.handle.stop();
    } finally {
      await cacheB.close();
      await a.cleanup();
    }
  });
});
