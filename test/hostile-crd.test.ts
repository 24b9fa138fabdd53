// Issue 16, finding 1: one CRD must not brick the server. A schema nested past the decoder's
// bound is refused with a 400 before anything is stored; one at the bound is served, written,
// patched, deleted and served again after a restart; and a stored CRD the server cannot
// serve (left by an older version) is reported and left for the user to delete, while the
// server and the other CRDs of its group go on.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Level } from 'level';
import { maxNestingDepth, nestingDepth } from '../src/api/json-limits.ts';
import { startApiServer, type RunningApiServer } from '../src/apiserver.ts';
import { createLogger } from '../src/log.ts';
import { objectPrefix } from '../src/storage/keys.ts';
import { until } from './support/wait.ts';
import { nestedSchema, nestedValue } from './support/nesting.ts';

let dataDir: string | undefined;
let server: RunningApiServer | undefined;

async function start(): Promise<RunningApiServer> {
  dataDir ??= await mkdtemp(join(tmpdir(), 'kubelite-hostile-crd-'));
  server = await startApiServer({ dataDir, host: '127.0.0.1', port: 0, logger: createLogger(process.env.LOG_LEVEL ?? 'fatal'), insecurePort: 0 });
  return server;
}

after(async () => {
  await server?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function call(method: string, path: string, body?: unknown, contentType = 'application/json') {
  const res = await fetch(server!.insecureUrl + path, {
    method, body: body === undefined ? undefined : JSON.stringify(body), headers: { 'content-type': contentType },
  });
  const text = await res.text();
  return { status: res.status, text, json: text.startsWith('{') ? JSON.parse(text) : undefined };
}


function crd(name: string, plural: string, kind: string, schemaLevels: number) {
  return {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.hostile.example.com` },
    spec: {
      group: 'hostile.example.com', scope: 'Namespaced',
      names: { plural, singular: name, kind, listKind: `${kind}List` },
      versions: [{
        name: 'v1', served: true, storage: true,
        schema: { openAPIV3Schema: { type: 'object', properties: { spec: nestedSchema(schemaLevels) } } },
      }],
    },
  };
}

/** The most schema levels whose CRD still fits within the nesting bound. */
function deepestFittingLevels(): number {
  let levels = 1;
  while (nestingDepth(crd('x', 'xs', 'X', levels + 1)) <= maxNestingDepth) levels++;
  return levels;
}

const crdPath = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

async function established(name: string): Promise<boolean> {
  const got = await call('GET', `${crdPath}/${name}`);
  return got.status === 200 && (got.json.status?.conditions ?? []).some((c: { type: string; status: string }) => c.type === 'Established' && c.status === 'True');
}

describe('hostile CRDs', () => {
  it('refuses a CRD nested past the bound with a 400 Status and stores nothing', async () => {
    await start();
    const res = await call('POST', crdPath, crd('bomb', 'bombs', 'Bomb', 1000));
    assert.equal(res.status, 400, res.text);
    assert.equal(res.json.kind, 'Status');
    assert.equal(res.json.reason, 'BadRequest');
    assert.match(res.json.message, /exceeded max depth/);
    assert.equal((await call('GET', `${crdPath}/bombs.hostile.example.com`)).status, 404);
  });

  it('serves a CRD at the bound: custom resources written, patched and read at depth', async () => {
    const levels = deepestFittingLevels();
    assert.ok(levels > 100, `the bound leaves room for real schemas (${levels} levels)`);
    const res = await call('POST', crdPath, crd('deep', 'deeps', 'Deep', levels));
    assert.equal(res.status, 201, res.text);
    await until('the deep CRD to be Established', () => established('deeps.hostile.example.com'), 30_000);
    const path = '/apis/hostile.example.com/v1/namespaces/default/deeps';
    const cr = { apiVersion: 'hostile.example.com/v1', kind: 'Deep', metadata: { name: 'd1' }, spec: nestedValue(levels) };
    const created = await call('POST', path, cr);
    assert.equal(created.status, 201, created.text);
    const patched = await call('PATCH', `${path}/d1`, { metadata: { labels: { patched: 'yes' } } }, 'application/merge-patch+json');
    assert.equal(patched.status, 200, patched.text);
    const applied = await call('PATCH', `${path}/d1?fieldManager=deep-test&force=true`,
      { apiVersion: 'hostile.example.com/v1', kind: 'Deep', metadata: { name: 'd1' }, spec: nestedValue(levels) }, 'application/apply-patch+yaml');
    assert.equal(applied.status, 200, applied.text);
    const got = await call('GET', `${path}/d1`);
    assert.equal(nestingDepth(got.json.spec), levels);
  });

  it('installs a CRD with thousands of versions without holding the server up', async () => {
    // Validators are compiled on first use and OpenAPI documents built when read: the work at
    // install is linear in the versions (on main this CRD took minutes, /readyz unanswered).
    const many = crd('many', 'manies', 'Many', 1) as Record<string, any>;
    many.spec.versions = Array.from({ length: 2000 }, (_, i) => ({ ...many.spec.versions[0], name: `v${i + 1}`, storage: i === 0 }));
    const created = call('POST', crdPath, many);
    assert.equal((await fetch(`${server!.insecureUrl}/readyz`)).status, 200);
    assert.equal((await created).status, 201);
    await until('the 2000-version CRD to be Established', () => established('manies.hostile.example.com'), 60_000);
    const doc = await fetch(`${server!.insecureUrl}/openapi/v3/apis/hostile.example.com/v1999`);
    assert.equal(doc.status, 200);
    assert.ok(((await doc.json()) as { components: { schemas: Record<string, unknown> } }).components.schemas['com.example.hostile.v1999.Many']);
    const cr = await call('POST', '/apis/hostile.example.com/v1500/namespaces/default/manies',
      { apiVersion: 'hostile.example.com/v1500', kind: 'Many', metadata: { name: 'm' }, spec: { a: 'x' } });
    assert.equal(cr.status, 201, cr.text);
    assert.equal((await call('DELETE', `${crdPath}/manies.hostile.example.com`)).status, 200);
  });

  it('starts past a stored CRD it cannot serve, reports it, and lets it be deleted', async () => {
    // What an older kubelite stored: a CRD nested far past the bound, beside a good one of
    // the same group, and a record that is not JSON at all.
    const good = crd('good', 'goods', 'Good', 2);
    assert.equal((await call('POST', crdPath, good)).status, 201);
    const bomb = crd('bomb', 'bombs', 'Bomb', 1500) as Record<string, any>;
    bomb.metadata.uid = '00000000-0000-0000-0000-000000000001';
    bomb.metadata.creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    await server!.registry.storage.create('/registry/apiextensions.k8s.io/customresourcedefinitions/bombs.hostile.example.com', bomb as never);
    await server!.close();
    const db = new Level<string, string>(join(dataDir!, 'db'));
    await db.put(`${objectPrefix}/registry/core/configmaps/default/garbled`, '{"not json');
    await db.close();

    await start();
    await until('the good CRD to be Established', () => established('goods.hostile.example.com'), 30_000);
    const cr = await call('POST', '/apis/hostile.example.com/v1/namespaces/default/goods',
      { apiVersion: 'hostile.example.com/v1', kind: 'Good', metadata: { name: 'g' }, spec: { a: { a: 'x' } } });
    assert.equal(cr.status, 201, cr.text);

    const ready = await fetch(`${server!.insecureUrl}/readyz?verbose`);
    assert.equal(ready.status, 200);
    const readyText = await ready.text();
    assert.match(readyText, /customresourcedefinitions\/bombs\.hostile\.example\.com cannot be served/);
    assert.match(readyText, /configmaps\/default\/garbled cannot be served: cannot be decoded/);
    const metrics = await (await fetch(`${server!.insecureUrl}/metrics`)).text();
    assert.match(metrics, /^kubelite_unservable_stored_objects 2$/m);

    const deleted = await call('DELETE', `${crdPath}/bombs.hostile.example.com`);
    assert.ok(deleted.status === 200 || deleted.status === 202, deleted.text);
    await until('the unservable CRD to be gone', async () => (await call('GET', `${crdPath}/bombs.hostile.example.com`)).status === 404, 30_000);
    await until('the report to clear', async () => !/bombs/.test(await (await fetch(`${server!.insecureUrl}/readyz?verbose`)).text()));
  });
});
