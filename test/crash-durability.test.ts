// Durability under kill -9, ten times over one data directory: 16 clients create and update
// ConfigMaps while a watch follows them; the kubelite process is SIGKILLed at a random moment
// and started again on the same directory. Then every acknowledged write must be there with
// its acknowledged resourceVersion (a newer one only from the write that client still had in
// flight), revisions must go on increasing, and the watch, resumed from the last
// resourceVersion it saw, must have delivered every acknowledged write exactly once, in order.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { ensureBuilt, spawnKubelite } from './support/process.ts';
import { hangGuard } from './support/wait.ts';

const iterations = 10;
const debug = (...a: unknown[]) => { if (process.env.CRASH_DEBUG) console.error(...a); };
const clients = 16;
const maxWritesPerIteration = 400;
const cmPath = '/api/v1/namespaces/default/configmaps';

interface Server {
  child: ChildProcess;
  url: string;
}

/** `node bin/kubelite.js`, as users start it; plain HTTP on the insecure port: the writers and watches need no TLS or credentials. */
async function startKubelite(dataDir: string): Promise<Server> {
  const started = await spawnKubelite(['--data-dir', dataDir, '--port', '0', '--insecure-port', '0', '--no-scheduler', '--no-kubelet', '--no-controllers'], { compiled: true });
  return { child: started.child, url: started.insecureUrl! };
}

async function kill(server: Server): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  const exited = once(server.child, 'exit');
  server.child.kill('SIGKILL');
  await exited;
}

interface Write {
  name: string;
  value: string;
  rv: number;
}

interface WatchEvent {
  type: string;
  name: string;
  rv: number;
}

/** Follows a watch until it ends; `events` fills as they arrive. */
function follow(url: string, fromRv: number) {
  const events: WatchEvent[] = [];
  const controller = new AbortController();
  const done = (async () => {
    const res = await fetch(`${url}${cmPath}?watch=true&resourceVersion=${fromRv}`, { signal: controller.signal });
    assert.equal(res.status, 200, `watch from ${fromRv}: ${res.status}`);
    const decoder = new TextDecoder();
    let rest = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      rest += decoder.decode(chunk, { stream: true });
      let nl: number;
      while ((nl = rest.indexOf('\n')) >= 0) {
        const ev = JSON.parse(rest.slice(0, nl)) as { type: string; object: { metadata: { name: string; resourceVersion: string }; code?: number } };
        rest = rest.slice(nl + 1);
        assert.notEqual(ev.type, 'ERROR', `watch from ${fromRv} failed: ${JSON.stringify(ev.object)}`);
        if (ev.type !== 'BOOKMARK') events.push({ type: ev.type, name: ev.object.metadata.name, rv: Number(ev.object.metadata.resourceVersion) });
      }
    }
  })().catch((err: unknown) => {
    // The server being killed ends the stream with a network error; anything else is a failure.
    if (err instanceof assert.AssertionError) throw err;
  });
  return { events, done, stop: () => controller.abort() };
}

async function send(url: string, method: string, path: string, body: unknown): Promise<{ status: number; rv?: number }> {
  const res = await fetch(`${url}${path}`, {
    method, body: JSON.stringify(body),
    headers: { 'Content-Type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' },
  });
  const obj = await res.json() as { metadata?: { resourceVersion?: string } };
  return { status: res.status, rv: obj.metadata?.resourceVersion ? Number(obj.metadata.resourceVersion) : undefined };
}

/**
 * 16 clients creating and updating their own ConfigMaps; once `killAfterAcks` writes were
 * acknowledged the server is killed a random few milliseconds later, mid-stream.
 */
async function writeUntilKilled(url: string, iteration: number, killAfterAcks: number, server: Server) {
  const acked: Write[] = [];
  const inFlight = new Map<string, string>();
  let issued = 0;
  let killer: NodeJS.Timeout | undefined;
  const ack = (w: Write) => {
    acked.push(w);
    if (acked.length === killAfterAcks) killer = setTimeout(() => server.child.kill('SIGKILL'), Math.random() * 20);
  };
  const client = async (c: number) => {
    const mine: string[] = [];
    for (let n = 0; issued < maxWritesPerIteration; n++) {
      issued++;
      const update = mine.length > 0 && n % 2 === 1;
      const name = update ? mine[n % mine.length] : `i${iteration}-c${c}-${n}`;
      const value = `${iteration}.${c}.${n}`;
      inFlight.set(name, value);
      try {
        const res = update
          ? await send(url, 'PATCH', `${cmPath}/${name}`, { data: { v: value } })
          : await send(url, 'POST', cmPath, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { v: value } });
        assert.equal(res.status, update ? 200 : 201);
        ack({ name, value, rv: res.rv! });
        inFlight.delete(name);
        if (!update) mine.push(name);
      } catch (err) {
        if (err instanceof assert.AssertionError) throw err;
        return; // the server is gone; this write stays in flight
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, c) => client(c)));
  clearTimeout(killer);
  await kill(server);
  return { acked, inFlight };
}

it('acknowledged writes and watch events survive SIGKILL, ten times', { timeout: hangGuard(120_000) }, async () => {
  ensureBuilt();
  const dataDir = await mkdtemp(join(tmpdir(), 'kubelite-durability-'));
  let server = await startKubelite(dataDir);
  const lastAcked = new Map<string, Write>();
  let highestSeen = 0;
  try {
    for (let i = 0; i < iterations; i++) {
      const listed = await fetch(`${server.url}${cmPath}?limit=1`).then((r) => r.json()) as { metadata: { resourceVersion: string } };
      const fromRv = Number(listed.metadata.resourceVersion);
      const before = follow(server.url, fromRv);
      debug('iteration', i, 'from', fromRv, Math.round(performance.now()));
      const { acked, inFlight } = await writeUntilKilled(server.url, i, 30 + Math.floor(Math.random() * 220), server);
      debug('killed; acked', acked.length, 'in flight', inFlight.size, Math.round(performance.now()));
      await before.done;
      debug('watch ended with', before.events.length);
      for (const w of acked) lastAcked.set(w.name, w.rv > (lastAcked.get(w.name)?.rv ?? 0) ? w : lastAcked.get(w.name)!);

      server = await startKubelite(dataDir);
      debug('restarted', Math.round(performance.now()));
      const lastSeen = before.events.at(-1)?.rv ?? fromRv;
      const after = follow(server.url, lastSeen);
      const sentinel = await send(server.url, 'POST', cmPath, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `sentinel-${i}` } });
      assert.equal(sentinel.status, 201);
      for (let waited = 0; !after.events.some((e) => e.rv === sentinel.rv); waited += 10) {
        assert.ok(waited < 10_000, `the resumed watch never delivered the write made after the restart (${sentinel.rv})`);
        await new Promise((r) => setTimeout(r, 10));
      }
      after.stop();
      await after.done;

      // Every acknowledged write is there, at its resourceVersion, or at the one still in flight.
      const list = await fetch(`${server.url}${cmPath}`).then((r) => r.json()) as { items: Array<{ metadata: { name: string; resourceVersion: string }; data?: { v: string } }> };
      const stored = new Map(list.items.map((o) => [o.metadata.name, o]));
      for (const w of lastAcked.values()) {
        const obj = stored.get(w.name);
        assert.ok(obj?.data, `iteration ${i}: ${w.name} was acknowledged at ${w.rv} but is gone`);
        const rv = Number(obj.metadata.resourceVersion);
        if (rv !== w.rv) {
          assert.ok(rv > w.rv && inFlight.get(w.name) === obj.data!.v,
            `iteration ${i}: ${w.name} acknowledged at ${w.rv} (v ${w.value}) is at ${rv} (v ${obj.data!.v}) with no write in flight to explain it`);
          lastAcked.set(w.name, { name: w.name, value: obj.data!.v, rv });
        } else assert.equal(obj.data!.v, w.value);
      }

      // Revisions go on increasing past everything handed out before the kill.
      const events = [...before.events, ...after.events];
      highestSeen = Math.max(highestSeen, ...acked.map((w) => w.rv), ...before.events.map((e) => e.rv));
      assert.ok(sentinel.rv! > highestSeen, `iteration ${i}: revision ${sentinel.rv} after the restart is not past ${highestSeen}`);

      // The watch, across the restart: in order, once each, and missing no acknowledged write.
      for (let k = 1; k < events.length; k++) {
        assert.ok(events[k].rv > events[k - 1].rv, `iteration ${i}: watch went from ${events[k - 1].rv} to ${events[k].rv}`);
      }
      const delivered = new Map(events.map((e) => [e.rv, e]));
      for (const w of acked) {
        assert.equal(delivered.get(w.rv)?.name, w.name, `iteration ${i}: the watch missed ${w.name} at ${w.rv}`);
      }
      assert.ok(acked.length > 0 || i > 0, 'the writers got something acknowledged');
    }
  } finally {
    await kill(server);
    await rm(dataDir, { recursive: true, force: true });
  }
});
