// The node lifecycle and taint eviction controllers against a real kubelite server: a node
// created by hand whose Lease and status stop being renewed turns Ready=Unknown and gets the
// unreachable taints; its pods are deleted after their tolerationSeconds (at once for 0,
// never without a limit) with a DisruptionTarget condition and a TaintManagerEviction event;
// when it reports Ready again the taints go and pending deletions are cancelled; Ready=False
// gets the not-ready taints; a NoExecute taint a pod does not tolerate evicts it at once.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { KubeObject } from '../src/api/types.ts';
import { ApiClient, resources } from '../src/client/index.ts';
import { createLogger } from '../src/log.ts';
import { runWorkerInProcess, type RunningWorker } from './support/workers.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { hangGuard, until } from './support/wait.ts';


const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const taintsOf = (node: KubeObject) => (node.spec?.taints ?? []).map((t: { key: string; effect: string }) => `${t.key}:${t.effect}`).sort();
const readyOf = (node: KubeObject) => node.status?.conditions?.find((c: { type: string }) => c.type === 'Ready');
/**
 * nodeMonitorGracePeriod: long enough that the test's own heartbeat for the healthy node (every
 * 200 ms) is never that late on a loaded machine, or that node too turns Unknown.
 */
const graceSeconds = 4;

describe('node lifecycle and taint eviction', { timeout: hangGuard(30_000) }, () => {
  let server: TestServer;
  let controllers: RunningWorker;
  let client: ApiClient;

  let heartbeat: NodeJS.Timeout | undefined;

  before(async () => {
    server = await startTestServer();
    client = ApiClient.fromKubeconfig(server.kubeconfigPath, { qps: 0 });
    // A node kept alive by the test (its lease renewed often): with every node down, kube
    // assumes the control plane is cut off and taints nothing NoExecute.
    await client.create(resources.nodes, { metadata: { name: 'healthy' } });
    await postStatus('healthy', 'True');
    await renewLease('healthy');
    heartbeat = setInterval(() => void renewLease('healthy').catch(() => undefined), 200);
    controllers = await runWorkerInProcess('controllers', {
      connection: { kubeconfigPath: server.kubeconfigPath },
      options: {
        controllers: ['node-lifecycle', 'taint-eviction'],
        nodeMonitorPeriodSeconds: 0.2,
        nodeMonitorGracePeriodSeconds: graceSeconds,
        nodeEvictionRate: 100,
      },
      log: createLogger('error'),
    });
  });

  after(async () => {
    clearInterval(heartbeat);
    client?.close();
    await controllers?.stop();
    await server?.stop();
  });

  async function postStatus(name: string, ready: 'True' | 'False') {
    const node = await client.get(resources.nodes, name);
    const reason = ready === 'True' ? 'KubeletReady' : 'KubeletNotReady';
    node.status = { ...node.status, conditions: [{ type: 'Ready', status: ready, reason, message: reason, lastHeartbeatTime: now(), lastTransitionTime: now() }] };
    await client.updateStatus(resources.nodes, node);
  }

  async function renewLease(name: string) {
    const renewTime = new Date().toISOString().replace(/Z$/, '000Z');
    const lease = await client.get(resources.leases, name, { namespace: 'kube-node-lease' }).catch(() => undefined);
    if (!lease) {
      await client.create(resources.leases, { metadata: { name, namespace: 'kube-node-lease' }, spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime } });
    } else await client.update(resources.leases, { ...lease, spec: { ...lease.spec, renewTime } });
  }

  const pod = (name: string, tolerations?: unknown[]): KubeObject => ({
    metadata: { name, namespace: 'default' },
    spec: { nodeName: 'lost', containers: [{ name: 'c', image: 'busybox' }], tolerations },
  });

  it('a silent node turns Unknown and unreachable; its pods go after their tolerationSeconds', async () => {
    await client.create(resources.nodes, { metadata: { name: 'lost' } });
    await postStatus('lost', 'True');
    await renewLease('lost');
    const silentSince = Date.now();
    const unreachable = { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' };
    await client.create(resources.pods, pod('zero', [{ ...unreachable, tolerationSeconds: 0 }]));
    await client.create(resources.pods, pod('short', [{ ...unreachable, tolerationSeconds: 2 }]));
    await client.create(resources.pods, pod('forever', [unreachable]));
    await client.create(resources.pods, pod('defaulted'));
    await client.create(resources.pods, pod('ready', [unreachable]));
    const ready = await client.get(resources.pods, 'ready', { namespace: 'default' });
    await client.updateStatus(resources.pods, { ...ready, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now() }] } });
    const defaulted = await client.get(resources.pods, 'defaulted', { namespace: 'default' });
    assert.ok(defaulted.spec.tolerations.some((t: { key: string; tolerationSeconds?: number }) => t.key === unreachable.key && t.tolerationSeconds === 300));

    const node = await until('the node to turn Unknown and tainted', async () => {
      const n = await client.get(resources.nodes, 'lost');
      return readyOf(n)?.status === 'Unknown' && taintsOf(n).length === 2 ? n : undefined;
    });
    assert.ok(Date.now() - silentSince >= graceSeconds * 1000 - 100, 'not before the grace period');
    assert.deepEqual(readyOf(node).reason, 'NodeStatusUnknown');
    assert.deepEqual(readyOf(node).message, 'Kubelet stopped posting node status.');
    assert.deepEqual(taintsOf(node), ['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
    const noExecute = node.spec.taints.find((t: { effect: string }) => t.effect === 'NoExecute');
    assert.ok(noExecute.timeAdded, 'a NoExecute taint records when it was added');

    const deleting = (name: string) => client.get(resources.pods, name, { namespace: 'default' }).then((p) => !!p.metadata.deletionTimestamp, () => true);
    await until('pod zero to be evicted at once', () => deleting('zero'), 1500);
    await until('pod short to be evicted after 2 s', () => deleting('short'), 5000);
    const evicted = await client.get(resources.pods, 'short', { namespace: 'default' });
    const target = evicted.status.conditions.find((c: { type: string }) => c.type === 'DisruptionTarget');
    assert.equal(target?.status, 'True');
    assert.equal(target?.reason, 'DeletionByTaintManager');
    // When, from the controller's own stamps (whole seconds, one clock) rather than from when
    // this test happened to look: zero at once, short no sooner than its 2 s toleration.
    const zero = await client.get(resources.pods, 'zero', { namespace: 'default' }).catch(() => undefined);
    const stamp = (p: KubeObject | undefined) => Date.parse(p?.status?.conditions?.find((c: { type: string }) => c.type === 'DisruptionTarget')?.lastTransitionTime ?? '');
    const taintedAt = Date.parse(noExecute.timeAdded);
    assert.ok(stamp(evicted) - taintedAt >= 2000, `short was evicted after its toleration: tainted ${noExecute.timeAdded}, evicted ${target?.lastTransitionTime}`);
    if (zero) assert.ok(stamp(zero) <= stamp(evicted), 'zero, tolerating 0 s, went no later than short');
    assert.equal(await deleting('forever'), false);
    assert.equal(await deleting('defaulted'), false);

    const events = await until('the eviction event', async () => {
      const list = await client.list(resources.events, { namespace: 'default' });
      const found = list.items.filter((e) => e.reason === 'TaintManagerEviction' && (e.involvedObject as { name: string }).name === 'short');
      return found.length ? found : undefined;
    });
    assert.equal(events[0].message, 'Marking for deletion Pod default/short');
    assert.deepEqual(events[0].source, { component: 'taint-eviction-controller' });
    const all = (await client.list(resources.events, { namespace: 'default' })).items;
    assert.ok(all.some((e) => e.reason === 'NodeNotReady' && e.message === 'Node lost status is now: NodeNotReady'), 'an event on the node');
    assert.ok(all.some((e) => e.reason === 'NodeNotReady' && e.message === 'Node is not ready' && (e.involvedObject as { name: string }).name === 'ready'), 'an event on its pod');
    const marked = await client.get(resources.pods, 'ready', { namespace: 'default' });
    assert.equal(marked.status.conditions.find((c: { type: string }) => c.type === 'Ready')?.status, 'False', 'pods on the node are marked not ready');
  });

  it('a node reporting Ready again loses the taints and its pending evictions are cancelled', async () => {
    await renewLease('lost');
    await postStatus('lost', 'True');
    await until('the taints to go', async () => taintsOf(await client.get(resources.nodes, 'lost')).length === 0);
    const cancelled = await until('the cancel event', async () => {
      const list = await client.list(resources.events, { namespace: 'default' });
      return list.items.find((e) => e.reason === 'TaintManagerEviction' && (e.involvedObject as { name: string }).name === 'defaulted');
    });
    assert.equal(cancelled.message, 'Cancelling deletion of Pod default/defaulted');
  });

  it('Ready=False gets the not-ready taints', async () => {
    await renewLease('lost');
    await postStatus('lost', 'False');
    const node = await until('the not-ready taints', async () => {
      const n = await client.get(resources.nodes, 'lost');
      return taintsOf(n).includes('node.kubernetes.io/not-ready:NoExecute') ? n : undefined;
    });
    assert.deepEqual(taintsOf(node), ['node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/not-ready:NoSchedule']);
  });

  it('a NoExecute taint a pod does not tolerate evicts it at once, on a healthy node too', async () => {
    await client.create(resources.pods, { metadata: { name: 'runner', namespace: 'default' }, spec: { nodeName: 'healthy', containers: [{ name: 'c', image: 'nginx' }] } });
    await client.patch(resources.nodes, 'healthy', 'merge', { spec: { taints: [{ key: 'example.com/maintenance', effect: 'NoExecute' }] } });
    const evicted = await until('the pod to be evicted', async () => {
      const p = await client.get(resources.pods, 'runner', { namespace: 'default' });
      return p.metadata.deletionTimestamp ? p : undefined;
    }, 3000);
    assert.ok(evicted.status.conditions.some((c: { type: string; reason?: string }) => c.type === 'DisruptionTarget' && c.reason === 'DeletionByTaintManager'));
    assert.deepEqual(taintsOf(await client.get(resources.nodes, 'healthy')), ['example.com/maintenance:NoExecute'], 'a healthy node keeps only its own taints');
  });

  it('with every node down, NoExecute taints are lifted (kube\'s master disruption mode)', async () => {
    await client.patch(resources.nodes, 'healthy', 'merge', { spec: { taints: null } });
    clearInterval(heartbeat);
    const settledNodes = async () => {
      const nodes = await Promise.all(['healthy', 'lost'].map((n) => client.get(resources.nodes, n)));
      const settled = taintsOf(nodes[0]).includes('node.kubernetes.io/unreachable:NoSchedule')
        && nodes.every((n) => readyOf(n)?.status !== 'True' && !taintsOf(n).some((t: string) => t.endsWith(':NoExecute')));
      return settled ? nodes : undefined;
    };
    await until('both nodes down without NoExecute taints', settledNodes, 5000);
    await delay(600); // a few monitor periods: it stays so
    const [healthy, lost] = (await settledNodes()) ?? assert.fail('a NoExecute taint came back');
    assert.deepEqual(taintsOf(healthy), ['node.kubernetes.io/unreachable:NoSchedule']);
    assert.ok(taintsOf(lost).length === 1 && taintsOf(lost)[0].endsWith(':NoSchedule'), 'NoSchedule taints stay');
  });
});
