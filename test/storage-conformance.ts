// The storage conformance suite (as k8s.io/apiserver's storage/testing/store_tests.go): every
// backend — LevelDB, the watch cache over it, etcd later — must pass it unchanged.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../src/api/types.ts';
import { isStorageError, type Storage, type StorageEvent, type StoredObject, type WatchHandle } from '../src/storage/interface.ts';
import { hangGuard } from './support/wait.ts';

export interface StoreUnderTest {
  store: Storage;
  cleanup(): Promise<void>;
}

const pods = '/registry/core/pods/';
const key = (ns: string, name: string) => `${pods}${ns}/${name}`;

export function configMap(name: string, data: Record<string, string> = {}, labels?: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', ...(labels && { labels }) }, data };
}

/** A watch that records what it receives; `until` resolves once the record satisfies a condition. */
export interface RecordedWatch {
  events: StorageEvent[];
  handle: WatchHandle;
  until(done: (events: StorageEvent[]) => boolean): Promise<StorageEvent[]>;
}

export async function recordWatch(store: Storage, prefix: string, fromRevision: number): Promise<RecordedWatch> {
  const events: StorageEvent[] = [];
  const waiting = new Set<() => void>();
  const handle = await store.watch(prefix, fromRevision, (ev) => {
    events.push(ev);
    for (const check of waiting) check();
  });
  const until = (done: (evs: StorageEvent[]) => boolean) => new Promise<StorageEvent[]>((resolve) => {
    const check = () => {
      if (!done(events)) return;
      waiting.delete(check);
      resolve(events);
    };
    waiting.add(check);
    check();
  });
  return { events, handle, until };
}

const atLeast = (n: number) => (events: StorageEvent[]) => events.length >= n;
const reached = (revision: number) => (events: StorageEvent[]) => events.length > 0 && events[events.length - 1].revision >= revision;

export function runStorageConformance(name: string, makeStore: () => Promise<StoreUnderTest>): void {
  /** Runs `fn` against a fresh store, always cleaning up. */
  const withStore = (fn: (store: Storage) => Promise<void>) => async () => {
    const { store, cleanup } = await makeStore();
    try {
      await fn(store);
    } finally {
      await cleanup();
    }
  };

  describe(`storage conformance: ${name}`, { timeout: hangGuard(20_000) }, () => {
    it('creates, gets, and refuses a second create with KeyExists', withStore(async (store) => {
      const before = store.revision;
      const input = configMap('a', { k: 'v' });
      const created = await store.create(key('ns', 'a'), input);
      assert.ok(created.revision > before);
      assert.equal(store.revision, created.revision);
      assert.equal(created.object.metadata.resourceVersion, String(created.revision));
      assert.deepEqual(JSON.parse(created.json), created.object);
      assert.equal(input.metadata.resourceVersion, undefined, 'the caller\'s object is not mutated');
      const got = await store.get(key('ns', 'a'));
      assert.equal(got?.json, created.json);
      assert.equal(got?.revision, created.revision);
      assert.equal(await store.get(key('ns', 'missing')), undefined);
      await assert.rejects(store.create(key('ns', 'a'), configMap('a')), (err) => isStorageError(err, 'KeyExists'));
      assert.equal(store.revision, created.revision, 'a refused create writes nothing');
    }));

    it('concurrent creates of one key: exactly one wins', withStore(async (store) => {
      const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => store.create(key('ns', 'x'), configMap('x', { i: String(i) }))));
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of results) if (r.status === 'rejected') assert.ok(isStorageError(r.reason, 'KeyExists'));
    }));

    it('guaranteedUpdate is a compare-and-swap: 50 concurrent increments lose nothing', withStore(async (store) => {
      const k = key('ns', 'counter');
      await store.create(k, configMap('counter', { n: '0' }));
      const results = await Promise.all(Array.from({ length: 50 }, () => store.guaranteedUpdate(k, async (current) => {
        const n = Number((current.object.data as Record<string, string>).n);
        // Yield so that the other updates interleave between read and write.
        await new Promise((resolve) => setImmediate(resolve));
        return { ...current.object, data: { n: String(n + 1) } };
      })));
      const final = await store.get(k);
      assert.deepEqual(final?.object.data, { n: '50' });
      const byRevision = [...results].sort((a, b) => a.revision - b.revision);
      byRevision.forEach((r, i) => {
        if (i > 0) assert.ok(r.revision > byRevision[i - 1].revision, 'revisions strictly increase');
        assert.deepEqual(r.object.data, { n: String(i + 1) }, 'each update saw the one before it');
      });
      assert.equal(final?.revision, byRevision[49].revision);
    }));

    it('guaranteedUpdate passes the current version and fails with NotFound on a missing key', withStore(async (store) => {
      const k = key('ns', 'u');
      const created = await store.create(k, configMap('u', { a: '1' }));
      let seen: StoredObject | undefined;
      const updated = await store.guaranteedUpdate(k, (current) => {
        seen = current;
        return { ...current.object, data: { a: '2' } };
      });
      assert.equal(seen?.revision, created.revision);
      assert.ok(updated.revision > created.revision);
      assert.equal(updated.object.metadata.resourceVersion, String(updated.revision));
      await assert.rejects(store.guaranteedUpdate(key('ns', 'nope'), (c) => c.object), (err) => isStorageError(err, 'NotFound'));
    }));

    it('a tryUpdate that throws aborts the update', withStore(async (store) => {
      const k = key('ns', 't');
      const created = await store.create(k, configMap('t'));
      await assert.rejects(store.guaranteedUpdate(k, () => { throw new Error('refused'); }), /refused/);
      assert.equal(store.revision, created.revision);
      assert.equal((await store.get(k))?.revision, created.revision);
    }));

    it('an update that changes nothing writes nothing', withStore(async (store) => {
      const k = key('ns', 'same');
      const created = await store.create(k, configMap('same', { a: '1', b: '2' }, { app: 'x' }));
      const watched = await recordWatch(store, pods, created.revision);
      const result = await store.guaranteedUpdate(k, (current) => {
        // Equal apart from key order and resourceVersion: still no change.
        const { data, metadata, ...rest } = structuredClone(current.object);
        return { data: { b: '2', a: '1' }, ...rest, metadata: { ...metadata, resourceVersion: '999' } } as KubeObject;
      });
      assert.equal(result.revision, created.revision);
      assert.equal(store.revision, created.revision);
      const next = await store.guaranteedUpdate(k, (c) => ({ ...c.object, data: { a: 'changed' } }));
      assert.equal(next.revision, created.revision + 1, 'the no-op used no revision');
      const [first] = await watched.until(atLeast(1));
      watched.handle.stop();
      assert.equal(first.revision, next.revision, 'the no-op sent no event');
    }));

    it('deletes: resolves with the last state at the deletion revision, then NotFound', withStore(async (store) => {
      const k = key('ns', 'd');
      const created = await store.create(k, configMap('d', { a: '1' }));
      const deleted = await store.delete(k);
      assert.ok(deleted.revision > created.revision);
      assert.equal(deleted.object.metadata.resourceVersion, String(deleted.revision));
      assert.deepEqual(deleted.object.data, { a: '1' });
      assert.equal(store.revision, deleted.revision);
      assert.equal(await store.get(k), undefined);
      await assert.rejects(store.delete(k), (err) => isStorageError(err, 'NotFound'));
      await assert.rejects(store.guaranteedUpdate(k, (c) => c.object), (err) => isStorageError(err, 'NotFound'));
      const recreated = await store.create(k, configMap('d'));
      assert.ok(recreated.revision > deleted.revision);
    }));

    it('a delete precondition sees the current version and can refuse', withStore(async (store) => {
      const k = key('ns', 'p');
      await store.create(k, configMap('p'));
      const updated = await store.guaranteedUpdate(k, (c) => ({ ...c.object, data: { v: '2' } }));
      let seen: StoredObject | undefined;
      await assert.rejects(store.delete(k, {
        precondition: (current) => {
          seen = current;
          throw new Error('uid mismatch');
        },
      }), /uid mismatch/);
      assert.equal(seen?.revision, updated.revision);
      assert.equal((await store.get(k))?.revision, updated.revision, 'still there');
      assert.equal(store.revision, updated.revision);
      const deleted = await store.delete(k, { precondition: () => undefined });
      assert.ok(deleted.revision > updated.revision);
    }));

    it('lists in key order, isolated by prefix', withStore(async (store) => {
      for (const name of ['c', 'a', 'b']) await store.create(key('ns1', name), configMap(name));
      await store.create(key('ns10', 'a'), configMap('a'));
      await store.create('/registry/core/podtemplates/ns1/a', configMap('a'));
      await store.create('/registry/core/pod/x', configMap('x'));
      const ns1 = await store.list(`${pods}ns1/`);
      assert.deepEqual(ns1.items.map((i) => i.key), [key('ns1', 'a'), key('ns1', 'b'), key('ns1', 'c')]);
      assert.equal(ns1.revision, store.revision);
      assert.equal(ns1.continueAfterKey, undefined);
      const all = await store.list(pods);
      assert.deepEqual(all.items.map((i) => i.key), [key('ns1', 'a'), key('ns1', 'b'), key('ns1', 'c'), key('ns10', 'a')]);
      const everything = await store.list('/registry/');
      assert.equal(everything.items.length, 6);
      assert.deepEqual(everything.items.map((i) => i.key), everything.items.map((i) => i.key).sort());
      assert.deepEqual((await store.list('/registry/apps/')).items, []);
    }));

    it('paginates with predicate, limit and startAfterKey', withStore(async (store) => {
      const names = Array.from({ length: 11 }, (_, i) => `n${String(i).padStart(2, '0')}`);
      for (const [i, name] of names.entries()) {
        await store.create(key('ns', name), configMap(name, {}, { parity: i % 2 ? 'odd' : 'even' }));
      }
      const even = (obj: KubeObject) => obj.metadata.labels?.parity === 'even';
      const pages: string[][] = [];
      let startAfterKey: string | undefined;
      for (;;) {
        const page = await store.list(pods, { predicate: even, limit: 2, startAfterKey });
        pages.push(page.items.map((i) => i.object.metadata.name!));
        if (page.continueAfterKey === undefined) break;
        assert.equal(page.continueAfterKey, page.items[page.items.length - 1].key);
        startAfterKey = page.continueAfterKey;
      }
      assert.deepEqual(pages, [['n00', 'n02'], ['n04', 'n06'], ['n08', 'n10']], 'no empty last page');
      const first = await store.list(pods, { limit: 4 });
      assert.equal(first.items.length, 4);
      assert.equal(first.remaining, 7);
      const rest = await store.list(pods, { startAfterKey: first.continueAfterKey });
      assert.deepEqual(rest.items.map((i) => i.object.metadata.name), names.slice(4));
      assert.equal(rest.continueAfterKey, undefined);
    }));

    it('watch from a revision delivers exactly the later events, in order, once', withStore(async (store) => {
      const a = await store.create(key('ns', 'a'), configMap('a'));
      const from = store.revision;
      const b = await store.create(key('ns', 'b'), configMap('b'));
      await store.create('/registry/core/secrets/ns/b', configMap('b'));
      const a2 = await store.guaranteedUpdate(a.key, (c) => ({ ...c.object, data: { v: '2' } }));
      const bGone = await store.delete(b.key);
      const watched = await recordWatch(store, pods, from);
      const c = await store.create(key('ns', 'c'), configMap('c'));
      const events = await watched.until(reached(c.revision));
      watched.handle.stop();
      assert.deepEqual(events.map((e) => [e.type, e.key, e.revision]), [
        ['ADDED', b.key, b.revision], ['MODIFIED', a.key, a2.revision], ['DELETED', b.key, bGone.revision], ['ADDED', c.key, c.revision],
      ]);
      assert.equal(events[2].current.object.metadata.resourceVersion, String(bGone.revision));
      assert.equal(events[3].current.json, c.json);
    }));

    it('watch opened while writes run misses nothing and repeats nothing', withStore(async (store) => {
      const seed = await store.create(key('ns', 'seed'), configMap('seed'));
      // History to replay outside the prefix, so that the replay spans many reads while live events arrive.
      await Promise.all(Array.from({ length: 3000 }, (_, i) => store.create(`/registry/core/secrets/bulk/b${i}`, configMap(`b${i}`))));
      // A writer that keeps going, batch after batch, while the watch below is being opened.
      const writer = (async () => {
        const results: StoredObject[] = [];
        for (let i = 0; i < 40; i++) {
          const k = i % 3 === 0 ? `/registry/core/secrets/ns/s${i}` : key('ns', `o${i}`);
          results.push(...await Promise.all([
            store.create(k, configMap(`o${i}`)),
            store.guaranteedUpdate(seed.key, (c) => ({ ...c.object, data: { i: String(i) } })),
          ]));
        }
        return results;
      })();
      while (store.revision < seed.revision + 3010) await new Promise((resolve) => setImmediate(resolve));
      // From a revision already passed: history replay and live events overlap here.
      const watched = await recordWatch(store, pods, seed.revision);
      const results = await writer;
      const expected = results.filter((r) => r.key.startsWith(pods)).map((r) => r.revision).sort((x, y) => x - y);
      // A write after all the others: once its event arrives, every earlier one has too.
      const sentinel = await store.create(key('ns', 'sentinel'), configMap('sentinel'));
      const events = await watched.until(reached(sentinel.revision));
      watched.handle.stop();
      assert.deepEqual(events.map((e) => e.revision), [...expected, sentinel.revision]);
      assert.ok(events.every((e) => e.key.startsWith(pods)));
    }));

    it('live events carry the version they replaced', withStore(async (store) => {
      const created = await store.create(key('ns', 'l'), configMap('l'));
      const watched = await recordWatch(store, pods, store.revision);
      const updated = await store.guaranteedUpdate(created.key, (c) => ({ ...c.object, data: { v: '2' } }));
      await store.delete(created.key);
      const [modified, deleted] = await watched.until(atLeast(2));
      watched.handle.stop();
      assert.equal(modified.type, 'MODIFIED');
      assert.equal(modified.prev?.revision, created.revision);
      assert.equal(deleted.type, 'DELETED');
      assert.equal(deleted.prev?.revision, updated.revision);
    }));

    it('a stopped watch receives nothing more', withStore(async (store) => {
      const received: StorageEvent[] = [];
      const handle = await store.watch(pods, store.revision, (ev) => received.push(ev));
      const first = await store.create(key('ns', 'one'), configMap('one'));
      handle.stop();
      await store.create(key('ns', 'two'), configMap('two'));
      // A second watch proves the second write was dispatched before we look.
      const later = await recordWatch(store, pods, first.revision);
      await later.until(atLeast(1));
      later.handle.stop();
      assert.deepEqual(received.map((e) => e.revision), [first.revision]);
    }));

    it('watch from before a compaction fails with Compacted', withStore(async (store) => {
      const a = await store.create(key('ns', 'a'), configMap('a'));
      const b = await store.create(key('ns', 'b'), configMap('b'));
      const c = await store.create(key('ns', 'c'), configMap('c'));
      await store.compact(b.revision);
      assert.ok(store.compactedRevision >= b.revision);
      await assert.rejects(store.watch(pods, a.revision, () => undefined), (err) => isStorageError(err, 'Compacted'));
      const watched = await recordWatch(store, pods, b.revision);
      const events = await watched.until(atLeast(1));
      watched.handle.stop();
      assert.deepEqual(events.map((e) => e.revision), [c.revision]);
      assert.ok(await store.get(a.key), 'compaction drops history, not objects');
    }));

    it('refuses every call after close with Closed', withStore(async (store) => {
      await store.create(key('ns', 'a'), configMap('a'));
      await store.close();
      await assert.rejects(store.get(key('ns', 'a')), (err) => isStorageError(err, 'Closed'));
      await assert.rejects(store.create(key('ns', 'b'), configMap('b')), (err) => isStorageError(err, 'Closed'));
      await assert.rejects(store.watch(pods, 0, () => undefined), (err) => isStorageError(err, 'Closed'));
    }));
  });
}
