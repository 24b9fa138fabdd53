// The DaemonSet controller end to end, through kubectl against a kubelite server with
// simulated kubelets, the scheduler and only the daemonset controller: one pod per node, bound
// by the scheduler through the metadata.name node affinity; a fourth node (a second simulated
// kubelet started during the test) gets its pod, and loses it when the node is deleted; a
// NoExecute taint the pods do not tolerate empties its node; an image change rolls out; a
// nodeSelector narrows the set of nodes. `kubectl get ds` shows the counts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../src/api/types.ts';
import { runWorkerInProcess, type RunningWorker } from './support/workers.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { hangGuard, until } from './support/wait.ts';

const daemonSet = (name: string, nodeSelector?: Record<string, string>) => `
apiVersion: apps/v1
kind: DaemonSet
metadata: { name: ${name}, namespace: default }
spec:
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      ${nodeSelector ? `nodeSelector: ${JSON.stringify(nodeSelector)}` : ''}
      tolerations: [{ key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 300 }]
      containers: [{ name: agent, image: busybox:1.36 }]
`;

const isReady = (p: KubeObject) => p.status?.phase === 'Running'
  && p.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True');

describe('daemonset controller', { timeout: hangGuard(55_000) }, () => {
  let server: TestServer;
  let extraKubelet: RunningWorker | undefined;

  before(async () => {
    server = await startTestServer({ nodes: 3, scheduler: true, controllers: { controllers: ['daemonset'] } });
  });

  after(async () => {
    await extraKubelet?.stop();
    await server?.stop();
  });

  const getJson = <T = KubeObject>(path: string) => server.getJson<T>(path);
  const getDs = (name = 'agent') => getJson(`/apis/apps/v1/namespaces/default/daemonsets/${name}`);
  /** Live pods of a DaemonSet by the node they run on. */
  async function podsByNode(name = 'agent'): Promise<Map<string, KubeObject>> {
    const list = await getJson<{ items: KubeObject[] }>(`/api/v1/namespaces/default/pods?labelSelector=app%3D${name}`);
    return new Map(list.items.filter((p) => !p.metadata.deletionTimestamp).map((p) => [p.spec.nodeName ?? '', p]));
  }
  /** Waits until the DaemonSet runs a ready pod on exactly these nodes and its status agrees. */
  const coversExactly = (nodes: string[], name = 'agent') => until(`${name} on ${nodes.join(', ')}`, async () => {
    const pods = await podsByNode(name);
    const ds = await getDs(name);
    const s = ds.status ?? {};
    return [...pods.keys()].sort().join() === [...nodes].sort().join() && [...pods.values()].every(isReady)
      && s.desiredNumberScheduled === nodes.length && s.currentNumberScheduled === nodes.length && s.numberReady === nodes.length
      && s.numberAvailable === nodes.length && s.updatedNumberScheduled === nodes.length && s.numberMisscheduled === 0
      && (s.numberUnavailable ?? 0) === 0 && s.observedGeneration === ds.metadata.generation && pods;
  }, 20_000);
  const threeNodes = ['kubelite-node-1', 'kubelite-node-2', 'kubelite-node-3'];

  it('runs one pod on each of the 3 nodes, pinned by node affinity and bound by the scheduler', async () => {
    const created = await server.kubectl(['apply', '-f', '-'], { input: daemonSet('agent') });
    assert.equal(created.code, 0, created.stderr);
    const pods = await coversExactly(threeNodes);
    const ds = await getDs();
    const revisions = await getJson<{ items: { metadata: KubeObject['metadata']; revision: number }[] }>('/apis/apps/v1/namespaces/default/controllerrevisions?labelSelector=app%3Dagent');
    assert.equal(revisions.items.length, 1);
    const [revision] = revisions.items;
    const hash = revision.metadata.labels?.['controller-revision-hash'];
    assert.equal(revision.metadata.name, `agent-${hash}`);
    assert.equal(revision.revision, 1);
    for (const [node, pod] of pods) {
      assert.match(pod.metadata.name!, /^agent-[a-z0-9]{5}$/);
      assert.equal(pod.metadata.labels?.['controller-revision-hash'], hash);
      assert.equal(pod.metadata.labels?.['pod-template-generation'], '1');
      assert.deepEqual(pod.spec.affinity, { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }] } } });
      // The user's not-ready toleration loses its tolerationSeconds; the daemon tolerations follow.
      assert.deepEqual(pod.spec.tolerations.map((t: { key: string; effect: string; tolerationSeconds?: number }) => `${t.key}:${t.effect}${t.tolerationSeconds ?? ''}`), [
        'node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/disk-pressure:NoSchedule',
        'node.kubernetes.io/memory-pressure:NoSchedule', 'node.kubernetes.io/pid-pressure:NoSchedule', 'node.kubernetes.io/unschedulable:NoSchedule',
      ]);
      assert.deepEqual(pod.metadata.ownerReferences?.map((o) => [o.kind, o.name, o.uid, o.controller]), [['DaemonSet', 'agent', ds.metadata.uid, true]]);
    }
    const table = await server.kubectl(['get', 'ds', 'agent']);
    assert.match(table.stdout, /^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE\nagent\s+3\s+3\s+3\s+3\s+3\s+<none>\s/);
  });

  it('follows a fourth node joining, and its pod goes when the node is deleted', async () => {
    extraKubelet = await runWorkerInProcess('kubelet', {
      connection: { kubeconfigPath: server.kubeconfigPath }, options: { nodes: [{ name: 'kubelite-node-4' }], firstNodeIndex: 3 },
    });
    const pods = await coversExactly([...threeNodes, 'kubelite-node-4']);
    const gone = pods.get('kubelite-node-4')!;
    await extraKubelet.stop();
    extraKubelet = undefined;
    assert.equal((await server.kubectl(['delete', 'node', 'kubelite-node-4'])).code, 0);
    await coversExactly(threeNodes);
    await until('the pod of the deleted node to be gone', async () => (await server.request(`/api/v1/namespaces/default/pods/${gone.metadata.name}`)).status === 404);
  });

  it('leaves a node whose NoExecute taint it does not tolerate, and comes back when it goes', async () => {
    const tainted = await server.kubectl(['taint', 'node', 'kubelite-node-3', 'dedicated=infra:NoExecute']);
    assert.equal(tainted.code, 0, tainted.stderr);
    await coversExactly(['kubelite-node-1', 'kubelite-node-2']);
    const table = await server.kubectl(['get', 'ds', 'agent', '--no-headers']);
    assert.match(table.stdout, /^agent\s+2\s+2\s+2\s+2\s+2\s+<none>\s/);
    assert.equal((await server.kubectl(['taint', 'node', 'kubelite-node-3', 'dedicated=infra:NoExecute-'])).code, 0);
    await coversExactly(threeNodes);
  });

  it('rolls an image change out; kubectl rollout status exits 0', async () => {
    const before = await podsByNode();
    assert.equal((await server.kubectl(['set', 'image', 'ds/agent', 'agent=busybox:1.37'])).code, 0);
    const status = await server.kubectl(['rollout', 'status', 'ds/agent', '--timeout=40s']);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /daemon set "agent" successfully rolled out/);
    const pods = await coversExactly(threeNodes);
    for (const pod of pods.values()) {
      assert.equal(pod.spec.containers[0].image, 'busybox:1.37');
      assert.equal(pod.metadata.labels?.['pod-template-generation'], '2');
      assert.ok(![...before.values()].some((p) => p.metadata.uid === pod.metadata.uid));
    }
    const history = await server.kubectl(['rollout', 'history', 'ds/agent']);
    assert.equal(history.code, 0, history.stderr);
    assert.match(history.stdout, /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
    const events = await getJson<{ items: { reason?: string; message?: string; involvedObject?: { kind?: string; name?: string } }[] }>('/api/v1/namespaces/default/events');
    const messages = events.items.filter((e) => e.involvedObject?.kind === 'DaemonSet' && e.involvedObject.name === 'agent').map((e) => `${e.reason}: ${e.message}`);
    for (const pod of pods.values()) assert.ok(messages.includes(`SuccessfulCreate: Created pod: ${pod.metadata.name}`), messages.join('\n'));
    for (const pod of before.values()) assert.ok(messages.includes(`SuccessfulDelete: Deleted pod: ${pod.metadata.name}`), messages.join('\n'));
  });

  it('runs only on the nodes its nodeSelector picks', async () => {
    assert.equal((await server.kubectl(['label', 'node', 'kubelite-node-2', 'disk=ssd'])).code, 0);
    const created = await server.kubectl(['apply', '-f', '-'], { input: daemonSet('ssd', { disk: 'ssd' }) });
    assert.equal(created.code, 0, created.stderr);
    await coversExactly(['kubelite-node-2'], 'ssd');
    const table = await server.kubectl(['get', 'ds', 'ssd', '--no-headers']);
    assert.match(table.stdout, /^ssd\s+1\s+1\s+1\s+1\s+1\s+disk=ssd\s/);
    assert.equal((await server.kubectl(['label', 'node', 'kubelite-node-1', 'disk=ssd'])).code, 0);
    await coversExactly(['kubelite-node-1', 'kubelite-node-2'], 'ssd');
  });
});
