// The shared informer keeps an exact mirror of the server through creates, updates, deletes,
// watch restarts, cut connections and 410 relists — against an in-memory fake API server that
// can break things on demand, and then against kubelite itself when it starts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { KubeObject } from '../src/api/types.ts';
import { SharedInformer, type DeleteInfo } from '../src/client/informer.ts';
import { ApiClient } from '../src/client/rest.ts';
import { resources } from '../src/client/resource.ts';
import { FakeApiServer } from '../src/client/testing/fake-apiserver.ts';
import { startTestServer, type TestServer } from './support/server.ts';

const configMaps = resources.configMaps;

/** mulberry32: a seeded PRNG, so a failing sequence of operations can be replayed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Delivered =
  | { type: 'add'; key: string; rv: string }
  | { type: 'update'; key: string; oldRv: string; rv: string }
  | { type: 'delete'; key: string; rv: string; finalStateUnknown: boolean };

/**
 * A mirror fed only by the informer's handlers, which records every delivery and every
 * contract violation: an add for a key it holds, an update whose old object is not the one
 * it holds or whose resourceVersion did not move, a delete for a key it does not hold.
 */
class Mirror {
  readonly objects = new Map<string, KubeObject>();
  readonly log: Delivered[] = [];
  readonly violations: string[] = [];

  attach(informer: SharedInformer): void {
    informer.addEventHandler({
      onAdd: (obj) => {
        const key = keyOf(obj);
        if (this.objects.has(key)) this.violations.push(`add of present ${key}@${rv(obj)}`);
        this.objects.set(key, obj);
        this.log.push({ type: 'add', key, rv: rv(obj) });
      },
      onUpdate: (oldObj, newObj) => {
        const key = keyOf(newObj);
        const held = this.objects.get(key);
        if (!held) this.violations.push(`update of absent ${key}`);
        else if (rv(held) !== rv(oldObj)) this.violations.push(`update of ${key} from ${rv(oldObj)}, mirror holds ${rv(held)}`);
        if (rv(oldObj) === rv(newObj)) this.violations.push(`update of ${key} without a new resourceVersion (${rv(newObj)})`);
        this.objects.set(key, newObj);
        this.log.push({ type: 'update', key, oldRv: rv(oldObj), rv: rv(newObj) });
      },
      onDelete: (obj, info: DeleteInfo) => {
        const key = keyOf(obj);
        if (!this.objects.delete(key)) this.violations.push(`delete of absent ${key}`);
        this.log.push({ type: 'delete', key, rv: rv(obj), finalStateUnknown: info.finalStateUnknown });
      },
    });
  }

  summary(): Map<string, string> {
    return new Map([...this.objects].map(([k, o]) => [k, `${rv(o)}:${JSON.stringify(o.data)}`]));
  }
}

function keyOf(obj: KubeObject): string {
  return `${obj.metadata.namespace}/${obj.metadata.name}`;
}

function rv(obj: KubeObject): string {
  return obj.metadata.resourceVersion ?? '';
}

function serverSummary(server: FakeApiServer): Map<string, string> {
  return new Map([...server.state('', 'configmaps')].map(([k, o]) => [k, `${rv(o)}:${JSON.stringify(o.data)}`]));
}

async function until(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await delay(5);
  }
}

function configMap(namespace: string, name: string, data: Record<string, string>): KubeObject {
  return { metadata: { name, namespace }, data };
}

describe('SharedInformer against a fake API server', () => {
  let server: FakeApiServer;
  let client: ApiClient;
  const informers: SharedInformer[] = [];

  before(async () => {
    server = await new FakeApiServer().start();
    client = new ApiClient({ server: server.url, namespace: 'default' }, { qps: 0 });
  });
  after(async () => {
    await Promise.all(informers.map((i) => i.stop()));
    await server.stop();
    client.close();
  });

  function newInformer(opts: ConstructorParameters<typeof SharedInformer>[2] = {}): { informer: SharedInformer; mirror: Mirror; errors: unknown[] } {
    const errors: unknown[] = [];
    const informer = new SharedInformer(client, configMaps, {
      pageSize: 7, backoff: { initialMs: 5, maxMs: 50 }, onError: (err) => errors.push(err), ...opts,
    });
    const mirror = new Mirror();
    mirror.attach(informer);
    informers.push(informer);
    return { informer, mirror, errors };
  }

  it('keeps an exact mirror through 300 random writes, watch restarts, cut connections and a 410 relist', async () => {
    const random = prng(42);
    const names = Array.from({ length: 40 }, (_, i) => `cm-${i}`);
    const namespaces = ['alpha', 'beta'];
    const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)];
    for (let i = 0; i < 20; i++) await client.create(configMaps, configMap(pick(namespaces), `seed-${i}`, { i: String(i) }));

    const { informer, mirror } = newInformer();
    informer.run();
    assert.equal(await informer.waitForSync(), true);
    assert.deepEqual(mirror.summary(), serverSummary(server), 'the first (paged) list is mirrored');
    assert.ok(server.requests.some((r) => r.url.includes('continue=')), 'the list was paged');

    const listsBefore = listCount(server);
    const watchesResumed = () => server.requests.filter((r) => r.url.includes('watch=true') && /resourceVersion=[1-9]/.test(r.url)).length;
    for (let op = 0; op < 300; op++) {
      const live = [...server.state('', 'configmaps').keys()];
      const roll = random();
      if (roll < 0.4 || live.length === 0) {
        const ns = pick(namespaces);
        const name = pick(names);
        if (!server.state('', 'configmaps').has(`${ns}/${name}`)) await client.create(configMaps, configMap(ns, name, { v: `ü€-${op}` }));
      } else if (roll < 0.75) {
        const [ns, name] = pick(live).split('/');
        const current = await client.get(configMaps, name, { namespace: ns });
        await client.update(configMaps, { ...current, data: { v: `updated-${op}` } });
      } else {
        const [ns, name] = pick(live).split('/');
        await client.delete(configMaps, name, { namespace: ns });
      }
      if (op === 100) server.closeWatches(); // the server ends the watch: resume from the last resourceVersion
      if (op === 150) server.cutWatches(); // the connection breaks: resume after a backoff
      if (op === 200) server.holdEvents = true; // the watch stalls: the next writes go unseen
      if (op === 220) {
        server.compact(); // ...and their history is gone: the re-watch answers 410, the informer relists
        server.closeWatches();
        server.holdEvents = false;
      }
      if (random() < 0.1) await delay(random() * 10);
    }
    await until('the informer to catch up', () => informer.lastSyncResourceVersion === String(server.revision) || (
      mirrorMatches(mirror, server)));
    await until('the mirror to match', () => mirrorMatches(mirror, server));
    assert.deepEqual(mirror.violations, []);
    assert.deepEqual(mirror.summary(), serverSummary(server));
    assert.deepEqual(new Set(informer.store.keys()), new Set(server.state('', 'configmaps').keys()), 'the store is the mirror');
    assert.ok(listCount(server) > listsBefore, 'the 410 made the informer relist');
    assert.ok(watchesResumed() >= 3, `watches resumed from a resourceVersion: ${watchesResumed()}`);
    // Every write after the sync reached the handlers at most once.
    const seen = new Set<string>();
    for (const d of mirror.log) {
      const id = `${d.type}/${d.key}/${d.rv}`;
      assert.ok(!seen.has(id), `delivered twice: ${id}`);
      seen.add(id);
    }
  });

  for (const goneAs of ['http', 'event'] as const) {
    it(`relists on 410 (${goneAs === 'http' ? 'HTTP 410' : 'ERROR event'}) and emits what changed unseen, deletes as final state unknown`, async () => {
      const ns = `gone-${goneAs}`;
      for (const name of ['keep-1', 'keep-2', 'drop-1', 'drop-2', 'change']) await client.create(configMaps, configMap(ns, name, { v: '1' }));
      const { informer, mirror } = newInformer({ namespace: ns });
      const watchesBefore = server.watchCount;
      informer.run();
      await informer.waitForSync();
      await until('the watch to open', () => server.watchCount > watchesBefore);
      assert.equal(mirror.objects.size, 5);
      mirror.log.length = 0;

      // The watch stalls: writes happen, the informer sees none of them, then history is compacted.
      server.holdEvents = true;
      server.goneAs = goneAs;
      await client.delete(configMaps, 'drop-1', { namespace: ns });
      await client.delete(configMaps, 'drop-2', { namespace: ns });
      const change = await client.get(configMaps, 'change', { namespace: ns });
      await client.update(configMaps, { ...change, data: { v: '2' } });
      await client.create(configMaps, configMap(ns, 'new', { v: '1' }));
      server.compact();
      server.closeWatches();
      server.holdEvents = false;

      await until('the relist', () => mirror.log.length >= 4);
      await delay(30);
      const byType = (t: Delivered['type']) => mirror.log.filter((d) => d.type === t).map((d) => d.key).sort();
      assert.deepEqual(byType('delete'), [`${ns}/drop-1`, `${ns}/drop-2`]);
      assert.ok(mirror.log.filter((d) => d.type === 'delete').every((d) => d.type === 'delete' && d.finalStateUnknown));
      assert.deepEqual(byType('update'), [`${ns}/change`]);
      assert.deepEqual(byType('add'), [`${ns}/new`]);
      assert.equal(mirror.log.length, 4, 'untouched objects are not re-delivered');
      assert.deepEqual(mirror.violations, []);
      assert.deepEqual(mirror.objects.get(`${ns}/change`)?.data, { v: '2' });
      await informer.stop();
    });
  }

  it('falls back to one unpaged list when a continue token expires mid-list', async () => {
    const ns = 'paging';
    for (let i = 0; i < 10; i++) await client.create(configMaps, configMap(ns, `p-${i}`, { i: String(i) }));
    server.expireContinueTokens = true;
    try {
      const { informer, mirror, errors } = newInformer({ namespace: ns, pageSize: 3 });
      informer.run();
      assert.equal(await informer.waitForSync(), true);
      assert.equal(mirror.objects.size, 10);
      assert.deepEqual(errors, []);
      await informer.stop();
    } finally {
      server.expireContinueTokens = false;
    }
  });

  it('resync re-delivers every cached object as an update to itself; stop() closes the watch', async () => {
    const ns = 'resync';
    await client.create(configMaps, configMap(ns, 'r', { v: '1' }));
    const updates: [KubeObject, KubeObject][] = [];
    const informer = new SharedInformer(client, configMaps, { namespace: ns, resyncPeriodMs: 20 });
    informer.addEventHandler({ onUpdate: (o, n) => updates.push([o, n]) });
    const watchesBefore = server.watchCount;
    informer.run();
    await informer.waitForSync();
    await until('two resyncs', () => updates.length >= 2);
    assert.ok(updates.every(([o, n]) => o === n && n.metadata.name === 'r'));
    await until('the watch to open', () => server.watchCount > watchesBefore);
    await informer.stop();
    await until('the watch to close', () => server.watchCount === watchesBefore);
    const after = updates.length;
    await delay(60);
    assert.equal(updates.length, after, 'no resync after stop');
    assert.equal(informer.hasSynced(), true);
  });

  it('a handler added after sync gets the cached objects as adds; a throwing handler does not break others', async () => {
    const ns = 'late';
    await client.create(configMaps, configMap(ns, 'a', {}));
    const { informer, errors } = newInformer({ namespace: ns });
    informer.run();
    await informer.waitForSync();
    informer.addEventHandler({ onAdd: () => { throw new Error('boom'); } });
    const late: string[] = [];
    informer.addEventHandler({ onAdd: (o) => late.push(o.metadata.name!) });
    assert.deepEqual(late, ['a']);
    await client.create(configMaps, configMap(ns, 'b', {}));
    await until('the add of b', () => late.includes('b'));
    assert.ok(errors.some((e) => e instanceof Error && e.message === 'boom'));
    await informer.stop();
  });
});

function listCount(server: FakeApiServer): number {
  return server.requests.filter((r) => r.method === 'GET' && !r.url.includes('watch=') && !r.url.includes('continue=') && !/\/configmaps\/[^?]/.test(r.url)).length;
}

function mirrorMatches(mirror: Mirror, server: FakeApiServer): boolean {
  const a = mirror.summary();
  const b = serverSummary(server);
  return a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
}

describe('SharedInformer against kubelite', () => {
  let server: TestServer | undefined;
  let startError: unknown;
  before(async () => {
    try {
      server = await startTestServer({ bookmarkIntervalMs: 100 });
    } catch (err) {
      startError = err;
    }
  });
  after(async () => {
    await server?.stop();
  });

  it('mirrors 300 random writes across server-ended watches (timeoutSeconds=1)', async (t) => {
    if (!server) return t.skip(`kubelite did not start: ${String(startError)}`);
    const client = ApiClient.fromKubeconfig(server.kubeconfigPath, { qps: 0 });
    const ns = 'default';
    const random = prng(7);
    const names = Array.from({ length: 30 }, (_, i) => `mirror-${i}`);
    for (let i = 0; i < 10; i++) await client.create(configMaps, configMap(ns, names[i], { i: String(i) }));
    const errors: unknown[] = [];
    const informer = new SharedInformer(client, configMaps, {
      namespace: ns, pageSize: 4, watchTimeoutSeconds: 1, backoff: { initialMs: 10, maxMs: 100 }, onError: (e) => errors.push(e),
    });
    const mirror = new Mirror();
    mirror.attach(informer);
    informer.run();
    try {
      assert.equal(await informer.waitForSync(), true);
      const live = new Set(names.slice(0, 10));
      const started = Date.now();
      for (let op = 0; op < 300; op++) {
        const name = names[Math.floor(random() * names.length)];
        if (!live.has(name)) {
          await client.create(configMaps, configMap(ns, name, { v: `ü€-${op}` }));
          live.add(name);
        } else if (random() < 0.6) {
          await client.patch(configMaps, name, 'merge', { data: { v: `patched-${op}` } }, { namespace: ns });
        } else {
          await client.delete(configMaps, name, { namespace: ns });
          live.delete(name);
        }
        // Spread the writes over more than one watch lifetime, so the informer must resume.
        if (Date.now() - started < 2500 && op % 30 === 0) await delay(150);
      }
      const truth = async () => {
        const list = await client.listAll(configMaps, { namespace: ns });
        return new Map(list.items.map((o) => [keyOf({ ...o, metadata: { ...o.metadata, namespace: ns } }), `${rv(o)}:${JSON.stringify(o.data)}`]));
      };
      const expected = await truth();
      await until('the mirror to match kubelite', () => {
        const got = mirror.summary();
        return got.size === expected.size && [...expected].every(([k, v]) => got.get(k) === v);
      }, 10_000);
      assert.deepEqual(mirror.violations, []);
      assert.deepEqual(errors, []);
      assert.deepEqual(mirror.summary(), expected);
    } finally {
      await informer.stop();
      client.close();
    }
  });

  it('stripManagedFields keeps managedFields out of the store, and a PUT of a cached object keeps the stored ones', async (t) => {
    if (!server) return t.skip(`kubelite did not start: ${String(startError)}`);
    const client = ApiClient.fromKubeconfig(server.kubeconfigPath, { qps: 0 });
    const ns = 'default';
    await client.create(configMaps, configMap(ns, 'trimmed', { v: '1' }));
    const trimmed = new SharedInformer(client, configMaps, { namespace: ns, fieldSelector: 'metadata.name=trimmed', stripManagedFields: true });
    const metadata = new SharedInformer(client, configMaps, { namespace: ns, fieldSelector: 'metadata.name=trimmed', metadataOnly: true, stripManagedFields: true });
    const full = new SharedInformer(client, configMaps, { namespace: ns, fieldSelector: 'metadata.name=trimmed' });
    const delivered: KubeObject[] = [];
    trimmed.addEventHandler({ onAdd: (o) => delivered.push(o), onUpdate: (_, o) => delivered.push(o) });
    for (const i of [trimmed, metadata, full]) i.run();
    try {
      for (const i of [trimmed, metadata, full]) assert.equal(await i.waitForSync(), true);
      // Listed: the informer without the option holds what the server sent.
      assert.ok(full.store.get(`${ns}/trimmed`)?.metadata.managedFields?.length, 'the untrimmed informer keeps managedFields');
      assert.equal(trimmed.store.get(`${ns}/trimmed`)?.metadata.managedFields, undefined);
      assert.equal(metadata.store.get(`${ns}/trimmed`)?.metadata.managedFields, undefined);
      // Watched: a change arrives trimmed too, with the rest of its metadata intact.
      await client.patch(configMaps, 'trimmed', 'merge', { metadata: { labels: { a: 'b' } }, data: { v: '2' } }, { namespace: ns });
      await until('the patch to reach the informers', () => (trimmed.store.get(`${ns}/trimmed`)?.data as Record<string, string> | undefined)?.v === '2' && metadata.store.get(`${ns}/trimmed`)?.metadata.labels?.a === 'b', 10_000);
      const cached = trimmed.store.get(`${ns}/trimmed`)!;
      assert.equal(cached.metadata.managedFields, undefined);
      assert.equal(cached.metadata.labels?.a, 'b');
      assert.ok(cached.metadata.uid && cached.metadata.resourceVersion && cached.metadata.creationTimestamp);
      assert.ok(delivered.every((o) => o.metadata.managedFields === undefined), 'handlers never see managedFields');
      // A controller's update from its cache: the server keeps the managedFields it has (kube's decodeLiveOrNew).
      const updated = await client.update(configMaps, { ...cached, data: { v: '3' } });
      const managers = (updated.metadata.managedFields ?? []).map((e) => e.manager);
      assert.ok(managers.length > 0, 'the stored managedFields survive an update that sent none');
    } finally {
      await Promise.all([trimmed.stop(), metadata.stop(), full.stop()]);
      client.close();
    }
  });
});
