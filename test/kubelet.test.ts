// Simulated kubelets against a real kubelite server: nodes register Ready with leases; pods
// bound to them (spec.nodeName set, no scheduler) go Running and Ready with an IP and the
// kubelet's four events in order; deleted pods go away after their containers stop; a
// restartPolicy Never pod scripted to exit 1 fails; logs and exec answer for running pods,
// through the API server, which reaches each node's kubelet API at its advertised port.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { KubeObject } from '../src/api/types.ts';
import { ApiClient, isNotFound, resources } from '../src/client/index.ts';
import { startKubelets, type RunningKubelets } from '../src/kubelet/index.ts';
import { createLogger } from '../src/log.ts';
import { startTestServer, type TestServer } from './support/server.ts';

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> { // a hang guard, generous for loaded machines
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await fn();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await delay(100);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

function pod(name: string, spec: Record<string, unknown>, annotations?: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', annotations }, spec };
}

describe('simulated kubelet', () => {
  let server: TestServer;
  let client: ApiClient;
  let kubelets: RunningKubelets;

  before(async () => {
    server = await startTestServer();
    client = ApiClient.fromKubeconfig(server.kubeconfigPath, { qps: 0 });
    kubelets = await startKubelets({
      client,
      nodes: [{ name: 'node-a', cpu: '2', memory: '4Gi', labels: { zone: 'a' } }, { name: 'node-b', taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }],
      log: createLogger('error'),
    });
  });

  after(async () => {
    await kubelets?.stop();
    client?.close();
    await server?.stop();
  });

  it('registers Ready nodes with capacity, addresses, nodeInfo and a lease', async () => {
    const a = await client.get(resources.nodes, 'node-a');
    assert.equal(a.metadata.labels?.['kubernetes.io/hostname'], 'node-a');
    assert.equal(a.metadata.labels?.['kubernetes.io/os'], 'linux');
    assert.equal(a.metadata.labels?.zone, 'a');
    assert.equal(a.status.capacity.cpu, '2');
    assert.equal(a.status.allocatable.memory, '4Gi');
    const ready = a.status.conditions.find((c: any) => c.type === 'Ready');
    assert.deepEqual([ready.status, ready.reason, ready.message], ['True', 'KubeletReady', 'kubelet is posting ready status']);
    for (const type of ['MemoryPressure', 'DiskPressure', 'PIDPressure']) {
      assert.equal(a.status.conditions.find((c: any) => c.type === type)?.status, 'False', type);
    }
    // Every simulated node listens on this host, each on its own kubelet port.
    assert.deepEqual(a.status.addresses, [{ type: 'InternalIP', address: '127.0.0.1' }, { type: 'Hostname', address: 'node-a' }]);
    assert.equal(a.status.daemonEndpoints.kubeletEndpoint.Port, kubelets.ports['node-a']);
    assert.equal(a.status.nodeInfo.kubeletVersion, 'v1.32.0');
    assert.equal(a.spec.podCIDR, '10.244.0.0/24');
    const b = await client.get(resources.nodes, 'node-b');
    assert.deepEqual(b.spec.taints, [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]);
    assert.equal(b.status.daemonEndpoints.kubeletEndpoint.Port, kubelets.ports['node-b']);
    assert.notEqual(kubelets.ports['node-a'], kubelets.ports['node-b']);
    const lease = await client.get(resources.leases, 'node-a', { namespace: 'kube-node-lease' });
    assert.equal(lease.spec.holderIdentity, 'node-a');
    assert.equal(lease.spec.leaseDurationSeconds, 40);
    assert.match(lease.spec.renewTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.equal(lease.metadata.ownerReferences?.[0]?.uid, a.metadata.uid);
    const res = await server.kubectl(['get', 'nodes']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /node-a\s+Ready/);
  });

  it('runs a bound pod: Running and Ready with an IP, and Pulling, Pulled, Created, Started in order', async () => {
    await client.create(resources.pods, pod('web', {
      nodeName: 'node-a',
      containers: [{ name: 'nginx', image: 'nginx', command: ['sh', '-c', 'echo hello from $HOSTNAME; sleep infinity'], env: [{ name: 'GREETING', value: 'hi' }] }],
    }));
    const running = await waitFor('web Running and Ready', async () => {
      const p = await client.get(resources.pods, 'web', { namespace: 'default' });
      const ready = p.status?.conditions?.find((c: any) => c.type === 'Ready')?.status === 'True';
      return p.status?.phase === 'Running' && ready ? p : undefined;
    });
    assert.match(running.status.podIP, /^10\.244\.0\.\d+$/);
    assert.equal(running.status.hostIP, '127.0.0.1');
    const cs = running.status.containerStatuses[0];
    assert.equal(cs.ready, true);
    assert.equal(cs.restartCount, 0);
    assert.ok(cs.state.running.startedAt);
    assert.match(cs.containerID, /^kubelite:\/\/[0-9a-f]{64}$/);
    assert.match(cs.imageID, /^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
    for (const type of ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready']) {
      assert.equal(running.status.conditions.find((c: any) => c.type === type)?.status, 'True', type);
    }
    // Written in the background, as kube's event recorder does: they follow the status shortly.
    const events = await waitFor('web\'s four events', async () => {
      const list = await client.list(resources.events, { namespace: 'default', fieldSelector: 'involvedObject.name=web' });
      return list.items.length >= 4 ? list : undefined;
    });
    assert.deepEqual(events.items.map((e) => e.reason), ['Pulling', 'Pulled', 'Created', 'Started']);
    assert.deepEqual(events.items.map((e) => (e.source as any)?.host), ['node-a', 'node-a', 'node-a', 'node-a']);
    assert.match(String(events.items[1].message), /^Successfully pulled image "nginx" in [\d.]+m?s \([\d.]+m?s including waiting\)\. Image size: \d+ bytes\.$/);
    assert.equal(events.items[2].message, 'Created container: nginx');
    assert.equal((events.items[3].involvedObject as any).fieldPath, 'spec.containers{nginx}');
  });

  it('serves the running pod\'s logs and exec through its kubelet API', async () => {
    const logs = await server.kubectl(['logs', 'web']);
    assert.equal(logs.stdout, 'hello from web\n', logs.stderr);
    const stamped = await server.kubectl(['logs', 'web', '-c', 'nginx', '--timestamps', '--tail=1']);
    assert.match(stamped.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z hello from web\n$/);
    const hi = await server.kubectl(['exec', 'web', '-c', 'nginx', '--', 'echo', 'hi']);
    assert.deepEqual([hi.code, hi.stdout], [0, 'hi\n'], hi.stderr);
    const env = await server.kubectl(['exec', 'web', '--', 'sh', '-c', 'echo $GREETING; hostname; cat /etc/hostname; false']);
    assert.deepEqual([env.code, env.stdout], [1, 'hi\nweb\nweb\n'], env.stderr);
    const sidecar = await server.kubectl(['exec', 'web', '-c', 'sidecar', '--', 'true']);
    assert.match(sidecar.stderr, /container sidecar is not valid for pod web/);
    const nope = await server.kubectl(['logs', 'nope']);
    assert.match(nope.stderr, /pods "nope" not found/);
  });

  it('deletes a pod after its containers stopped, within the grace period', async () => {
    await client.delete(resources.pods, 'web', { namespace: 'default', gracePeriodSeconds: 5 });
    const terminating = await client.get(resources.pods, 'web', { namespace: 'default' });
    assert.ok(terminating.metadata.deletionTimestamp, 'the pod waits for its kubelet');
    await waitFor('web gone', async () => {
      try {
        await client.get(resources.pods, 'web', { namespace: 'default' });
        return undefined;
      } catch (err) {
        return isNotFound(err) ? true : undefined;
      }
    }, 10_000);
    const events = await waitFor('a Killing event', async () => {
      const list = await client.list(resources.events, { namespace: 'default', fieldSelector: 'involvedObject.name=web,reason=Killing' });
      return list.items.length ? list : undefined;
    });
    assert.equal(events.items[0]?.message, 'Stopping container nginx');
  });

  it('fails a restartPolicy Never pod whose container exits 1', async () => {
    await client.create(resources.pods, pod('job-fail', {
      nodeName: 'node-b', restartPolicy: 'Never',
      tolerations: [{ key: 'dedicated', operator: 'Exists' }],
      containers: [{ name: 'main', image: 'busybox' }],
    }, { 'kubelite.dev/exit-code': '1', 'kubelite.dev/run-seconds': '1' }));
    const failed = await waitFor('job-fail Failed', async () => {
      const p = await client.get(resources.pods, 'job-fail', { namespace: 'default' });
      return p.status?.phase === 'Failed' ? p : undefined;
    });
    const term = failed.status.containerStatuses[0].state.terminated;
    assert.equal(term.exitCode, 1);
    assert.equal(term.reason, 'Error');
    assert.match(failed.status.podIP, /^10\.244\.1\.\d+$/);
  });

  it('succeeds a restartPolicy Never pod whose script ends with exit 0', async () => {
    await client.create(resources.pods, pod('job-ok', {
      nodeName: 'node-a', restartPolicy: 'Never',
      containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'echo done; sleep 1; exit 0'] }],
    }));
    const done = await waitFor('job-ok Succeeded', async () => {
      const p = await client.get(resources.pods, 'job-ok', { namespace: 'default' });
      return p.status?.phase === 'Succeeded' ? p : undefined;
    });
    assert.equal(done.status.containerStatuses[0].state.terminated.reason, 'Completed');
    const follow = await server.kubectl(['logs', '-f', 'job-ok']);
    assert.equal(follow.stdout, 'done\n', 'a follow of a finished container ends');
  });

  it('pulls an IfNotPresent image once per node: the next pod finds it "already present on machine"', async () => {
    const running = (name: string) => waitFor(`${name} Running`, async () => {
      const p = await client.get(resources.pods, name, { namespace: 'default' });
      return p.status?.phase === 'Running' ? p : undefined;
    });
    const reasons = (name: string, count: number) => waitFor(`${name}'s events`, async () => {
      const list = await client.list(resources.events, { namespace: 'default', fieldSelector: `involvedObject.name=${name}` });
      return list.items.length >= count ? list.items.map((e) => `${e.reason}: ${e.message}`) : undefined;
    });
    await client.create(resources.pods, pod('cache-1', { nodeName: 'node-a', containers: [{ name: 'web', image: 'nginx:1.26' }] }));
    await running('cache-1');
    assert.match((await reasons('cache-1', 4))[1], /^Pulled: Successfully pulled image "nginx:1\.26"/);
    await client.create(resources.pods, pod('cache-2', { nodeName: 'node-a', containers: [{ name: 'web', image: 'nginx:1.26' }] }));
    await running('cache-2');
    assert.deepEqual(await reasons('cache-2', 3), ['Pulled: Container image "nginx:1.26" already present on machine', 'Created: Created container: web', 'Started: Started container web']);
  });
});
