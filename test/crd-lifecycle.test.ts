// The life of a CRD beyond its creation: a restarted server serves the stored CRDs and
// their objects again; deleting a CRD deletes its objects (customresourcecleanup finalizer)
// and stops serving it.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startApiServer, type RunningApiServer } from '../src/apiserver.ts';
import { createLogger } from '../src/log.ts';
import { runKubectl } from './support/server.ts';
import { until } from './support/wait.ts';

let dataDir: string | undefined;
let server: RunningApiServer | undefined;

async function start(): Promise<RunningApiServer> {
  dataDir ??= await mkdtemp(join(tmpdir(), 'kubelite-crd-'));
  server = await startApiServer({ dataDir, host: '127.0.0.1', port: 0, logger: createLogger('error') });
  return server;
}

after(async () => {
  await server?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function ok(args: string[], input?: string): Promise<string> {
  const r = await runKubectl(server!.kubeconfigPath, args, { input });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

describe('CRD lifecycle', () => {
  it('serves stored CRDs and their objects after a restart', async () => {
    await start();
    await ok(['apply', '-f', 'test/fixtures/crd-certificate.yaml']);
    await ok(['wait', '--for', 'condition=established', '--timeout=20s', 'crd/certificates.pki.example.com']);
    await ok(['apply', '-f', '-'], `apiVersion: pki.example.com/v1
kind: Certificate
metadata: {name: kept, namespace: default}
spec: {secretName: kept-tls, issuerRef: {name: ca}}`);
    await server!.close();

    await start();
    const got = JSON.parse(await ok(['get', 'cert', 'kept', '-o', 'json']));
    assert.equal(got.spec.secretName, 'kept-tls');
    assert.equal(got.spec.duration, '2160h');
    const resources = await ok(['api-resources', '--api-group=pki.example.com', '--no-headers']);
    assert.match(resources, /^certificates\s+cert,certs/m);
  });

  it('deletes the objects of a deleted CRD, then stops serving it', async () => {
    await ok(['apply', '-f', '-'], `apiVersion: pki.example.com/v1
kind: Certificate
metadata: {name: doomed, namespace: kube-public}
spec: {secretName: doomed-tls, issuerRef: {name: ca}}`);
    const r = await runKubectl(server!.kubeconfigPath, ['delete', 'crd', 'certificates.pki.example.com', '--wait=true']);
    assert.equal(r.code, 0, r.stderr);
    await until('the CRD to be gone', async () => {
      const got = await runKubectl(server!.kubeconfigPath, ['get', 'crd', 'certificates.pki.example.com']);
      return got.code === 1 && /NotFound/.test(got.stderr);
    });
    const raw = await runKubectl(server!.kubeconfigPath, ['get', '--raw', '/apis/pki.example.com/v1/namespaces/default/certificates/kept']);
    assert.equal(raw.code, 1);
    assert.match(raw.stderr, /NotFound/);
    const groups = JSON.parse(await ok(['get', '--raw', '/apis']));
    assert.ok(!groups.groups.some((g: { name: string }) => g.name === 'pki.example.com'), 'the group left discovery');
    const index = JSON.parse(await ok(['get', '--raw', '/openapi/v3']));
    assert.equal(index.paths['apis/pki.example.com/v1'], undefined);

    // Created again, the CRD starts empty: its objects were deleted, not hidden.
    await ok(['apply', '-f', 'test/fixtures/crd-certificate.yaml']);
    await ok(['wait', '--for', 'condition=established', '--timeout=20s', 'crd/certificates.pki.example.com']);
    const list = JSON.parse(await ok(['get', 'certs', '-A', '-o', 'json']));
    assert.deepEqual(list.items, []);
  });
});
