// The disruption controller end to end through kubectl: a PodDisruptionBudget over a
// Deployment's pods gets kube's status (expected, desired, healthy, allowed, the
// DisruptionAllowed condition), `kubectl drain` is held back by it with kube's 429 message,
// and an allowed eviction uses the one disruption until a replacement is ready and disruptedPods is cleared.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../src/api/types.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { until, hangGuard } from './support/wait.ts';

const deployment = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: guarded, namespace: default }
spec:
  replicas: 3
  selector: { matchLabels: { app: guarded } }
  template:
    metadata: { labels: { app: guarded } }
    spec:
      containers: [{ name: c, image: nginx }]
`;

const budget = (minAvailable: number | string) => `
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: guard, namespace: default }
spec:
  minAvailable: ${JSON.stringify(minAvailable)}
  selector: { matchLabels: { app: guarded } }
`;

describe('disruption controller', { timeout: hangGuard(60_000) }, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ nodes: 3, scheduler: true, controllers: { controllers: ['deployment-controller', 'replicaset-controller', 'disruption-controller'] } });
  });
  after(async () => {
    await server?.stop();
  });

  const getPdb = () => server.getJson('/apis/policy/v1/namespaces/default/poddisruptionbudgets/guard');
  const readyPods = async () => {
    const list = await server.getJson<{ items: KubeObject[] }>('/api/v1/namespaces/default/pods?labelSelector=app%3Dguarded');
    return list.items.filter((p) => !p.metadata.deletionTimestamp && p.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True'));
  };

  it('fills in the status of a budget no pod may leave', async () => {
    const applied = await server.kubectl(['apply', '-f', '-'], { input: deployment + '---' + budget(3) });
    assert.equal(applied.code, 0, applied.stderr);
    await until('3 ready pods', async () => (await readyPods()).length === 3);
    const pdb = await until('status with 3 healthy', async () => {
      const pdb = await getPdb();
      return pdb.status?.currentHealthy === 3 && pdb.status?.observedGeneration === pdb.metadata.generation && pdb;
    });
    assert.equal(pdb.status.expectedPods, 3);
    assert.equal(pdb.status.desiredHealthy, 3);
    assert.equal(pdb.status.disruptionsAllowed, 0);
    const condition = pdb.status.conditions.find((c: { type: string }) => c.type === 'DisruptionAllowed');
    assert.deepEqual([condition.status, condition.reason], ['False', 'InsufficientPods']);
    const table = await server.kubectl(['get', 'pdb', 'guard', '--no-headers']);
    assert.match(table.stdout, /^guard\s+3\s+N\/A\s+0\s+/);
  });

  it('holds kubectl drain back with kube\'s message', async () => {
    const [pod] = await readyPods();
    const node = pod.spec.nodeName;
    const drained = await server.kubectl(['drain', node, '--ignore-daemonsets', '--timeout=6s']);
    assert.notEqual(drained.code, 0);
    assert.match(drained.stderr, /Cannot evict pod as it would violate the pod's disruption budget\./);
    const still = await server.getJson(`/api/v1/namespaces/default/pods/${pod.metadata.name}`);
    assert.equal(still.metadata.deletionTimestamp, undefined);
    const uncordon = await server.kubectl(['uncordon', node]);
    assert.equal(uncordon.code, 0, uncordon.stderr);
  });

  it('allows one disruption once the budget is lowered; the next waits for the replacement', async () => {
    const applied = await server.kubectl(['apply', '-f', '-'], { input: budget('50%') });
    assert.equal(applied.code, 0, applied.stderr);
    const pdb = await until('one disruption allowed', async () => {
      const pdb = await getPdb();
      return pdb.status?.observedGeneration === pdb.metadata.generation && pdb.status?.disruptionsAllowed === 1 && pdb;
    });
    assert.equal(pdb.status.desiredHealthy, 2); // 50% of the Deployment's 3, rounded up
    assert.equal(pdb.status.expectedPods, 3);
    assert.equal(pdb.status.conditions.find((c: { type: string }) => c.type === 'DisruptionAllowed').reason, 'SufficientPods');
    const [first, second] = await readyPods();
    const evict = (name: string) => server.request(`/api/v1/namespaces/default/pods/${name}/eviction`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: 'default' } }),
    });
    assert.equal((await evict(first.metadata.name!)).status, 201);
    // The second eviction is refused until the controller sees the replacement ready again.
    const refused = await evict(second.metadata.name!);
    assert.equal(refused.status, 429);
    assert.equal((await refused.json()).message, 'Cannot evict pod as it would violate the pod\'s disruption budget.');
    await until('back to one allowed with three healthy', async () => {
      const pdb = await getPdb();
      return pdb.status?.currentHealthy === 3 && pdb.status?.disruptionsAllowed === 1 && !pdb.status?.disruptedPods;
    });
  });
});
