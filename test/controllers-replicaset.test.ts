// The ReplicaSet controller end to end: kubectl against a kubelite server running simulated
// kubelets, the scheduler and the controllers. A ReplicaSet comes up Ready with its status,
// follows `kubectl scale` down and up, replaces a deleted pod, adopts a matching orphan and
// deletes the extra pod that adoption makes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../src/api/types.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { hangGuard, until } from './support/wait.ts';


const replicaSet = `
apiVersion: apps/v1
kind: ReplicaSet
metadata: { name: web, namespace: default }
spec:
  replicas: 3
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers: [{ name: web, image: nginx }]
`;

// A finalizer keeps the orphan visible even if the controller picks it as the extra pod.
const orphan = `
apiVersion: v1
kind: Pod
metadata: { name: stray, namespace: default, labels: { app: web }, finalizers: [example.com/hold] }
spec:
  containers: [{ name: web, image: nginx }]
`;

describe('replicaset controller', { timeout: hangGuard(30_000) }, () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ nodes: 3, scheduler: true, controllers: { controllers: ['replicaset-controller'] } });
  });

  after(async () => {
    await server?.stop();
  });

  const getJson = <T = KubeObject>(path: string) => server.getJson<T>(path);
  const getRs = () => getJson('/apis/apps/v1/namespaces/default/replicasets/web');
  const isReady = (p: KubeObject) => p.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True');
  /** The live (not terminating) pods the ReplicaSet controls. */
  async function ownedPods(): Promise<KubeObject[]> {
    const rs = await getRs();
    const list = await getJson<{ items: KubeObject[] }>('/api/v1/namespaces/default/pods?labelSelector=app%3Dweb');
    return list.items.filter((p) => !p.metadata.deletionTimestamp && p.metadata.ownerReferences?.some((o) => o.controller && o.uid === rs.metadata.uid));
  }
  async function eventMessages(reason: string): Promise<string[]> {
    const events = await getJson<{ items: { reason?: string; message?: string; involvedObject?: { kind?: string; name?: string } }[] }>('/api/v1/namespaces/default/events');
    return events.items.filter((e) => e.reason === reason && e.involvedObject?.kind === 'ReplicaSet' && e.involvedObject.name === 'web').map((e) => e.message ?? '').sort();
  }
  const settlesAt = (n: number) => until(`${n} pods`, async () => {
    const pods = await ownedPods();
    const rs = await getRs();
    return pods.length === n && rs.status?.replicas === n && pods;
  });

  it('creates 3 pods that run and become ready; status counts them', async () => {
    const created = await server.kubectl(['apply', '-f', '-'], { input: replicaSet });
    assert.equal(created.code, 0, created.stderr);
    const pods = await until('3 running, ready pods', async () => {
      const pods = await ownedPods();
      return pods.length === 3 && pods.every((p) => p.status?.phase === 'Running' && isReady(p)) && pods;
    });
    for (const pod of pods) {
      assert.match(pod.metadata.name!, /^web-[a-z0-9]{5}$/);
      assert.deepEqual(pod.metadata.ownerReferences?.map((o) => [o.apiVersion, o.kind, o.name, o.blockOwnerDeletion]), [['apps/v1', 'ReplicaSet', 'web', true]]);
    }
    const rs = await until('status readyReplicas 3', async () => {
      const rs = await getRs();
      return rs.status?.readyReplicas === 3 && rs.status?.availableReplicas === 3 && rs;
    });
    assert.equal(rs.status.replicas, 3);
    assert.equal(rs.status.fullyLabeledReplicas, 3);
    assert.equal(rs.status.observedGeneration, 1);
    const expected = pods.map((p) => `Created pod: ${p.metadata.name}`).sort();
    await until('a SuccessfulCreate event per pod', async () => JSON.stringify(await eventMessages('SuccessfulCreate')) === JSON.stringify(expected));
  });

  it('follows kubectl scale down to 1 and up to 4', async () => {
    assert.equal((await server.kubectl(['scale', 'rs', 'web', '--replicas=1'])).code, 0);
    await settlesAt(1);
    const rs = await getRs();
    assert.equal(rs.status.observedGeneration, rs.metadata.generation);
    assert.equal((await server.kubectl(['scale', 'rs', 'web', '--replicas=4'])).code, 0);
    await settlesAt(4);
  });

  it('replaces a deleted pod', async () => {
    const [victim] = await ownedPods();
    const deleted = await server.kubectl(['delete', 'pod', victim.metadata.name!, '--wait=false']);
    assert.equal(deleted.code, 0, deleted.stderr);
    const pods = await settlesAt(4);
    assert.ok(!pods.some((p) => p.metadata.uid === victim.metadata.uid));
  });

  it('adopts a matching orphan and deletes the extra pod', async () => {
    const rs = await getRs();
    const created = await server.kubectl(['apply', '-f', '-'], { input: orphan });
    assert.equal(created.code, 0, created.stderr);
    const stray = await until('the orphan to be adopted', async () => {
      const pod = await getJson('/api/v1/namespaces/default/pods/stray');
      return pod.metadata.ownerReferences?.some((o) => o.controller && o.uid === rs.metadata.uid) && pod;
    });
    assert.deepEqual(stray.metadata.ownerReferences?.map((o) => [o.apiVersion, o.kind, o.name, o.blockOwnerDeletion]), [['apps/v1', 'ReplicaSet', 'web', true]]);
    await settlesAt(4);
    // Two deleted scaling 3 → 1, one after the adoption.
    await until('a SuccessfulDelete event per deleted pod', async () => (await eventMessages('SuccessfulDelete')).length === 3);
    assert.ok((await eventMessages('SuccessfulDelete')).every((m) => /^Deleted pod: (web-[a-z0-9]{5}|stray)$/.test(m)));
    // Let the orphan go, whether or not it was the pod chosen for deletion.
    const released = await server.kubectl(['patch', 'pod', 'stray', '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]']);
    assert.equal(released.code, 0, released.stderr);
  });
});
