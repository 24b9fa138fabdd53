// Fuzz (issue 16): every patch type and server-side apply, with patches mutated from valid
// ones (strategic-merge directives, list operations, JSON-patch operations included) against a
// live Deployment. No 5xx, every error a Status, the object untouched (same resourceVersion)
// when the answer is an error, the server up. FUZZ_RUNS=2000 npm run fuzz for a longer run.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from './support/server.ts';
import { assertWellFormed, fuzzRuns, mutate, mutation } from './support/fuzz.ts';

let server: TestServer;
const path = '/apis/apps/v1/namespaces/default/deployments/web';
const deployment = {
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { app: 'web' }, annotations: { note: 'n' } },
  spec: {
    replicas: 1, selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80 }], env: [{ name: 'A', value: '1' }] }] } },
  },
};

before(async () => {
  server = await startTestServer();
  const res = await server.request('/apis/apps/v1/namespaces/default/deployments', { method: 'POST', body: JSON.stringify(deployment), headers: { 'content-type': 'application/json' } });
  assert.equal(res.status, 201);
});
after(async () => {
  await server.stop();
});

const seeds: Record<string, unknown[]> = {
  'application/merge-patch+json': [{ metadata: { labels: { x: 'y' } } }, { spec: { replicas: 2, template: { spec: { containers: [{ name: 'c', image: 'nginx:2' }] } } } }],
  'application/strategic-merge-patch+json': [
    { spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:3', env: [{ name: 'B', value: '2' }] }] } } } },
    { spec: { template: { spec: { $setElementOrder_containers: [{ name: 'c' }], containers: [{ name: 'c', $patch: 'replace' }] } } } },
    { metadata: { labels: { $patch: 'delete' } }, spec: { template: { spec: { containers: [{ name: 'c', ports: [{ containerPort: 80, $patch: 'delete' }] }] } } } },
    { spec: { template: { spec: { $retainKeys: ['containers'], containers: [{ name: 'c', image: 'nginx' }] } } } },
  ],
  'application/json-patch+json': [
    [{ op: 'replace', path: '/spec/replicas', value: 3 }, { op: 'test', path: '/metadata/name', value: 'web' }],
    [{ op: 'copy', from: '/metadata/labels', path: '/metadata/annotations/copied' }, { op: 'move', from: '/metadata/annotations/note', path: '/metadata/annotations/n2' }],
    [{ op: 'add', path: '/spec/template/spec/containers/-', value: { name: 'd', image: 'busybox' } }, { op: 'remove', path: '/spec/template/spec/containers/1' }],
  ],
  'application/apply-patch+yaml': [
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 2 } },
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:4' }] } } }, status: { replicas: 5 } },
  ],
};

async function currentVersion(): Promise<string> {
  const res = await server.request(path);
  assert.equal(res.status, 200, 'the deployment is still there and the server alive');
  return ((await res.json()) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
}

describe('fuzz: patch and apply', { timeout: 600_000 }, () => {
  for (const [type, patches] of Object.entries(seeds)) {
    it(`${type}: no 5xx, every error a Status, nothing written on error`, async () => {
      await fc.assert(fc.asyncProperty(fc.nat({ max: patches.length - 1 }), mutation, fc.boolean(), async (which, m, strict) => {
        const patch = mutate(patches[which], m);
        const query = `?fieldManager=fuzz&force=${type === 'application/apply-patch+yaml'}${strict ? '&fieldValidation=Strict' : ''}`;
        const before = await currentVersion();
        const res = await server.request(`${path}${type === 'application/apply-patch+yaml' ? query : query.replace('&force=false', '')}`,
          { method: 'PATCH', body: JSON.stringify(patch), headers: { 'content-type': type } });
        const answer = { status: res.status, text: await res.text() };
        assertWellFormed(`PATCH ${type} ${JSON.stringify(patch).slice(0, 300)}`, answer);
        if (answer.status >= 400) assert.equal(await currentVersion(), before, `nothing written after ${answer.status}`);
      }), { numRuns: fuzzRuns });
    });
  }
});
