// The TTL controller: kube's size boundaries with their hysteresis, and a node registered
// without the annotation gets node.alpha.kubernetes.io/ttl through the API.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextStep } from '../src/controllers/ttl.ts';
import { startTestServer } from './support/server.ts';
import { until, hangGuard } from './support/wait.ts';

describe('ttl controller', { timeout: hangGuard(30_000) }, () => {
  it('steps up past sizeMax and down only below sizeMin', () => {
    assert.equal(nextStep(0, 100), 0);
    assert.equal(nextStep(0, 101), 1);
    assert.equal(nextStep(1, 95), 1); // inside the overlap: stays
    assert.equal(nextStep(1, 89), 0);
    assert.equal(nextStep(0, 2500), 4);
    assert.equal(nextStep(4, 10), 0);
  });

  it('annotates a new node with ttl 0 in a small cluster', async () => {
    const server = await startTestServer({ controllers: { controllers: ['ttl-controller'] } });
    try {
      const created = await server.kubectl(['create', '-f', '-'], { input: 'apiVersion: v1\nkind: Node\nmetadata: { name: bare }\n' });
      assert.equal(created.code, 0, created.stderr);
      await until('ttl annotation', async () => (await server.getJson('/api/v1/nodes/bare')).metadata.annotations?.['node.alpha.kubernetes.io/ttl'] === '0');
      const overwritten = await server.kubectl(['annotate', 'node', 'bare', '--overwrite', 'node.alpha.kubernetes.io/ttl=60']);
      assert.equal(overwritten.code, 0, overwritten.stderr);
      await until('ttl restored', async () => (await server.getJson('/api/v1/nodes/bare')).metadata.annotations?.['node.alpha.kubernetes.io/ttl'] === '0');
    } finally {
      await server.stop();
    }
  });
});
