// The ReplicationController manager through kubectl: an RC keeps its replicas (creates them,
// replaces a deleted pod, follows `kubectl scale`), owns its pods as kube's does and reports
// status, through the replica manager core it shares with the ReplicaSet controller.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../src/api/types.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { until, hangGuard } from './support/wait.ts';

const rc = `
apiVersion: v1
kind: ReplicationController
metadata: { name: legacy, namespace: default }
spec:
  replicas: 3
  selector: { app: legacy }
  template:
    metadata: { labels: { app: legacy } }
    spec:
      containers: [{ name: c, image: nginx }]
`;

describe('replicationcontroller manager', { timeout: hangGuard(60_000) }, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ nodes: 2, scheduler: true, controllers: { controllers: ['replicationcontroller-controller'] } });
  });
  after(async () => {
    await server?.stop();
  });

  const getRc = () => server.getJson('/api/v1/namespaces/default/replicationcontrollers/legacy');
  async function ownedPods(): Promise<KubeObject[]> {
    const owner = await getRc();
    const list = await server.getJson<{ items: KubeObject[] }>('/api/v1/namespaces/default/pods?labelSelector=app%3Dlegacy');
    return list.items.filter((p) => !p.metadata.deletionTimestamp && p.metadata.ownerReferences?.some((o) => o.controller && o.uid === owner.metadata.uid));
  }

  it('creates its replicas, owned by the RC, and counts them ready in status', async () => {
    const applied = await server.kubectl(['apply', '-f', '-'], { input: rc });
    assert.equal(applied.code, 0, applied.stderr);
    const pods = await until('3 owned pods', async () => { const pods = await ownedPods(); return pods.length === 3 && pods; });
    for (const pod of pods) {
      assert.match(pod.metadata.name!, /^legacy-[a-z0-9]{5}$/);
      assert.deepEqual(pod.metadata.ownerReferences?.map((o) => [o.apiVersion, o.kind, o.name, o.controller, o.blockOwnerDeletion]), [['v1', 'ReplicationController', 'legacy', true, true]]);
    }
    const status = await until('3 ready in status', async () => { const o = await getRc(); return o.status?.readyReplicas === 3 && o.status; });
    assert.equal(status.replicas, 3);
    assert.equal(status.availableReplicas, 3);
    assert.equal(status.fullyLabeledReplicas, 3);
    const table = await server.kubectl(['get', 'rc', 'legacy', '--no-headers']);
    assert.match(table.stdout, /^legacy\s+3\s+3\s+3\s+/);
  });

  it('replaces a deleted pod', async () => {
    const [victim] = await ownedPods();
    const deleted = await server.kubectl(['delete', 'pod', victim.metadata.name!, '--wait=false']);
    assert.equal(deleted.code, 0, deleted.stderr);
    await until('a replacement', async () => {
      const pods = await ownedPods();
      return pods.length === 3 && !pods.some((p) => p.metadata.name === victim.metadata.name);
    });
  });

  it('follows kubectl scale', async () => {
    const scaled = await server.kubectl(['scale', 'rc', 'legacy', '--replicas=1']);
    assert.equal(scaled.code, 0, scaled.stderr);
    await until('1 pod and status 1', async () => (await ownedPods()).length === 1 && (await getRc()).status?.replicas === 1);
  });
});
