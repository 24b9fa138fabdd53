// The Endpoints and EndpointSlice controllers end to end: kubectl against a kubelite server
// running simulated kubelets, the scheduler and the replicaset, endpoints and endpointslice
// controllers. A Service's Endpoints and EndpointSlices list exactly the ready pods of a
// ReplicaSet as it scales; a pod that turns not ready (a readiness gate set False) moves to
// notReadyAddresses / ready=false; a headless Service's endpoints carry hostnames; deleting
// the Service removes both.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../src/api/types.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { hangGuard, until } from './support/wait.ts';

const api = `
apiVersion: apps/v1
kind: ReplicaSet
metadata: { name: api, namespace: default }
spec:
  replicas: 3
  selector: { matchLabels: { app: api } }
  template:
    metadata: { labels: { app: api } }
    spec:
      containers: [{ name: api, image: nginx, ports: [{ name: http, containerPort: 8080 }] }]
---
apiVersion: v1
kind: Service
metadata: { name: api, namespace: default, labels: { tier: backend } }
spec:
  selector: { app: api }
  ports: [{ name: web, port: 80, targetPort: http }]
`;

// Pods not ready until their readiness gate says so.
const gated = `
apiVersion: apps/v1
kind: ReplicaSet
metadata: { name: gated, namespace: default }
spec:
  replicas: 2
  selector: { matchLabels: { app: gated } }
  template:
    metadata: { labels: { app: gated } }
    spec:
      readinessGates: [{ conditionType: example.com/gate }]
      containers: [{ name: c, image: nginx }]
---
apiVersion: v1
kind: Service
metadata: { name: gated, namespace: default }
spec:
  selector: { app: gated }
  ports: [{ port: 80, targetPort: 9090 }]
`;

const headless = ['db-0', 'db-1'].map((name) => `
apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: default, labels: { app: db } }
spec:
  hostname: ${name}
  subdomain: db
  containers: [{ name: db, image: postgres }]
---`).join('\n') + `
apiVersion: v1
kind: Service
metadata: { name: db, namespace: default }
spec:
  clusterIP: None
  selector: { app: db }
  ports: [{ port: 5432 }]
`;

interface Address { ip: string; hostname?: string; nodeName?: string; targetRef?: { kind: string; name: string; namespace: string; uid: string } }
interface Subset { addresses?: Address[]; notReadyAddresses?: Address[]; ports?: { name?: string; port: number; protocol: string }[] }
interface Slice extends KubeObject {
  addressType: string;
  endpoints: { addresses: string[]; conditions: { ready: boolean; serving: boolean; terminating: boolean }; hostname?: string; nodeName?: string; targetRef?: { name: string; uid: string } }[];
  ports: { name: string; port: number; protocol: string }[];
}

describe('endpoints and endpointslice controllers', { timeout: hangGuard(50_000) }, () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ nodes: 3, scheduler: true, controllers: { controllers: ['replicaset', 'endpoints', 'endpointslice'] } });
  });

  after(async () => {
    await server?.stop();
  });

  async function getJson<T>(args: string[]): Promise<T | undefined> {
    const res = await server.kubectl(['get', ...args, '-o', 'json']);
    return res.code === 0 ? JSON.parse(res.stdout) as T : undefined;
  }
  const isReady = (p: KubeObject) => p.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True');
  const pods = async (app: string) => ((await getJson<{ items: KubeObject[] }>(['pods', '-l', `app=${app}`]))?.items ?? [])
    .filter((p) => !p.metadata.deletionTimestamp);
  const ips = (addresses: Address[] | undefined) => (addresses ?? []).map((a) => a.ip).sort();
  const slicesOf = async (svc: string) => (await getJson<{ items: Slice[] }>(['endpointslices', '-l', `kubernetes.io/service-name=${svc}`]))?.items ?? [];
  const sliceIPs = (slices: Slice[], ready: boolean) => slices.flatMap((s) => s.endpoints.filter((e) => e.conditions.ready === ready).flatMap((e) => e.addresses)).sort();

  /** Waits until Endpoints and EndpointSlices both list exactly the ready pods of `app`, and returns them. */
  async function settled(app: string, replicas: number) {
    return until(`endpoints of ${app} = its ${replicas} ready pods`, async () => {
      const running = await pods(app);
      const ready = running.filter(isReady).map((p) => p.status!.podIP as string).sort();
      if (running.length !== replicas || ready.length !== replicas) return false;
      const ep = await getJson<KubeObject & { subsets?: Subset[] }>(['endpoints', app]);
      const slices = await slicesOf(app);
      const epIPs = ips(ep?.subsets?.flatMap((s) => s.addresses ?? []));
      const ok = JSON.stringify(epIPs) === JSON.stringify(ready) && JSON.stringify(sliceIPs(slices, true)) === JSON.stringify(ready) &&
        !ep?.subsets?.some((s) => s.notReadyAddresses?.length) && sliceIPs(slices, false).length === 0;
      return ok && { pods: running, ep: ep!, slices };
    }, 25_000);
  }

  it('lists the ready pods of a ReplicaSet in Endpoints and EndpointSlices, ports resolved by name', async () => {
    const created = await server.kubectl(['apply', '-f', '-'], { input: api });
    assert.equal(created.code, 0, created.stderr);
    const { pods: running, ep, slices } = await settled('api', 3);
    assert.deepEqual(ep.metadata.labels, { tier: 'backend' });
    assert.match(ep.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'] ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    assert.equal(ep.subsets!.length, 1);
    assert.deepEqual(ep.subsets![0].ports, [{ name: 'web', port: 8080, protocol: 'TCP' }]);
    const byIP = new Map(running.map((p) => [p.status!.podIP as string, p]));
    for (const a of ep.subsets![0].addresses!) {
      const pod = byIP.get(a.ip)!;
      assert.deepEqual(a, { ip: a.ip, nodeName: pod.spec.nodeName, targetRef: { kind: 'Pod', name: pod.metadata.name, namespace: 'default', uid: pod.metadata.uid } });
    }
    assert.equal(slices.length, 1);
    const [slice] = slices;
    assert.match(slice.metadata.name!, /^api-[a-z0-9]{5}$/);
    assert.equal(slice.metadata.generateName, 'api-');
    assert.equal(slice.addressType, 'IPv4');
    assert.deepEqual(slice.metadata.labels, {
      tier: 'backend', 'kubernetes.io/service-name': 'api', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
    });
    const svc = (await getJson<KubeObject>(['svc', 'api']))!;
    assert.deepEqual(slice.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Service', name: 'api', uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    assert.deepEqual(slice.ports, [{ name: 'web', port: 8080, protocol: 'TCP' }]);
    for (const e of slice.endpoints) {
      const pod = byIP.get(e.addresses[0])!;
      assert.deepEqual(e.conditions, { ready: true, serving: true, terminating: false });
      assert.equal(e.nodeName, pod.spec.nodeName);
      assert.equal(e.targetRef?.uid, pod.metadata.uid);
    }
    const described = await server.kubectl(['describe', 'svc', 'api']);
    const shown = /Endpoints:\s+(\S+)/.exec(described.stdout)?.[1]?.split(',').sort();
    assert.deepEqual(shown, [...byIP.keys()].map((ip) => `${ip}:8080`).sort());
  });

  it('follows the ReplicaSet as it scales up and down', async () => {
    assert.equal((await server.kubectl(['scale', 'rs', 'api', '--replicas=5'])).code, 0);
    await settled('api', 5);
    assert.equal((await server.kubectl(['scale', 'rs', 'api', '--replicas=2'])).code, 0);
    const { slices } = await settled('api', 2);
    assert.equal(slices.length, 1, 'one slice, changed in place');
  });

  it('moves a pod that turns not ready to notReadyAddresses and ready=false', async () => {
    assert.equal((await server.kubectl(['apply', '-f', '-'], { input: gated })).code, 0);
    const waiting = await until('2 running pods, not ready, listed as not ready', async () => {
      const running = (await pods('gated')).filter((p) => p.status?.phase === 'Running' && p.status.podIP);
      const ep = await getJson<KubeObject & { subsets?: Subset[] }>(['endpoints', 'gated']);
      const slices = await slicesOf('gated');
      const notReady = ips(ep?.subsets?.flatMap((s) => s.notReadyAddresses ?? []));
      return running.length === 2 && notReady.length === 2 && sliceIPs(slices, false).length === 2 && { running, ep: ep!, slices };
    });
    assert.deepEqual(waiting.ep.subsets?.[0].ports, [{ name: '', port: 9090, protocol: 'TCP' }]);
    assert.ok(waiting.slices.every((s) => s.endpoints.every((e) => !e.conditions.ready && !e.conditions.serving && !e.conditions.terminating)));
    const setGate = (pod: string, status: string) => server.kubectl(['patch', 'pod', pod, '--subresource=status', '-p',
      JSON.stringify({ status: { conditions: [{ type: 'example.com/gate', status }] } })]);
    for (const pod of waiting.running) assert.equal((await setGate(pod.metadata.name!, 'True')).code, 0);
    await settled('gated', 2);
    const [first, second] = waiting.running;
    assert.equal((await setGate(first.metadata.name!, 'False')).code, 0);
    await until('one ready, one not ready', async () => {
      const ep = await getJson<KubeObject & { subsets?: Subset[] }>(['endpoints', 'gated']);
      const slices = await slicesOf('gated');
      const ready = ips(ep?.subsets?.flatMap((s) => s.addresses ?? []));
      const notReady = ips(ep?.subsets?.flatMap((s) => s.notReadyAddresses ?? []));
      return JSON.stringify(ready) === JSON.stringify([second.status!.podIP]) && JSON.stringify(notReady) === JSON.stringify([first.status!.podIP]) &&
        JSON.stringify(sliceIPs(slices, false)) === JSON.stringify([first.status!.podIP]) && JSON.stringify(sliceIPs(slices, true)) === JSON.stringify([second.status!.podIP]);
    });
  });

  it('gives a headless Service no ClusterIP and endpoints with the pods\' hostnames', async () => {
    assert.equal((await server.kubectl(['apply', '-f', '-'], { input: headless })).code, 0);
    const row = await server.kubectl(['get', 'svc', 'db', '--no-headers']);
    assert.match(row.stdout, /^db\s+ClusterIP\s+None\s/);
    const { ep, slices } = await until('both db pods ready in the endpoints', async () => {
      const ep = await getJson<KubeObject & { subsets?: Subset[] }>(['endpoints', 'db']);
      const slices = await slicesOf('db');
      const ready = ep?.subsets?.flatMap((s) => s.addresses ?? []) ?? [];
      return ready.length === 2 && sliceIPs(slices, true).length === 2 && { ep: ep!, slices };
    });
    assert.deepEqual(ep.metadata.labels, { 'service.kubernetes.io/headless': '' });
    assert.deepEqual(ep.subsets![0].addresses!.map((a) => a.hostname).sort(), ['db-0', 'db-1']);
    assert.equal(slices[0].metadata.labels?.['service.kubernetes.io/headless'], '');
    assert.deepEqual(slices.flatMap((s) => s.endpoints.map((e) => e.hostname)).sort(), ['db-0', 'db-1']);
  });

  it('deletes the Endpoints and EndpointSlices with their Service, and leaves the kubernetes ones alone', async () => {
    assert.equal((await server.kubectl(['delete', 'svc', 'api'])).code, 0);
    await until('api endpoints and slices gone', async () =>
      (await server.kubectl(['get', 'endpoints', 'api'])).code !== 0 && (await slicesOf('api')).length === 0);
    // The apiserver writes both when the host has an address Endpoints may name (not loopback).
    const kubernetes = await getJson<KubeObject & { subsets?: Subset[] }>(['endpoints', 'kubernetes']);
    if (kubernetes) {
      assert.deepEqual(kubernetes.metadata.labels, { 'endpointslice.kubernetes.io/skip-mirror': 'true' });
      const listed = await server.kubectl(['get', 'endpointslices', '-n', 'default', '--no-headers']);
      assert.match(listed.stdout, new RegExp(`^kubernetes\\s+IPv4\\s+\\d+\\s+${kubernetes.subsets![0].addresses![0].ip.replaceAll('.', '\\.')}\\s`, 'm'));
    }
  });
});
