// The namespace controller against a real kubelite server with a simulated kubelet and the
// scheduler: `kubectl delete ns` empties the namespace (a pod Running on a node included)
// and returns once it is gone; content held by a finalizer keeps the namespace Terminating
// with the conditions kube reports, until the finalizer is removed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiClient, isNotFound, resources } from '../src/client/index.ts';
import { createLogger } from '../src/log.ts';
import { runWorkerInProcess, type RunningWorker } from './support/workers.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { hangGuard, until } from './support/wait.ts';


const manifests = (ns: string) => `
apiVersion: v1
kind: ConfigMap
metadata: { name: settings, namespace: ${ns} }
data: { a: "1" }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: ${ns} }
spec:
  selector: { app: web }
  ports: [{ port: 80 }]
---
apiVersion: v1
kind: Pod
metadata: { name: web, namespace: ${ns}, labels: { app: web } }
spec:
  containers: [{ name: web, image: nginx }]
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: { name: api, namespace: ${ns} }
spec:
  replicas: 2
  selector: { matchLabels: { app: api } }
  template:
    metadata: { labels: { app: api } }
    spec:
      containers: [{ name: api, image: nginx }]
`;

describe('namespace controller', { timeout: hangGuard(30_000) }, () => {
  let server: TestServer;
  let controllers: RunningWorker;
  let client: ApiClient;

  before(async () => {
    server = await startTestServer({ nodes: 1, scheduler: true });
    controllers = await runWorkerInProcess('controllers', {
      connection: { kubeconfigPath: server.kubeconfigPath },
      options: { controllers: ['namespace', 'replicaset', 'garbage-collector'] },
      log: createLogger('error'),
    });
    client = ApiClient.fromKubeconfig(server.kubeconfigPath, { qps: 0 });
  });

  after(async () => {
    client?.close();
    await controllers?.stop();
    await server?.stop();
  });

  it('kubectl delete ns removes a configmap, a service, a running pod and a ReplicaSet with its pods, then the namespace', async () => {
    assert.equal((await server.kubectl(['create', 'namespace', 'doomed'])).code, 0);
    const created = await server.kubectl(['apply', '-f', '-'], { input: manifests('doomed') });
    assert.equal(created.code, 0, created.stderr);
    await until('the pod to run', async () => {
      const pod = await client.get(resources.pods, 'web', { namespace: 'doomed' });
      return pod.status?.phase === 'Running';
    });
    await until('the ReplicaSet\'s 2 pods', async () => (await client.list(resources.pods, { namespace: 'doomed', labelSelector: 'app=api' })).items.length === 2);

    const deleted = await server.kubectl(['delete', 'namespace', 'doomed', '--timeout=20s']);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.match(deleted.stdout, /namespace "doomed" deleted/);

    await assert.rejects(client.get(resources.namespaces, 'doomed'), isNotFound);
    for (const res of [resources.configMaps, resources.services, resources.pods, resources.replicaSets]) {
      const list = await client.list(res, { namespace: 'doomed' });
      assert.deepEqual(list.items.map((o) => o.metadata.name), [], `${res.resource} left in doomed`);
    }
  });

  it('content held by a finalizer keeps the namespace Terminating with ContentRemaining and FinalizersRemaining', async () => {
    await client.create(resources.namespaces, { metadata: { name: 'held' } });
    await client.create(resources.configMaps, { metadata: { name: 'kept', namespace: 'held', finalizers: ['example.com/hold'] }, data: {} });
    await client.delete(resources.namespaces, 'held');

    const ns = await until('the namespace conditions', async () => {
      const current = await client.get(resources.namespaces, 'held');
      const remaining = current.status?.conditions?.find((c: { type: string }) => c.type === 'NamespaceContentRemaining');
      return remaining?.status === 'True' ? current : undefined;
    });
    assert.equal(ns.status.phase, 'Terminating');
    const byType = Object.fromEntries(ns.status.conditions.map((c: { type: string }) => [c.type, c]));
    assert.deepEqual(Object.keys(byType).sort(), [
      'NamespaceContentRemaining', 'NamespaceDeletionContentFailure', 'NamespaceDeletionDiscoveryFailure',
      'NamespaceDeletionGroupVersionParsingFailure', 'NamespaceFinalizersRemaining',
    ]);
    assert.equal(byType.NamespaceContentRemaining.reason, 'SomeResourcesRemain');
    assert.equal(byType.NamespaceContentRemaining.message, 'Some resources are remaining: configmaps. has 1 resource instances');
    assert.equal(byType.NamespaceFinalizersRemaining.status, 'True');
    assert.equal(byType.NamespaceFinalizersRemaining.reason, 'SomeFinalizersRemain');
    assert.equal(byType.NamespaceFinalizersRemaining.message, 'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances');
    assert.equal(byType.NamespaceDeletionDiscoveryFailure.status, 'False');
    assert.equal(byType.NamespaceDeletionContentFailure.reason, 'ContentDeleted');
    const kept = await client.get(resources.configMaps, 'kept', { namespace: 'held' });
    assert.ok(kept.metadata.deletionTimestamp, 'the configmap is being deleted');
    assert.deepEqual(ns.spec.finalizers, ['kubernetes']);
    const yaml = await server.kubectl(['get', 'ns', 'held', '-o', 'yaml']);
    assert.equal(yaml.code, 0, yaml.stderr);
    assert.match(yaml.stdout, /phase: Terminating/);
    assert.match(yaml.stdout, /message: 'Some resources are remaining: configmaps\. has 1 resource instances'\n\s+reason: SomeResourcesRemain\n\s+status: "True"\n\s+type: NamespaceContentRemaining/);
    assert.match(yaml.stdout, /reason: ResourcesDiscovered\n\s+status: "False"\n\s+type: NamespaceDeletionDiscoveryFailure/);

    // The finalizer's owner finishes; the namespace controller notices on its next pass
    // (kube waits finalizerEstimateSeconds; touching the namespace wakes it at once).
    await client.patch(resources.configMaps, 'kept', 'merge', { metadata: { finalizers: null } }, { namespace: 'held' });
    await client.patch(resources.namespaces, 'held', 'merge', { metadata: { labels: { poke: 'now' } } });
    await until('the namespace to go', async () => client.get(resources.namespaces, 'held').then(() => false, (err) => isNotFound(err)));
  });
});
