// The scheduler against a real kubelite API server: nodes made through the API (with
// nodes/status), pods bound through pods/binding with kube's spread, FailedScheduling and
// PodScheduled=False for a pod that fits nowhere, a retry when a node changes, and
// preemption of a lower-priority pod.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../src/api/types.ts';
import { ApiClient, resources } from '../src/client/index.ts';
import { createLogger } from '../src/log.ts';
import { priorityClasses, startScheduler, type Node, type Pod, type RunningScheduler } from '../src/scheduler/index.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { until as waitFor } from './support/wait.ts';


describe('scheduler against the API server', () => {
  let server: TestServer;
  let client: ApiClient;
  let scheduler: RunningScheduler;

  async function createNode(name: string, opts: { cpu?: string; labels?: Record<string, string>; taints?: Node['spec'] } = {}): Promise<void> {
    await client.create(resources.nodes, {
      metadata: { name, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': 'zone-a', ...opts.labels } }, spec: opts.taints ?? {},
    });
    await client.patch(resources.nodes, name, 'merge', {
      status: {
        capacity: { cpu: opts.cpu ?? '4', memory: '8Gi', pods: '110' },
        allocatable: { cpu: opts.cpu ?? '4', memory: '8Gi', pods: '110' },
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
      },
    }, { subresource: 'status' });
  }

  const podSpec = (cpu: string, extra: Record<string, unknown> = {}) => ({
    containers: [{ name: 'app', image: 'nginx', resources: { requests: { cpu, memory: '64Mi' } } }], ...extra,
  });
  const getPod = (name: string) => client.get(resources.pods, name, { namespace: 'default' }) as Promise<Pod>;
  const eventsFor = async (name: string) => (await client.list(resources.events, { namespace: 'default' })).items
    .filter((e: KubeObject) => (e.involvedObject as { name?: string })?.name === name);

  before(async () => {
    server = await startTestServer();
    client = ApiClient.fromKubeconfig(server.kubeconfigPath, { qps: 0 });
    for (const n of ['node-1', 'node-2', 'node-3']) await createNode(n);
    scheduler = startScheduler({ client, log: createLogger('silent') });
    assert.equal(await scheduler.ready, true);
  });

  after(async () => {
    await scheduler?.stop();
    client?.close();
    await server?.stop();
  });

  it('binds the pods of a ReplicaSet through pods/binding, evenly, with Scheduled events', async () => {
    const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: '0b6f7ae4-5d5b-4bb1-9f5e-000000000001', controller: true };
    await Promise.all(Array.from({ length: 30 }, (_, i) => client.create(resources.pods, {
      metadata: { name: `web-${i}`, namespace: 'default', labels: { app: 'web' }, ownerReferences: [owner] }, spec: podSpec('100m'),
    })));
    const pods = await waitFor('30 bound pods', async () => {
      const items = (await client.list(resources.pods, { namespace: 'default', labelSelector: 'app=web' })).items as Pod[];
      return items.filter((p) => p.spec?.nodeName).length === 30 && items;
    });
    const perNode: Record<string, number> = {};
    for (const p of pods) perNode[p.spec!.nodeName!] = (perNode[p.spec!.nodeName!] ?? 0) + 1;
    assert.deepEqual(perNode, { 'node-1': 10, 'node-2': 10, 'node-3': 10 });
    const scheduled = pods[0].status?.conditions?.find((c) => c.type === 'PodScheduled');
    assert.equal(scheduled?.status, 'True');
    const events = await waitFor('a Scheduled event', async () => (await eventsFor('web-0')).filter((e) => e.reason === 'Scheduled'));
    const pod0 = pods.find((p) => p.metadata.name === 'web-0')!;
    assert.equal(events.length, 1);
    assert.equal(events[0].type, 'Normal');
    assert.equal(events[0].message, `Successfully assigned default/web-0 to ${pod0.spec!.nodeName}`);
    assert.deepEqual(events[0].source, { component: 'default-scheduler' });
    assert.equal(events[0].reportingComponent, 'default-scheduler');
  });

  it('leaves a pod that fits nowhere Pending: PodScheduled=False and a FailedScheduling event', async () => {
    await client.create(resources.pods, { metadata: { name: 'huge', namespace: 'default' }, spec: podSpec('100') });
    const message = '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.';
    const condition = await waitFor('PodScheduled=False', async () => (await getPod('huge')).status?.conditions?.find((c) => c.type === 'PodScheduled'));
    assert.deepEqual({ status: condition.status, reason: condition.reason, message: condition.message }, { status: 'False', reason: 'Unschedulable', message });
    const [event] = await waitFor('FailedScheduling', async () => (await eventsFor('huge')).filter((e) => e.reason === 'FailedScheduling'));
    assert.equal(event.type, 'Warning');
    assert.equal(event.message, message);
    assert.equal(event.reportingComponent, 'default-scheduler');
    assert.deepEqual(event.source, { component: 'default-scheduler' });
    assert.deepEqual(event.involvedObject, {
      apiVersion: 'v1', kind: 'Pod', namespace: 'default', name: 'huge', uid: (await getPod('huge')).metadata.uid,
      resourceVersion: (event.involvedObject as { resourceVersion?: string }).resourceVersion,
    });
    assert.equal((await getPod('huge')).spec?.nodeName, undefined);
    await client.delete(resources.pods, 'huge', { namespace: 'default', gracePeriodSeconds: 0 });
  });

  it('retries an unschedulable pod when a node changes', async () => {
    await client.create(resources.pods, { metadata: { name: 'ssd', namespace: 'default' }, spec: podSpec('100m', { nodeSelector: { disk: 'ssd' } }) });
    const condition = await waitFor('PodScheduled=False', async () => (await getPod('ssd')).status?.conditions?.find((c) => c.type === 'PodScheduled'));
    assert.match(condition.message ?? '', /3 node\(s\) didn't match Pod's node affinity\/selector/);
    await client.patch(resources.nodes, 'node-2', 'merge', { metadata: { labels: { disk: 'ssd' } } });
    const bound = await waitFor('the pod bound after the label', async () => (await getPod('ssd')).spec?.nodeName);
    assert.equal(bound, 'node-2');
  });

  it('preempts a lower-priority pod and binds the preemptor once the victim is gone', async () => {
    await client.create(priorityClasses, { metadata: { name: 'high' }, value: 1000 } as never);
    const dedicated = { taints: [{ key: 'dedicated', value: 'batch', effect: 'NoSchedule' as const }] };
    await createNode('node-4', { cpu: '1', labels: { pool: 'batch' }, taints: dedicated });
    const placement = { nodeSelector: { pool: 'batch' }, tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'batch', effect: 'NoSchedule' }] };
    await client.create(resources.pods, { metadata: { name: 'low', namespace: 'default' }, spec: podSpec('800m', placement) });
    assert.equal(await waitFor('low bound', async () => (await getPod('low')).spec?.nodeName), 'node-4');

    await client.create(resources.pods, { metadata: { name: 'high', namespace: 'default' }, spec: podSpec('800m', { ...placement, priorityClassName: 'high' }) });
    const nominated = await waitFor('a nominated node', async () => (await getPod('high')).status?.nominatedNodeName);
    assert.equal(nominated, 'node-4');
    const victim = await waitFor('the victim terminating', async () => {
      const low = await getPod('low').catch(() => undefined);
      return low?.metadata.deletionTimestamp ? low : undefined;
    });
    const disruption = victim.status?.conditions?.find((c) => c.type === 'DisruptionTarget');
    assert.equal(disruption?.reason, 'PreemptionByScheduler');
    const preempted = await waitFor('Preempted event', async () => (await eventsFor('low')).find((e) => e.reason === 'Preempted'));
    assert.equal(preempted.message, `Preempted by pod ${(await getPod('high')).metadata.uid} on node node-4`);
    assert.equal((await getPod('high')).spec?.nodeName, undefined, 'waits while the victim terminates');
    // What the kubelet does when the grace period ends.
    await client.delete(resources.pods, 'low', { namespace: 'default', gracePeriodSeconds: 0 });
    assert.equal(await waitFor('high bound', async () => (await getPod('high')).spec?.nodeName), 'node-4');
  });
});
