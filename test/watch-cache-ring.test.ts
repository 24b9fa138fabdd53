// The watch cache's event ring as memory: it keeps past versions as JSON only (counted once
// each, however many events share them), rebuilds the events it replays from that JSON, and
// lets a quiet resource's old versions (a deleted object's among them) go once the window has
// passed, not only when that resource next changes. And LevelDB's history records embed each
// version's JSON rather than escape it.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { KubeObject } from '../src/api/types.ts';
import { createLogger } from '../src/log.ts';
import { EventRing } from '../src/storage/event-ring.ts';
import { decodeHistory, encodeHistory } from '../src/storage/history.ts';
import { isStorageError, type StorageEvent, type StoredObject } from '../src/storage/interface.ts';
import { LevelStore } from '../src/storage/leveldb.ts';
import { WatchCache, type WatchCacheOptions } from '../src/storage/watch-cache.ts';
import { configMap, recordWatch } from './storage-conformance.ts';
import { hangGuard, until } from './support/wait.ts';

const logger = createLogger('silent');
const cms = '/registry/core/configmaps/';
const secrets = '/registry/core/secrets/';
const windowMs = 60_000;

async function watchCache(opts: WatchCacheOptions) {
  const dir = await mkdtemp(join(tmpdir(), 'kubelite-ring-'));
  const store = await WatchCache.create(await LevelStore.open(dir, { logger }), { logger, ...opts });
  return { store, cleanup: async () => { await store.close(); await rm(dir, { recursive: true, force: true }); } };
}

function withData(obj: KubeObject, data: Record<string, string>): KubeObject {
  return { ...obj, data };
}

describe('watch cache event ring memory', { timeout: hangGuard(20_000) }, () => {
  it('releases a quiet resource\'s versions, a deleted object\'s too, once the window has passed', async () => {
    let now = 1_000_000;
    const { store, cleanup } = await watchCache({ maxEventAgeMs: windowMs, now: () => now });
    try {
      const big = 'x'.repeat(100_000);
      const created = await store.create(`${cms}ns/big`, configMap('big', { blob: big }));
      const updated = await store.guaranteedUpdate(created.key, (cur) => withData(cur.object, { blob: `${big}2` }));
      const deleted = await store.delete(created.key);
      const ring = () => store.eventWindows().get(cms)!;
      // Three versions, each counted once: the update's and the delete's `prev` share their writers' JSON.
      assert.equal(ring().events, 3);
      assert.equal(ring().bytes, created.json.length + updated.json.length + deleted.json.length);

      now += windowMs / 2;
      await store.create(`${secrets}ns/s`, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'ns' } });
      store.expireEvents();
      assert.equal(ring().events, 3, 'within the window the versions stay');
      const resumed = await recordWatch(store, cms, created.revision - 1);
      await resumed.until((evs) => evs.length >= 3);
      resumed.handle.stop();
      assert.deepEqual(resumed.events.map((e) => [e.type, e.revision]), [['ADDED', created.revision], ['MODIFIED', updated.revision], ['DELETED', deleted.revision]]);
      assert.deepEqual(resumed.events[1].prev?.object, created.object, 'a past version is parsed again from its JSON');
      assert.deepEqual(resumed.events[2].current.object, deleted.object);

      // Past the window, with no write to configmaps since: a sweep (the timer's) drops them all.
      now += windowMs + 1;
      store.expireEvents();
      assert.deepEqual(ring(), { events: 0, bytes: 0, floorRevision: deleted.revision });
      await assert.rejects(store.watch(cms, updated.revision, () => undefined), (err) => isStorageError(err, 'Compacted'));
      const fromFloor = await store.watch(cms, deleted.revision, () => assert.fail('nothing happened since'));
      fromFloor.stop();
      assert.equal(store.eventWindows().get(secrets)!.events, 0, 'every bucket is swept');
    } finally {
      await cleanup();
    }
  });

  it('sweeps on its own timer, with no call and no write', async () => {
    let now = 1_000_000;
    // The shortest window: the timer runs every second.
    const { store, cleanup } = await watchCache({ maxEventAgeMs: 1, now: () => now });
    try {
      await store.create(`${cms}ns/a`, configMap('a'));
      assert.equal(store.eventWindows().get(cms)!.events, 1);
      now += 10;
      await until('the timer to drop the expired event', async () => store.eventWindows().get(cms)!.events === 0);
    } finally {
      await cleanup();
    }
  });

  it('replays the live version as the stored object itself and past ones rebuilt from JSON', async () => {
    const { store, cleanup } = await watchCache({});
    try {
      const a1 = await store.create(`${cms}ns/a`, configMap('a', { v: '1' }));
      const a2 = await store.guaranteedUpdate(a1.key, (cur) => withData(cur.object, { v: '2' }));
      const b1 = await store.create(`${cms}ns/b`, configMap('b', { v: '1' }));
      const replay = await recordWatch(store, cms, a1.revision - 1);
      await replay.until((evs) => evs.length >= 3);
      replay.handle.stop();
      const [added, modified, addedB] = replay.events;
      assert.notEqual(added.current, a1, 'a1 is no longer live: rebuilt');
      assert.deepEqual(added.current.object, a1.object);
      assert.equal(added.current.json, a1.json, 'the JSON is the string the write produced');
      assert.equal(modified.current, await store.get(a1.key), 'the live version is the cached object');
      assert.equal(modified.current, a2);
      assert.deepEqual(modified.prev?.object, a1.object);
      assert.equal(addedB.current, b1);
      // A LIST at a past revision takes the replaced version from the same JSON.
      const past = await store.list(cms, { revision: a1.revision });
      assert.deepEqual(past.items.map((o: StoredObject) => o.object), [a1.object]);
    } finally {
      await cleanup();
    }
  });
});

describe('EventRing bytes', () => {
  const key = '/registry/core/configmaps/ns/a';
  const version = (revision: number, bytes: number): StoredObject => ({ key, object: { metadata: {} }, json: 'x'.repeat(bytes), revision });
  const event = (type: StorageEvent['type'], current: StoredObject, prev?: StoredObject): StorageEvent =>
    (prev ? { type, key, revision: current.revision, current, prev } : { type, key, revision: current.revision, current });

  it('counts a replaced version once while its writer is in the ring, and keeps counting it after the writer leaves', () => {
    const ring = new EventRing(100, 10);
    const v11 = version(11, 100);
    const v12 = version(12, 200);
    ring.push(event('ADDED', v11));
    ring.push(event('MODIFIED', v12, v11));
    assert.equal(ring.bytes, 300, 'v11 is shared by event 11 and event 12\'s prev');
    ring.dropThrough(11);
    assert.equal(ring.bytes, 300, 'event 11 left, but event 12 still holds v11 as its prev');
    ring.dropThrough(12);
    assert.deepEqual(ring.stats, { events: 0, bytes: 0, floorRevision: 12 });
  });

  it('counts a prev from before the floor (the initial load) in full, and never holds a parsed object', () => {
    const ring = new EventRing(100, 10, Infinity, Date.now, 1_000);
    const loaded = version(5, 400);
    ring.push(event('MODIFIED', version(11, 400), loaded));
    assert.equal(ring.bytes, 800);
    const entries = [...ring.after(0)];
    assert.equal(entries.length, 1);
    for (const value of Object.values(entries[0])) assert.ok(typeof value !== 'object', 'entries hold strings and numbers only');
    // 800 + 400 > 1,000: event 11 (and with it the loaded version) leaves.
    ring.push(event('ADDED', { ...version(12, 400), key: `${key}2` }));
    assert.deepEqual(ring.stats, { events: 1, bytes: 400, floorRevision: 11 });
  });

  it('lets the writer of the pushed event\'s prev leave to make room without counting that version twice', () => {
    const ring = new EventRing(100, 10, Infinity, Date.now, 1_000);
    const v11 = version(11, 400);
    ring.push(event('ADDED', v11));
    ring.push(event('MODIFIED', version(12, 700), v11)); // 400 + 700 > 1,000: event 11 leaves; v11 stays as prev
    assert.deepEqual(ring.stats, { events: 1, bytes: 1_100, floorRevision: 11 });
  });
});

describe('history records', () => {
  const key = '/registry/core/configmaps/ns/a,"object":b';
  const object: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a,"object":b', namespace: 'ns', resourceVersion: '7' }, data: { ',"object":': '"}' } };
  const json = JSON.stringify(object);

  it('embed the version\'s JSON unescaped and give back the very text, however the key and data read', () => {
    const value = encodeHistory({ type: 'MODIFIED', key, revision: 7, current: { key, object, json, revision: 7 } });
    assert.ok(value.length < JSON.stringify({ type: 'MODIFIED', key, json }).length, 'no escaping of the object\'s quotes');
    const record = decodeHistory(value);
    assert.deepEqual({ type: record.type, key: record.key, json: record.json }, { type: 'MODIFIED', key, json });
    assert.deepEqual(record.object, object);
  });

  it('still read the earlier format (the JSON as a string) that data dirs hold', () => {
    const record = decodeHistory(JSON.stringify({ type: 'DELETED', key, json }));
    assert.deepEqual({ type: record.type, key: record.key, json: record.json, object: record.object }, { type: 'DELETED', key, json, object: undefined });
  });
});
