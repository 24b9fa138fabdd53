// Issue 16, "done when": after every hostile-but-legal object kube would accept is committed —
// a CRD nested as deep as the bound allows (with a custom resource at that depth), a CRD with
// 3,000 versions, a pod with 2,000 containers (about as many as fit the 1.5 MiB stored-object
// limit once defaulted and with managedFields), a ConfigMap and a Secret near that limit, an
// object with 10,000 labels — a restarted kubelite becomes ready and serves all of them.
// The restart time is printed as a diagnostic (measured, never asserted).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { maxNestingDepth, nestingDepth } from '../src/api/json-limits.ts';
import { ensureBuilt, spawnKubelite, type KubeliteProcess } from './support/process.ts';
import { until } from './support/wait.ts';
import { nestedSchema, nestedValue } from './support/nesting.ts';

let dataDir: string;
let server: KubeliteProcess | undefined;

async function start(): Promise<KubeliteProcess> {
  server = await spawnKubelite(['--data-dir', dataDir, '--port', '0', '--insecure-port', '0', '--no-scheduler', '--no-kubelet', '--no-controllers'],
    { compiled: true, ready: /serving the Kubernetes API at (https:\/\/\S+) \(ready in (\d+) ms\)/ });
  return server;
}

async function stop(): Promise<void> {
  const child = server?.child;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

before(async () => {
  ensureBuilt();
  dataDir = await mkdtemp(join(tmpdir(), 'kubelite-hostile-restart-'));
  await start();
});
after(async () => {
  await stop();
  if (process.env.KEEP_DATA) console.log('kept', dataDir); else await rm(dataDir, { recursive: true, force: true });
});

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(server!.insecureUrl + path, {
    method, body: body === undefined ? undefined : JSON.stringify(body), headers: { 'content-type': 'application/json' },
  });
  const text = await res.text();
  return { status: res.status, text, json: text.startsWith('{') ? JSON.parse(text) : undefined };
}

async function create(path: string, body: unknown): Promise<void> {
  const res = await call('POST', path, body);
  assert.equal(res.status, 201, `${path}: ${res.text.slice(0, 300)}`);
}

const crdPath = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

function crd(plural: string, kind: string, spec: Record<string, unknown>, versions = 1) {
  return {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `${plural}.restart.example.com` },
    spec: {
      group: 'restart.example.com', scope: 'Namespaced', names: { plural, kind },
      versions: Array.from({ length: versions }, (_, i) => ({
        name: `v${i + 1}`, served: true, storage: i === 0, schema: { openAPIV3Schema: { type: 'object', properties: { spec } } },
      })),
    },
  };
}


async function established(name: string): Promise<boolean> {
  const got = await call('GET', `${crdPath}/${name}`);
  return got.status === 200 && (got.json.status?.conditions ?? []).some((c: { type: string; status: string }) => c.type === 'Established' && c.status === 'True');
}

let deepLevels = 0;
const ns = '/api/v1/namespaces/default';

describe('restart after every hostile-but-legal object', { timeout: 600_000 }, () => {
  it('commits them all', async () => {
    deepLevels = 1;
    while (nestingDepth(crd('deeps', 'Deep', nestedSchema(deepLevels + 1))) <= maxNestingDepth) deepLevels++;
    await create(crdPath, crd('deeps', 'Deep', nestedSchema(deepLevels)));
    await create(crdPath, crd('manies', 'Many', { type: 'string' }, 3000));
    await until('both CRDs to be Established', async () => await established('deeps.restart.example.com') && await established('manies.restart.example.com'), 300_000);
    await create('/apis/restart.example.com/v1/namespaces/default/deeps', { apiVersion: 'restart.example.com/v1', kind: 'Deep', metadata: { name: 'd' }, spec: nestedValue(deepLevels) });
    await create('/apis/restart.example.com/v2999/namespaces/default/manies', { apiVersion: 'restart.example.com/v2999', kind: 'Many', metadata: { name: 'm' }, spec: 'x' });
    await create(`${ns}/pods`, { metadata: { name: 'wide' }, spec: { containers: Array.from({ length: 2000 }, (_, i) => ({ name: `c${i}`, image: 'nginx' })) } });
    await create(`${ns}/configmaps`, { metadata: { name: 'big' }, data: { a: 'x'.repeat(1000 * 1024) } });
    await create(`${ns}/secrets`, { metadata: { name: 'big' }, data: { a: Buffer.alloc(900 * 1024, 7).toString('base64') } });
    await create(`${ns}/configmaps`, { metadata: { name: 'labelled', labels: Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`l${i}`, 'v'])) } });
    // Settled: the local APIService of every served group-version is registered (kube's
    // autoregister controller), 3,000 of them for these CRDs (v1 is shared) — otherwise the next start does it.
    await until('the CRD versions\' APIServices', async () => {
      const list = await call('GET', '/apis/apiregistration.k8s.io/v1/apiservices');
      return list.json.items.filter((i: { metadata: { name: string } }) => i.metadata.name.endsWith('.restart.example.com')).length === 3000;
    }, 300_000);
  });

  it('restarts ready and serves every one of them', async (t) => {
    await stop();
    const began = performance.now();
    await start();
    const serving = performance.now() - began;
    await until('readyz', async () => (await fetch(`${server!.insecureUrl}/readyz`)).status === 200, 120_000);
    const ready = performance.now() - began;
    t.diagnostic(`restart: serving after ${serving.toFixed(0)} ms (kubelite's own start-up: ${server!.match[2]} ms), /readyz 200 after ${ready.toFixed(0)} ms`);

    const deep = await call('GET', '/apis/restart.example.com/v1/namespaces/default/deeps/d');
    assert.equal(deep.status, 200, deep.text.slice(0, 300));
    assert.equal(nestingDepth(deep.json.spec), deepLevels);
    const many = await call('GET', '/apis/restart.example.com/v3000/namespaces/default/manies/m');
    assert.equal(many.status, 200, many.text.slice(0, 300));
    assert.equal(many.json.apiVersion, 'restart.example.com/v3000');
    assert.ok(await established('deeps.restart.example.com'));
    const pod = await call('GET', `${ns}/pods/wide`);
    assert.equal(pod.json.spec.containers.length, 2000);
    assert.equal((await call('GET', `${ns}/configmaps/big`)).json.data.a.length, 1000 * 1024);
    assert.equal((await call('GET', `${ns}/secrets/big`)).status, 200);
    assert.equal(Object.keys((await call('GET', `${ns}/configmaps/labelled`)).json.metadata.labels).length, 10_000);
    // Nothing was reported unservable.
    const verbose = await (await fetch(`${server!.insecureUrl}/readyz?verbose`)).text();
    assert.doesNotMatch(verbose, /cannot be served/);
    // And new writes go through.
    await create(`${ns}/configmaps`, { metadata: { name: 'after-restart' } });
  });
});
