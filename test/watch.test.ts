// WATCH as kube-apiserver serves it: exactly the events after a version, in order, once;
// 410 for compacted versions; bookmarks; the WatchList stream; selector transitions; the
// same events over WebSocket.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import type { StorageEvent } from '../src/storage/interface.ts';
import { startTestServer, type TestServer } from './support/server.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer({ bookmarkIntervalMs: 200 });
  for (const ns of ['w1', 'w2', 'w3']) await createNamespace(ns);
});
after(async () => {
  await server.stop();
});

interface Event {
  type: string;
  object: { kind?: string; code?: number; metadata: { name?: string; namespace?: string; resourceVersion?: string; annotations?: Record<string, string> } };
}

async function createNamespace(name: string) {
  const res = await server.request('/api/v1/namespaces', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }),
  });
  assert.equal(res.status, 201);
}

/** A chunked-HTTP watch collecting events until stopped. */
function openWatch(path: string) {
  const events: Event[] = [];
  const controller = new AbortController();
  let ended = false;
  const done = (async () => {
    const res = await fetch(server.url + path, { signal: controller.signal });
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffered = '';
    try {
      for (;;) {
        const { value, done: finished } = await reader.read();
        if (finished) break;
        buffered += decoder.decode(value, { stream: true });
        let nl;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          events.push(JSON.parse(buffered.slice(0, nl)));
          buffered = buffered.slice(nl + 1);
        }
      }
    } catch (err) {
      if ((err as Error).name !== 'AbortError') throw err;
    }
    ended = true;
  })();
  return { events, stop: () => controller.abort(), done, get ended() { return ended; } };
}

async function until(cond: () => boolean, what: string, ms = 60_000) { // a hang guard, generous for loaded machines
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function write(method: string, path: string, body?: unknown) {
  return server.request(path, {
    method,
    headers: { 'Content-Type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

describe('watch', () => {
  it('every watcher sees exactly the events after its version, in order, once', async () => {
    const storage = server.registry.storage;
    const startRev = storage.revision;
    const truth: StorageEvent[] = [];
    const recorder = await storage.watch('/registry/core/configmaps/', startRev, (ev) => truth.push(ev));
    const watchers: Array<{ from: number; w: ReturnType<typeof openWatch> }> = [];
    const live = new Map<string, number>();
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let i = 0; i < 1000; i++) {
      if (i % 100 === 0) {
        // Open a watcher from a random version seen so far (all namespaces).
        const from = truth.length ? Number(truth[rand(truth.length)].revision) : startRev;
        watchers.push({ from, w: openWatch(`/api/v1/configmaps?watch=true&resourceVersion=${from}`) });
      }
      const ns = `w${1 + rand(3)}`;
      const name = `cm${rand(40)}`;
      const key = `${ns}/${name}`;
      const base = `/api/v1/namespaces/${ns}/configmaps`;
      if (!live.has(key)) {
        const res = await write('POST', base, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { i: String(i) } });
        assert.equal(res.status, 201);
        live.set(key, i);
      } else if (rand(3) === 0) {
        assert.equal((await write('DELETE', `${base}/${name}`)).status, 200);
        live.delete(key);
      } else {
        assert.equal((await write('PATCH', `${base}/${name}`, { data: { i: String(i) } })).status, 200);
      }
    }
    const finalRev = storage.revision;
    await until(() => truth.length > 0 && truth[truth.length - 1].revision === finalRev, 'the recorder');
    recorder.stop();
    for (const { from, w } of watchers) {
      const expected = truth.filter((ev) => ev.revision > from);
      await until(() => w.events.length >= expected.length, `watcher from ${from} (${w.events.length}/${expected.length})`);
      await new Promise((r) => setTimeout(r, 50)); // anything extra would arrive now
      w.stop();
      const got = w.events.map((e) => `${e.type} ${e.object.metadata.namespace}/${e.object.metadata.name} ${e.object.metadata.resourceVersion}`);
      const want = expected.map((e) => `${e.type} ${e.current.object.metadata.namespace}/${e.current.object.metadata.name} ${e.revision}`);
      assert.deepEqual(got, want, `watcher from ${from}`);
    }
  });

  it('a version older than the retained history gets an ERROR event with 410 Expired', async () => {
    const old = server.registry.storage.revision;
    await write('POST', '/api/v1/namespaces/w1/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'before-compaction' } });
    await server.registry.storage.compact(server.registry.storage.revision);
    const w = openWatch(`/api/v1/namespaces/w1/configmaps?watch=true&resourceVersion=${old}`);
    await w.done;
    assert.equal(w.events.length, 1);
    assert.equal(w.events[0].type, 'ERROR');
    assert.equal(w.events[0].object.kind, 'Status');
    assert.equal(w.events[0].object.code, 410);
    assert.equal((w.events[0].object as unknown as { reason: string }).reason, 'Expired');
  });

  it('bookmarks arrive with the current version', async () => {
    const rv = server.registry.storage.revision;
    const w = openWatch(`/api/v1/namespaces/w2/configmaps?watch=true&resourceVersion=${rv}&allowWatchBookmarks=true`);
    await until(() => w.events.some((e) => e.type === 'BOOKMARK'), 'a bookmark');
    w.stop();
    const bookmark = w.events.find((e) => e.type === 'BOOKMARK')!;
    assert.equal(bookmark.object.kind, 'ConfigMap');
    assert.ok(Number(bookmark.object.metadata.resourceVersion) >= rv);
  });

  it('the WatchList stream ends its initial state with the annotated bookmark', async () => {
    await createNamespace('wl');
    for (const name of ['a', 'b', 'c']) await write('POST', '/api/v1/namespaces/wl/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } });
    const w = openWatch('/api/v1/namespaces/wl/configmaps?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true');
    await until(() => w.events.length >= 4, 'initial events and the bookmark');
    await write('POST', '/api/v1/namespaces/wl/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'd' } });
    await until(() => w.events.some((e) => e.type === 'ADDED' && e.object.metadata.name === 'd'), 'the live event');
    w.stop();
    const types = w.events.filter((e) => e.type !== 'BOOKMARK' || e.object.metadata.annotations).map((e) => `${e.type}:${e.object.metadata.name ?? ''}`);
    assert.deepEqual(types.slice(0, 5), ['ADDED:a', 'ADDED:b', 'ADDED:c', 'BOOKMARK:', 'ADDED:d']);
    const end = w.events[3];
    assert.equal(end.object.metadata.annotations?.['k8s.io/initial-events-end'], 'true');
    const bad = await server.request('/api/v1/namespaces/wl/configmaps?watch=true&sendInitialEvents=true');
    assert.equal(bad.status, 422);
  });

  it('objects moving out of and into a label selection are DELETED and ADDED', async () => {
    const base = '/api/v1/namespaces/w3/configmaps';
    await write('POST', base, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'mover', labels: { tier: 'web' } } });
    const w = openWatch(`${base}?watch=true&labelSelector=tier%3Dweb`);
    await until(() => w.events.length === 1, 'the initial ADDED');
    await write('PATCH', `${base}/mover`, { metadata: { labels: { tier: 'db' } } });
    await write('PATCH', `${base}/mover`, { data: { x: '1' } });
    await write('PATCH', `${base}/mover`, { metadata: { labels: { tier: 'web' } } });
    await write('PATCH', `${base}/mover`, { data: { x: '2' } });
    await until(() => w.events.length >= 4, 'the transitions');
    w.stop();
    assert.deepEqual(w.events.map((e) => e.type), ['ADDED', 'DELETED', 'ADDED', 'MODIFIED']);
  });

  it('a single object watched by metadata.name', async () => {
    const base = '/api/v1/namespaces/w3/configmaps';
    await write('POST', base, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'solo' } });
    await write('POST', base, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'other' } });
    const w = openWatch(`${base}?watch=true&fieldSelector=metadata.name%3Dsolo`);
    await write('PATCH', `${base}/other`, { data: { y: '1' } });
    await write('DELETE', `${base}/solo`);
    await until(() => w.events.some((e) => e.type === 'DELETED'), 'the delete');
    w.stop();
    assert.deepEqual(w.events.map((e) => `${e.type}:${e.object.metadata.name}`), ['ADDED:solo', 'DELETED:solo']);
  });

  it('timeoutSeconds ends the stream cleanly', async () => {
    const w = openWatch('/api/v1/namespaces/w1/configmaps?watch=true&timeoutSeconds=1&resourceVersion=' + server.registry.storage.revision);
    await w.done;
    assert.ok(w.ended);
  });

  it('a WebSocket client receives the same events as the HTTP stream', async () => {
    const rv = server.registry.storage.revision;
    const path = `/api/v1/namespaces/w2/configmaps?watch=true&resourceVersion=${rv}`;
    const http = openWatch(path);
    const wsUrl = server.url.replace('http', 'ws') + path;
    const plain: Event[] = [];
    const b64: Event[] = [];
    const sockets = [
      new WebSocket(wsUrl).on('message', (d) => plain.push(JSON.parse(d.toString()))),
      new WebSocket(wsUrl, ['base64.binary.k8s.io']).on('message', (d) => b64.push(JSON.parse(Buffer.from(d.toString(), 'base64').toString()))),
    ];
    await Promise.all(sockets.map((s) => new Promise((r) => s.once('open', r))));
    assert.equal(sockets[1].protocol, 'base64.binary.k8s.io');
    for (let i = 0; i < 5; i++) await write('POST', '/api/v1/namespaces/w2/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `ws${i}` } });
    await write('DELETE', '/api/v1/namespaces/w2/configmaps/ws0');
    await until(() => http.events.length === 6 && plain.length === 6 && b64.length === 6, 'six events on every transport');
    http.stop();
    sockets.forEach((s) => s.close());
    assert.deepEqual(plain, http.events);
    assert.deepEqual(b64, http.events);
  });
});
