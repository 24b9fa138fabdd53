// Fuzz (issue 16): bodies mutated from valid objects of common kinds, CRDs included, POSTed as
// JSON and YAML. Every answer is below 500, every error a Status, nothing is written when the
// answer is an error (the store's revision does not move), and the server stays up.
// FUZZ_RUNS=2000 npm run fuzz for a longer run.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import YAML from 'yaml';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from './support/server.ts';
import { assertWellFormed, fuzzRuns, mutate, mutation } from './support/fuzz.ts';
import { until } from './support/wait.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.stop();
});

const seeds: Array<[string, Record<string, unknown>]> = [
  ['/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', labels: { a: 'b' } }, data: { k: 'v' } }],
  ['/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80 }], resources: { requests: { cpu: '1' } } }] } }],
  ['/apis/apps/v1/namespaces/default/deployments', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 1, selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } }],
  ['/api/v1/namespaces/default/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { selector: { app: 'd' }, ports: [{ port: 80, targetPort: 8080 }] } }],
  ['/api/v1/namespaces/default/resourcequotas', { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec: { hard: { pods: '10' } } }],
  ['/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.fuzz.example.com' },
    spec: { group: 'fuzz.example.com', scope: 'Namespaced', names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', required: ['size'], properties: { size: { type: 'integer', minimum: 0 }, items: { type: 'array', items: { type: 'string' } } } } } } } }] },
  }],
];

async function revision(): Promise<string> {
  const res = await server.request('/api/v1/namespaces?limit=1');
  assert.equal(res.status, 200, 'the server is alive');
  return ((await res.json()) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
}

let sequence = 0;

describe('fuzz: decode and validation', { timeout: 600_000 }, () => {
  it('POST of mutated bodies: no 5xx, every error a Status, nothing written on error', async () => {
    await fc.assert(fc.asyncProperty(fc.nat({ max: seeds.length - 1 }), mutation, fc.boolean(), async (which, m, asYaml) => {
      const [path, base] = seeds[which];
      const body = mutate(base, m) as Record<string, any>;
      // A fresh name per run, unless the mutation replaced metadata itself.
      if (body && typeof body.metadata === 'object' && body.metadata !== null && !Array.isArray(body.metadata) && typeof body.metadata.name === 'string' && !path.includes('customresourcedefinitions')) {
        body.metadata.name = `${body.metadata.name}-${++sequence}`.toLowerCase().replace(/[^a-z0-9-]/g, 'x');
      }
      const text = asYaml ? YAML.stringify(body) : JSON.stringify(body);
      const before = await revision();
      const res = await server.request(path, { method: 'POST', body: text, headers: { 'content-type': asYaml ? 'application/yaml' : 'application/json' } });
      const answer = { status: res.status, text: await res.text() };
      assertWellFormed(`POST ${path} ${text.slice(0, 200)}`, answer);
      if (answer.status >= 400) assert.equal(await revision(), before, `nothing written after ${answer.status}: ${answer.text.slice(0, 200)}`);
      if (path.includes('customresourcedefinitions') && answer.status === 201) {
        // The CRD controller writes its status and finalizer in the background: let it finish.
        await server.request(`${path}/widgets.fuzz.example.com`, { method: 'DELETE' });
        await until('the fuzzed CRD to be gone', async () => (await server.request(`${path}/widgets.fuzz.example.com`)).status === 404, 30_000);
        // And its group-version's APIService (kube's autoregister), removed in the background too.
        await until('the fuzzed CRD\'s APIService to be gone', async () =>
          (await server.request('/apis/apiregistration.k8s.io/v1/apiservices/v1.fuzz.example.com')).status === 404, 30_000);
      }
    }), { numRuns: fuzzRuns * 2, ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED), path: process.env.FC_PATH, verbose: 2 } : {}) });
  });

  it('raw bodies: truncated, garbled and hostile text is a 4xx Status', async () => {
    const valid = JSON.stringify(seeds[0][1]);
    const text = fc.oneof(
      fc.nat({ max: valid.length }).map((n) => valid.slice(0, n)),
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.tuple(fc.nat({ max: valid.length }), fc.string({ maxLength: 5 })).map(([n, s]) => valid.slice(0, n) + s + valid.slice(n)),
      fc.constantFrom('a: &a [x]\nb: *a\n', 'metadata: !!binary aGVsbG8=\n', '{"a":1}{"b":2}', '---\na: 1\n---\nb: 2\n', '[[[[', '\u0000'),
    );
    await fc.assert(fc.asyncProperty(text, fc.constantFrom('application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf', 'text/plain'), async (body, type) => {
      const before = await revision();
      const res = await server.request(seeds[0][0], { method: 'POST', body, headers: { 'content-type': type } });
      const answer = { status: res.status, text: await res.text() };
      assertWellFormed(`POST ${type} ${JSON.stringify(body).slice(0, 200)}`, answer);
      if (answer.status >= 400) assert.equal(await revision(), before);
    }), { numRuns: fuzzRuns * 2 });
  });
  it('number literals Go reads differently from JavaScript: a 201 or a 4xx Status, never a 5xx', async () => {
    const literal = fc.constantFrom('1.0', '1E2', '1e400', '-1e400', '9223372036854775808', '-9223372036854775809', '2147483648', '0.5', '1e-400', '-0', '12345678901234567890', '3.0e0');
    await fc.assert(fc.asyncProperty(fc.constantFrom(1, 2, 3, 4), fc.array(literal, { minLength: 1, maxLength: 4 }), async (which, literals) => {
      const [path, base] = seeds[which];
      const body = { ...base, metadata: { name: `num-${++sequence}` } };
      let n = 0;
      // Every number in the seed's text, replaced in turn by one of the literals.
      const text = JSON.stringify(body).replace(/(?<=[:\[,])-?\d+(\.\d+)?([eE][-+]?\d+)?(?=[,\]}])/g, () => literals[n++ % literals.length]);
      const before = await revision();
      const res = await server.request(path, { method: 'POST', body: text, headers: { 'content-type': 'application/json' } });
      const answer = { status: res.status, text: await res.text() };
      assertWellFormed(`POST ${path} ${text.slice(0, 300)}`, answer);
      if (answer.status >= 400) assert.equal(await revision(), before, `nothing written after ${answer.status}: ${answer.text.slice(0, 200)}`);
    }), { numRuns: fuzzRuns });
  });
});
