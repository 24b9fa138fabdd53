// The resource metrics API (metrics.k8s.io/v1beta1) end to end: kubectl top pods/nodes print
// the usage annotated on pods (and nodes' overhead), GET/LIST answer metrics-server's shapes
// with selectors, errors are kube's, discovery lists the group; plus the usage model's
// defaults and quantity formatting as unit tests.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../src/api/types.ts';
import { formatBytes, formatNanocores } from '../src/api/metrics-quantity.ts';
import { nodeUsage, podUsage } from '../src/api/usage-model.ts';
import type { Node, Pod } from '../src/api/core-v1.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { hangGuard, until } from './support/wait.ts';

describe('usage model', () => {
  const running = (annotations: Record<string, string>, containers: Pod['spec'] extends infer S ? S extends { containers?: infer C } ? C : never : never): Pod =>
    ({ metadata: { name: 'p', uid: 'u1', annotations }, spec: { containers }, status: { phase: 'Running' } }) as Pod;

  it('prints quantities in canonical form', () => {
    assert.deepEqual([formatNanocores(250e6), formatNanocores(12345678), formatNanocores(2e9), formatNanocores(1500)], ['250m', '12345678n', '2', '1500n']);
    assert.deepEqual([formatBytes(64 * 2 ** 20), formatBytes(1234 * 1024), formatBytes(512)], ['64Mi', '1234Ki', '512']);
  });

  it('splits a pod annotation by request, lets a container annotation win, and reports nothing unless Running', () => {
    const pod = running({ 'kubelite.dev/cpu-usage': '300m', 'kubelite.dev/memory-usage.b': '10Mi' }, [
      { name: 'a', resources: { requests: { cpu: '200m', memory: '100Mi' } } },
      { name: 'b', resources: { requests: { cpu: '100m', memory: '100Mi' } } },
    ]);
    const usage = podUsage(pod)!;
    assert.deepEqual(usage.map((c) => [c.name, c.cpu, c.memory === 10 * 2 ** 20 || c.name === 'a']), [['a', 200e6, true], ['b', 100e6, true]]);
    // Unannotated memory: half the request, ±10%, the same every time.
    assert.ok(Math.abs(usage[0].memory - 50 * 2 ** 20) <= 5 * 2 ** 20);
    assert.deepEqual(podUsage(pod), usage);
    assert.equal(podUsage({ ...pod, status: { phase: 'Pending' } } as Pod), undefined);
  });

  it('adds a node\'s annotated overhead to its pods and has nothing for a node that is not Ready', () => {
    const node = { metadata: { name: 'n', annotations: { 'kubelite.dev/cpu-usage': '100m', 'kubelite.dev/memory-usage': '1Gi' } }, status: { conditions: [{ type: 'Ready', status: 'True' }] } } as Node;
    const pod = running({ 'kubelite.dev/cpu-usage': '250m', 'kubelite.dev/memory-usage': '64Mi' }, [{ name: 'a' }]);
    assert.deepEqual(nodeUsage(node, [pod]), { cpu: 350e6, memory: 2 ** 30 + 64 * 2 ** 20 });
    assert.equal(nodeUsage({ ...node, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } } as Node, [pod]), undefined);
  });
});

const pods = `
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: { app: web }
  annotations: { kubelite.dev/cpu-usage: 250m, kubelite.dev/memory-usage: 64Mi, kubelite.dev/cpu-usage.sidecar: 50m, kubelite.dev/memory-usage.sidecar: 16Mi }
spec:
  nodeName: kubelite-node-1
  containers:
    - { name: app, image: nginx, resources: { requests: { cpu: 500m, memory: 128Mi } } }
    - { name: sidecar, image: busybox }
---
apiVersion: v1
kind: Namespace
metadata: { name: jobs }
---
apiVersion: v1
kind: Pod
metadata:
  name: batch
  namespace: jobs
  labels: { app: batch }
  annotations: { kubelite.dev/cpu-usage: 1500m, kubelite.dev/memory-usage: 1Gi }
spec:
  nodeName: kubelite-node-2
  containers: [{ name: main, image: busybox }]
`;

describe('metrics.k8s.io API', { timeout: hangGuard(40_000) }, () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ nodes: 2 });
    for (const node of ['kubelite-node-1', 'kubelite-node-2']) {
      const r = await server.kubectl(['annotate', 'node', node, 'kubelite.dev/cpu-usage=200m', 'kubelite.dev/memory-usage=1Gi']);
      assert.equal(r.code, 0, r.stderr);
    }
    assert.equal((await server.kubectl(['create', '-f', '-'], { input: pods })).code, 0);
    for (const [ns, name] of [['default', 'web'], ['jobs', 'batch']]) {
      await until(`${name} Running`, async () => (await server.kubectl(['get', 'pod', name, '-n', ns, '-o', 'jsonpath={.status.phase}'])).stdout === 'Running');
    }
  });

  after(async () => {
    await server?.stop();
  });

  const rows = (text: string) => text.trim().split('\n').map((l) => l.trim().split(/\s+/));

  it('kubectl top pods prints the annotated usage, per container and across namespaces', async () => {
    const top = await server.kubectl(['top', 'pods']);
    assert.equal(top.code, 0, top.stderr);
    assert.deepEqual(rows(top.stdout), [['NAME', 'CPU(cores)', 'MEMORY(bytes)'], ['web', '300m', '80Mi']]);
    const containers = await server.kubectl(['top', 'pods', '--containers']);
    assert.deepEqual(rows(containers.stdout), [['POD', 'NAME', 'CPU(cores)', 'MEMORY(bytes)'], ['web', 'app', '250m', '64Mi'], ['web', 'sidecar', '50m', '16Mi']]);
    const all = await server.kubectl(['top', 'pods', '-A', '-l', 'app']);
    assert.deepEqual(rows(all.stdout), [['NAMESPACE', 'NAME', 'CPU(cores)', 'MEMORY(bytes)'], ['default', 'web', '300m', '80Mi'], ['jobs', 'batch', '1500m', '1024Mi']]);
  });

  it('kubectl top nodes adds the pods to the node overhead and divides by allocatable', async () => {
    const top = await server.kubectl(['top', 'nodes']);
    assert.equal(top.code, 0, top.stderr);
    // 4 cpu and 16Gi allocatable per node: 500m is 12%, 1104Mi 6%; 1700m is 42%, 2048Mi 12%.
    assert.deepEqual(rows(top.stdout), [
      ['NAME', 'CPU(cores)', 'CPU(%)', 'MEMORY(bytes)', 'MEMORY(%)'],
      ['kubelite-node-1', '500m', '12%', '1104Mi', '6%'],
      ['kubelite-node-2', '1700m', '42%', '2048Mi', '12%'],
    ]);
  });

  it('answers GET and LIST in metrics-server\'s shapes, with label and field selectors', async () => {
    const res = await server.request('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/web');
    assert.equal(res.status, 200);
    const web = (await res.json()) as KubeObject;
    assert.equal(web.kind, 'PodMetrics');
    assert.equal(web.apiVersion, 'metrics.k8s.io/v1beta1');
    assert.deepEqual({ ...web.metadata, creationTimestamp: undefined }, { name: 'web', namespace: 'default', labels: { app: 'web' }, creationTimestamp: undefined });
    assert.match(String(web.timestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(web.window, '15s');
    assert.deepEqual(web.containers, [{ name: 'app', usage: { cpu: '250m', memory: '64Mi' } }, { name: 'sidecar', usage: { cpu: '50m', memory: '16Mi' } }]);

    const list = (await (await server.request('/apis/metrics.k8s.io/v1beta1/pods?labelSelector=app%3Dbatch')).json()) as { kind: string; items: KubeObject[] };
    assert.equal(list.kind, 'PodMetricsList');
    assert.deepEqual(list.items.map((i) => `${i.metadata.namespace}/${i.metadata.name}`), ['jobs/batch']);
    const byName = (await (await server.request('/apis/metrics.k8s.io/v1beta1/pods?fieldSelector=metadata.name%3Dweb')).json()) as { items: KubeObject[] };
    assert.deepEqual(byName.items.map((i) => i.metadata.name), ['web']);

    const node = (await (await server.request('/apis/metrics.k8s.io/v1beta1/nodes/kubelite-node-2')).json()) as KubeObject;
    assert.equal(node.kind, 'NodeMetrics');
    assert.deepEqual(node.usage, { cpu: '1700m', memory: '2Gi' });
    const nodes = (await (await server.request('/apis/metrics.k8s.io/v1beta1/nodes')).json()) as { kind: string; items: KubeObject[] };
    assert.equal(nodes.kind, 'NodeMetricsList');
    assert.deepEqual(nodes.items.map((i) => i.metadata.name), ['kubelite-node-1', 'kubelite-node-2']);

    const table = await server.kubectl(['get', 'pods.metrics.k8s.io', '-n', 'jobs']);
    assert.deepEqual(rows(table.stdout), [['NAME', 'CPU', 'MEMORY', 'WINDOW'], ['batch', '1500m', '1Gi', '15s']]);
  });

  it('answers unknown objects and unsupported verbs as kube does', async () => {
    const missing = await server.request('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/nope');
    assert.equal(missing.status, 404);
    const status = (await missing.json()) as { reason: string; message: string };
    assert.deepEqual([status.reason, status.message], ['NotFound', 'pods "nope" not found']);
    // A pod that exists but does not run has no metrics: metrics-server's own NotFound.
    await server.kubectl(['run', 'waiting', '--image=nginx']); // no scheduler here: it stays Pending
    const pending = (await (await server.request('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/waiting')).json()) as { reason: string; message: string };
    assert.deepEqual([pending.reason, pending.message], ['NotFound', 'podmetrics.metrics.k8s.io "default/waiting" not found']);
    const top = await server.kubectl(['top', 'pod', 'nope']);
    assert.notEqual(top.code, 0);
    assert.match(top.stderr, /NotFound.*pods "nope" not found/);
    const node = await server.request('/apis/metrics.k8s.io/v1beta1/nodes/nope');
    assert.equal(node.status, 404);
    const watch = await server.request('/apis/metrics.k8s.io/v1beta1/pods?watch=true');
    assert.equal(watch.status, 405);
    assert.equal(((await watch.json()) as { message: string }).message, 'watch is not supported on resources of kind "pods.metrics.k8s.io"');
    const post = await server.request('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(post.status, 405);
  });

  it('is listed by every form of discovery', async () => {
    const resources = await server.kubectl(['api-resources', '--api-group=metrics.k8s.io']);
    assert.deepEqual(rows(resources.stdout), [
      ['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND'],
      ['nodes', 'metrics.k8s.io/v1beta1', 'false', 'NodeMetrics'],
      ['pods', 'metrics.k8s.io/v1beta1', 'true', 'PodMetrics'],
    ]);
    const groups = (await (await server.request('/apis')).json()) as { groups: { name: string; preferredVersion: { groupVersion: string } }[] };
    assert.equal(groups.groups.find((g) => g.name === 'metrics.k8s.io')?.preferredVersion.groupVersion, 'metrics.k8s.io/v1beta1');
    const list = (await (await server.request('/apis/metrics.k8s.io/v1beta1')).json()) as { resources: { name: string; verbs: string[]; namespaced: boolean }[] };
    assert.deepEqual(list.resources.map((r) => [r.name, r.namespaced, r.verbs]), [['nodes', false, ['get', 'list']], ['pods', true, ['get', 'list']]]);
    const aggregated = (await (await server.request('/apis', { headers: { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' } })).json()) as { items: { metadata: { name: string }; versions: { version: string; resources: { resource: string; scope: string }[] }[] }[] };
    const metrics = aggregated.items.find((g) => g.metadata.name === 'metrics.k8s.io');
    assert.deepEqual(metrics?.versions.map((v) => [v.version, v.resources.map((r) => `${r.resource}:${r.scope}`)]), [['v1beta1', ['nodes:Cluster', 'pods:Namespaced']]]);
  });
});
