// The conformance suite against each backend, plus what only one of them promises: the
// watch cache's snapshots and ring, and LevelDB's durability across a reopen.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createLogger } from '../src/log.ts';
import type { KubeObject } from '../src/api/types.ts';
import {
  isStorageError, type DeleteOptions, type ListOptions, type Storage, type StorageEvent, type StoredObject, type TryUpdate, type UpdateOptions,
} from '../src/storage/interface.ts';
import { LevelStore, type LevelStoreOptions } from '../src/storage/leveldb.ts';
import { WatchCache, type WatchCacheOptions } from '../src/storage/watch-cache.ts';
import { WatcherSet } from '../src/storage/watchers.ts';
import { KeyIndex } from '../src/storage/key-index.ts';
import { EventRing } from '../src/storage/event-ring.ts';
import { configMap, recordWatch, runStorageConformance } from './storage-conformance.ts';
import { hangGuard } from './support/wait.ts';

const logger = createLogger('silent');

/** A reproducible random integer below n (an LCG; its high bits, since the low ones cycle fast). */
function seededRandom(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return Math.floor(state / 65536) % n;
  };
}

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'kubelite-storage-'));
}

async function levelStore(opts: LevelStoreOptions = {}) {
  const dir = await tempDir();
  const store = await LevelStore.open(dir, { logger, ...opts });
  return { store, dir, cleanup: async () => { await store.close(); await rm(dir, { recursive: true, force: true }); } };
}

async function watchCache(opts: WatchCacheOptions = {}) {
  const level = await levelStore();
  const store = await WatchCache.create(level.store, { logger, ...opts });
  // Closing the cache closes its backend.
  return { store, cleanup: async () => { await store.close(); await rm(level.dir, { recursive: true, force: true }); } };
}

runStorageConformance('LevelStore', () => levelStore());
runStorageConformance('WatchCache over LevelStore', () => watchCache());

const cms = '/registry/core/configmaps/';

describe('WatchCache', { timeout: hangGuard(20_000) }, () => {
  it('lists any retained revision as it was (a model of the state checks every one)', async () => {
    const { store, cleanup } = await watchCache();
    try {
      // Random creates, updates and deletes over a few keys; the model records each state.
      const model = new Map<string, StoredObject>();
      const states = new Map<number, string[]>();
      const snapshot = () => [...model.values()].sort((a, b) => (a.key < b.key ? -1 : 1)).map((o) => o.json);
      states.set(store.revision, snapshot());
      const random = seededRandom(7);
      for (let i = 0; i < 150; i++) {
        const k = `${cms}ns${random(2)}/k${random(8)}`;
        const existing = model.get(k);
        let revision: number;
        if (!existing) {
          const created = await store.create(k, configMap(k, { i: String(i) }));
          model.set(k, created);
          revision = created.revision;
        } else if (random(3) === 0) {
          revision = (await store.delete(k)).revision;
          model.delete(k);
        } else {
          const updated = await store.guaranteedUpdate(k, (c) => ({ ...c.object, data: { i: String(i) } }));
          model.set(k, updated);
          revision = updated.revision;
        }
        states.set(revision, snapshot());
        // Writes elsewhere must not disturb this resource's past.
        if (i % 10 === 0) await store.create(`/registry/core/secrets/ns/s${i}`, configMap(`s${i}`));
      }
      let checked = 0;
      for (const [revision, expected] of states) {
        const listed = await store.list(cms, { revision });
        assert.equal(listed.revision, revision);
        assert.deepEqual(listed.items.map((o) => o.json), expected, `state at revision ${revision}`);
        // Pages at the same revision add up to the same list.
        const paged: string[] = [];
        let startAfterKey: string | undefined;
        do {
          const page = await store.list(cms, { revision, limit: 3, startAfterKey });
          paged.push(...page.items.map((o) => o.json));
          startAfterKey = page.continueAfterKey;
        } while (startAfterKey !== undefined);
        assert.deepEqual(paged, expected);
        checked++;
      }
      assert.equal(checked, states.size);
      assert.equal(states.size, 151);
    } finally {
      await cleanup();
    }
  });

  it('a narrower prefix at an older revision sees only its keys', async () => {
    const { store, cleanup } = await watchCache();
    try {
      const a = await store.create(`${cms}ns1/a`, configMap('a'));
      await store.create(`${cms}ns2/b`, configMap('b'));
      const at = store.revision;
      await store.delete(a.key);
      await store.create(`${cms}ns1/c`, configMap('c'));
      const listed = await store.list(`${cms}ns1/`, { revision: at });
      assert.deepEqual(listed.items.map((o) => o.key), [a.key]);
      assert.equal(listed.items[0].json, a.json);
      const now = await store.list(`${cms}ns1/`);
      assert.deepEqual(now.items.map((o) => o.key), [`${cms}ns1/c`]);
    } finally {
      await cleanup();
    }
  });

  it('answers Compacted once the ring no longer covers a revision, per bucket', async () => {
    const { store, cleanup } = await watchCache({ eventsPerBucket: 5 });
    try {
      const start = store.revision;
      await store.create('/registry/core/secrets/ns/quiet', configMap('quiet'));
      const written: StoredObject[] = [];
      for (let i = 0; i < 8; i++) written.push(await store.create(`${cms}ns/c${i}`, configMap(`c${i}`)));
      const floor = store.snapshotRevisionFloor(cms);
      assert.equal(floor, written[2].revision, 'the ring keeps the last 5 events');
      await assert.rejects(store.watch(cms, start, () => undefined), (err) => isStorageError(err, 'Compacted'));
      await assert.rejects(store.list(cms, { revision: floor - 1 }), (err) => isStorageError(err, 'Compacted'));
      const watched = await recordWatch(store, cms, floor);
      assert.deepEqual(watched.events.map((e) => e.revision), written.slice(3).map((w) => w.revision));
      watched.handle.stop();
      const atFloor = await store.list(cms, { revision: floor });
      assert.deepEqual(atFloor.items.map((o) => o.key), written.slice(0, 3).map((w) => w.key));
      // The quiet resource kept all of its (one) event.
      assert.equal(store.snapshotRevisionFloor('/registry/core/secrets/'), start);
      const quiet = await recordWatch(store, '/registry/core/secrets/', start);
      assert.equal(quiet.events.length, 1);
      quiet.handle.stop();
      assert.equal(store.compactedRevision, floor);
    } finally {
      await cleanup();
    }
  });

  it('serves what the backend held before the cache started, and follows it from there', async () => {
    const level = await levelStore();
    const before = await level.store.create(`${cms}ns/old`, configMap('old'));
    const cache = await WatchCache.create(level.store, { logger });
    try {
      assert.equal(cache.revision, before.revision);
      assert.equal((await cache.get(before.key))?.json, before.json);
      // From before the cache started, the backend's history replays (a watch resumed across a restart).
      const resumed = await recordWatch(cache, cms, before.revision - 1);
      const updated = await cache.guaranteedUpdate(before.key, (c) => ({ ...c.object, data: { v: '2' } }));
      assert.equal((await cache.get(before.key))?.revision, updated.revision, 'a GET after the write sees it');
      await resumed.until((evs) => evs.length >= 2);
      assert.deepEqual(resumed.events.map((e) => [e.type, e.revision]), [['ADDED', before.revision], ['MODIFIED', updated.revision]]);
      resumed.handle.stop();
      await level.store.compact(before.revision);
      await assert.rejects(cache.watch(cms, before.revision - 1, () => undefined), (err) => isStorageError(err, 'Compacted'));
    } finally {
      await cache.close();
      await rm(level.dir, { recursive: true, force: true });
    }
  });

  it('a watcher that throws harms neither the cache nor the other watchers', async () => {
    const { store, cleanup } = await watchCache();
    try {
      const broken = await store.watch(cms, store.revision, () => { throw new Error('slow consumer gone'); });
      const healthy = await recordWatch(store, cms, store.revision);
      const a = await store.create(`${cms}ns/a`, configMap('a'));
      const b = await store.create(`${cms}ns/b`, configMap('b'));
      await healthy.until((evs) => evs.length >= 2);
      assert.deepEqual(healthy.events.map((e) => e.revision), [a.revision, b.revision]);
      const replayed = await recordWatch(store, cms, a.revision - 1);
      // The ring keeps JSON only, but a version still live is replayed as the very object the live watchers got (one encoding).
      assert.equal(replayed.events[0].current, healthy.events[0].current, 'one stored version, shared by live and replaying watchers');
      replayed.handle.stop();
      assert.equal((await store.get(b.key))?.revision, b.revision);
      broken.stop();
      healthy.handle.stop();
    } finally {
      await cleanup();
    }
  });
});

/** A backend whose watch events arrive late, as they would from etcd: the cache must wait for them. */
class LaggingWatchBackend implements Storage {
  constructor(private readonly inner: Storage) {}
  get revision() { return this.inner.revision; }
  get compactedRevision() { return this.inner.compactedRevision; }
  get(key: string) { return this.inner.get(key); }
  list(prefix: string, opts?: ListOptions) { return this.inner.list(prefix, opts); }
  create(key: string, obj: KubeObject) { return this.inner.create(key, obj); }
  guaranteedUpdate(key: string, tryUpdate: TryUpdate, opts?: UpdateOptions) { return this.inner.guaranteedUpdate(key, tryUpdate, opts); }
  delete(key: string, opts?: DeleteOptions) { return this.inner.delete(key, opts); }
  compact(revision: number) { return this.inner.compact(revision); }
  close() { return this.inner.close(); }
  watch(prefix: string, fromRevision: number, onEvent: (ev: StorageEvent) => void) {
    return this.inner.watch(prefix, fromRevision, (ev) => setTimeout(() => onEvent(ev), 5));
  }
}

describe('WatchCache over a backend whose events lag', { timeout: hangGuard(20_000) }, () => {
  it('acknowledges a write only once the cache has applied it', async () => {
    const level = await levelStore();
    const cache = await WatchCache.create(new LaggingWatchBackend(level.store), { logger });
    try {
      const created = await cache.create(`${cms}ns/a`, configMap('a'));
      assert.equal((await cache.get(created.key))?.revision, created.revision);
      assert.equal(cache.revision, created.revision);
      const updated = await cache.guaranteedUpdate(created.key, (c) => ({ ...c.object, data: { v: '2' } }));
      assert.equal((await cache.list(cms)).items[0].revision, updated.revision);
      await cache.delete(created.key);
      assert.equal(await cache.get(created.key), undefined);
    } finally {
      await cache.close();
      await rm(level.dir, { recursive: true, force: true });
    }
  });
});

describe('LevelStore', { timeout: hangGuard(20_000) }, () => {
  it('restores objects, revision and history on reopen; revisions keep growing', async () => {
    const dir = await tempDir();
    try {
      const first = await LevelStore.open(dir, { logger });
      const a = await first.create(`${cms}ns/a`, configMap('a'));
      const b = await first.create(`${cms}ns/b`, configMap('b'));
      const a2 = await first.guaranteedUpdate(a.key, (c) => ({ ...c.object, data: { v: '2' } }));
      const bGone = await first.delete(b.key);
      await first.compact(a.revision);
      await first.close();

      const second = await LevelStore.open(dir, { logger });
      try {
        assert.equal(second.revision, bGone.revision);
        assert.equal(second.compactedRevision, a.revision);
        assert.equal((await second.get(a.key))?.json, a2.json);
        assert.equal(await second.get(b.key), undefined);
        assert.deepEqual((await second.list(cms)).items.map((o) => o.revision), [a2.revision]);
        const watched = await recordWatch(second, cms, a.revision);
        assert.deepEqual(watched.events.map((e) => [e.type, e.revision]), [['ADDED', b.revision], ['MODIFIED', a2.revision], ['DELETED', bGone.revision]]);
        watched.handle.stop();
        const c = await second.create(`${cms}ns/c`, configMap('c'));
        assert.ok(c.revision > bGone.revision);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('compacts history older than the window in the background', async () => {
    const { store, cleanup } = await levelStore({ historyWindowMs: 0, compactionIntervalMs: 10 });
    try {
      const a = await store.create(`${cms}ns/a`, configMap('a'));
      await store.create(`${cms}ns/b`, configMap('b'));
      while (store.compactedRevision < a.revision) await new Promise((resolve) => setTimeout(resolve, 10));
      await assert.rejects(store.watch(cms, 0, () => undefined), (err) => isStorageError(err, 'Compacted'));
      assert.ok(await store.get(a.key));
    } finally {
      await cleanup();
    }
  });

  it('serves only the current state from list; older revisions are the watch cache\'s', async () => {
    const { store, cleanup } = await levelStore();
    try {
      const a = await store.create(`${cms}ns/a`, configMap('a'));
      await store.create(`${cms}ns/b`, configMap('b'));
      await assert.rejects(store.list(cms, { revision: a.revision }), (err) => isStorageError(err, 'Compacted'));
      assert.equal((await store.list(cms, { revision: store.revision })).items.length, 2);
    } finally {
      await cleanup();
    }
  });
});

describe('Watcher (the subscribe, replay, release recipe)', () => {
  const event = (revision: number, key = `${cms}ns/k${revision}`): StorageEvent => {
    const object = { ...configMap(key), metadata: { name: key, resourceVersion: String(revision) } };
    return { type: 'ADDED', key, revision, current: { key, object, json: JSON.stringify(object), revision } };
  };

  it('merges held live events with the replay: nothing lost, nothing twice, in order', () => {
    const set = new WatcherSet(logger);
    const got: number[] = [];
    const watcher = set.add(cms, 3, (ev) => got.push(ev.revision), true);
    // Live events 6..8 arrive while history 4..7 is replayed (6 and 7 are in both).
    set.dispatch(event(6));
    set.dispatch(event(7));
    for (const r of [4, 5, 6, 7]) watcher.deliver(event(r));
    set.dispatch(event(8));
    assert.deepEqual(got, [4, 5, 6, 7], 'live events wait for the replay');
    watcher.goLive();
    set.dispatch(event(9));
    set.dispatch(event(9));
    set.dispatch(event(10, '/registry/core/secrets/ns/x'));
    assert.deepEqual(got, [4, 5, 6, 7, 8, 9]);
    watcher.stop();
    set.dispatch(event(11));
    assert.deepEqual(got, [4, 5, 6, 7, 8, 9]);
    assert.equal(set.size, 0);
  });

  it('drops events not newer than the starting revision', () => {
    const set = new WatcherSet(logger);
    const got: number[] = [];
    set.add(cms, 5, (ev) => got.push(ev.revision));
    for (const r of [4, 5, 6]) set.dispatch(event(r));
    assert.deepEqual(got, [6]);
  });
});

describe('KeyIndex', () => {
  const stored = (key: string): StoredObject => ({ key, object: { metadata: { name: key } }, json: '{}', revision: 1 });

  it('keeps key order through adds, deletes and re-adds, few or many between lists', () => {
    const index = new KeyIndex();
    const model = new Set<string>();
    const random = seededRandom(11);
    for (let round = 0; round < 60; round++) {
      // Some rounds change a handful of keys (spliced in), others hundreds (re-sorted).
      const changes = round % 3 === 0 ? 300 : 1 + random(5);
      for (let i = 0; i < changes; i++) {
        const key = `/registry/core/pods/ns${random(3)}/p${random(400)}`;
        if (random(3) === 0) { index.delete(key); model.delete(key); } else { index.set(stored(key)); model.add(key); }
      }
      const expected = [...model].sort();
      assert.deepEqual([...index.range('/registry/core/pods/')].map((o) => o.key), expected);
      const ns1 = expected.filter((k) => k.startsWith('/registry/core/pods/ns1/'));
      assert.deepEqual([...index.range('/registry/core/pods/ns1/')].map((o) => o.key), ns1);
      if (ns1.length > 2) {
        assert.deepEqual([...index.range('/registry/core/pods/ns1/', ns1[1])].map((o) => o.key), ns1.slice(2));
        assert.equal(index.countAfter('/registry/core/pods/ns1/', ns1[1]), ns1.length - 2);
      }
    }
  });

  it('keeps key order when keys arrive in order (a load), with lists, deletes and out-of-order keys between', () => {
    const index = new KeyIndex();
    const model = new Set<string>();
    const check = () => assert.deepEqual([...index.range('/registry/')].map((o) => o.key), [...model].sort());
    const key = (i: number) => `/registry/core/configmaps/ns/c${String(i).padStart(5, '0')}`;
    for (let i = 0; i < 500; i += 2) { index.set(stored(key(i))); model.add(key(i)); }
    check();
    for (let i = 500; i < 600; i++) { index.set(stored(key(i))); model.add(key(i)); } // after a list: still appended
    index.delete(key(10)); model.delete(key(10));
    index.set(stored(key(700))); model.add(key(700)); // a delete is pending: this one is noted, not appended
    check();
    for (const i of [1, 3, 801, 5, 800]) { index.set(stored(key(i))); model.add(key(i)); } // in the middle, then past the end
    check();
    assert.equal(index.countAfter('/registry/core/configmaps/ns/', key(700)), 2);
  });
});

describe('EventRing window', () => {
  const ev = (revision: number) => ({ type: 'MODIFIED', key: `/registry/core/configmaps/ns/c${revision}`, revision, current: { key: '', object: { metadata: {} }, json: '{}', revision } }) as StorageEvent;

  it('is bounded by count: the oldest events leave and the floor rises', () => {
    const ring = new EventRing(3, 10);
    for (let rev = 11; rev <= 15; rev++) ring.push(ev(rev));
    assert.equal(ring.size, 3);
    assert.equal(ring.floorRevision, 12);
    assert.deepEqual([...ring.after(0)].map((e) => e.revision), [13, 14, 15]);
  });

  it('is bounded by age: events older than the window leave on the next push', () => {
    let now = 1_000;
    const ring = new EventRing(100, 10, 5_000, () => now);
    ring.push(ev(11));
    now += 2_000;
    ring.push(ev(12));
    now += 4_000; // event 11 is now 6 s old, event 12 4 s old
    ring.push(ev(13));
    assert.deepEqual([...ring.after(0)].map((e) => e.revision), [12, 13]);
    assert.equal(ring.floorRevision, 11);
  });

  it('is bounded by bytes: big versions push the oldest out, and compaction gives their bytes back', () => {
    const sized = (revision: number, bytes: number) => {
      const e = ev(revision);
      return { ...e, current: { ...e.current, json: 'x'.repeat(bytes) } } as StorageEvent;
    };
    const ring = new EventRing(100, 10, Infinity, Date.now, 1_000);
    ring.push(sized(11, 400));
    ring.push(sized(12, 400));
    assert.equal(ring.bytes, 800);
    ring.push(sized(13, 400)); // 1,200 > 1,000: event 11 leaves
    assert.deepEqual([...ring.after(0)].map((e) => e.revision), [12, 13]);
    assert.equal(ring.floorRevision, 11);
    assert.equal(ring.bytes, 800);
    ring.push(sized(14, 5_000)); // bigger than the bound alone: it is kept, everything before it leaves
    assert.deepEqual([...ring.after(0)].map((e) => e.revision), [14]);
    assert.equal(ring.bytes, 5_000);
    ring.dropThrough(14);
    assert.equal(ring.size, 0);
    assert.equal(ring.bytes, 0);
  });
});
