// The garbage collector end to end: kubectl against a kubelite server with simulated
// kubelets, the scheduler, the ReplicaSet controller and the garbage collector. Deleting a
// ReplicaSet in background, orphan and foreground mode does to its pods what kube does (and a
// Deployment to its ReplicaSet);
// dangling, partial, cluster-scoped and cross-namespace owner references are handled as
// kube's garbage collector handles them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../src/api/types.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { until } from './support/wait.ts';

const replicaSet = (name: string, opts: { hold?: boolean } = {}) => `
apiVersion: apps/v1
kind: ReplicaSet
metadata: { name: ${name}, namespace: default }
spec:
  replicas: 2
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} }${opts.hold ? ', finalizers: [example.com/hold]' : ''} }
    spec:
      containers: [{ name: web, image: nginx }]
`;

// No suite-wide time budget: under load the whole suite takes longer than alone, and a budget
// for all of it failed whichever test was running when it ran out (the foreground deletion
// one, last but three). Each wait below is on a condition, with until()'s hang guard.
describe('garbage collector', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ nodes: 3, scheduler: true, controllers: { controllers: ['replicaset', 'deployment', 'garbage-collector'] } });
  });

  after(async () => {
    await server?.stop();
  });

  async function get(path: string): Promise<KubeObject | undefined> {
    const res = await server.request(path);
    if (res.status === 404) return undefined;
    assert.equal(res.status, 200, path);
    return (await res.json()) as KubeObject;
  }
  async function list(path: string): Promise<KubeObject[]> {
    return ((await get(path)) as unknown as { items: KubeObject[] }).items;
  }
  async function post(path: string, body: unknown): Promise<KubeObject> {
    const res = await server.request(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(res.status, 201, `${path}: ${await res.clone().text()}`);
    return (await res.json()) as KubeObject;
  }
  const podsOf = (app: string) => list(`/api/v1/namespaces/default/pods?labelSelector=app%3D${app}`);
  const rsPath = (name: string) => `/apis/apps/v1/namespaces/default/replicasets/${name}`;
  const cmPath = (name: string, ns = 'default') => `/api/v1/namespaces/${ns}/configmaps/${name}`;
  const ownerRef = (o: KubeObject, extra: Record<string, unknown> = {}) => ({ apiVersion: o.apiVersion!, kind: o.kind!, name: o.metadata.name!, uid: o.metadata.uid!, ...extra });

  /** A Deployment of 2 with its ReplicaSet and pods in place; returns the ReplicaSet's name. */
  async function createDeployment(name: string): Promise<string> {
    const created = await server.kubectl(['create', 'deployment', name, '--image=nginx', '--replicas=2']);
    assert.equal(created.code, 0, created.stderr);
    await until(`2 pods of deployment ${name}`, async () => (await podsOf(name)).length === 2 || undefined, 30_000);
    const replicaSets = await list(`/apis/apps/v1/namespaces/default/replicasets?labelSelector=app%3D${name}`);
    assert.equal(replicaSets.length, 1);
    return replicaSets[0].metadata.name!;
  }

  it('kubectl delete deployment removes its ReplicaSet and pods; --cascade=orphan leaves them', async () => {
    const rsName = await createDeployment('gone');
    assert.equal((await server.kubectl(['delete', 'deployment', 'gone'])).code, 0);
    await until('the ReplicaSet and pods of a deleted Deployment to go', async () =>
      ((await get(rsPath(rsName))) === undefined && (await podsOf('gone')).length === 0) || undefined, 30_000);

    const keptName = await createDeployment('kept');
    const orphaned = await server.kubectl(['delete', 'deployment', 'kept', '--cascade=orphan']);
    assert.equal(orphaned.code, 0, orphaned.stderr);
    const rs = await until('the orphaned ReplicaSet to lose its owner', async () => {
      const rs = await get(rsPath(keptName));
      return rs && !rs.metadata.ownerReferences?.length ? rs : undefined;
    }, 30_000);
    assert.equal(rs.metadata.name, keptName);
    assert.equal((await podsOf('kept')).length, 2, 'the pods stay with their ReplicaSet');
    assert.equal(await get('/apis/apps/v1/namespaces/default/deployments/kept'), undefined);
  });

  async function createReplicaSet(name: string, opts: { hold?: boolean } = {}): Promise<{ rs: KubeObject; pods: KubeObject[] }> {
    const created = await server.kubectl(['apply', '-f', '-'], { input: replicaSet(name, opts) });
    assert.equal(created.code, 0, created.stderr);
    const rs = (await get(rsPath(name)))!;
    const pods = await until(`2 pods of ${name}`, async () => {
      const pods = await podsOf(name);
      // Running, so that the kubelet's delete path is the usual one.
      return pods.length === 2 && pods.every((p) => p.status?.phase === 'Running' && p.metadata.ownerReferences?.some((o) => o.uid === rs.metadata.uid)) && pods;
    });
    return { rs, pods };
  }

  it('kubectl delete rs (background) removes its pods', async () => {
    await createReplicaSet('bg');
    const deleted = await server.kubectl(['delete', 'rs', 'bg']);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal(await get(rsPath('bg')), undefined);
    await until('the pods of bg to be gone', async () => (await podsOf('bg')).length === 0);
  });

  it('kubectl delete rs --cascade=orphan keeps the pods and removes their ownerReferences', async () => {
    const { pods } = await createReplicaSet('orph');
    const deleted = await server.kubectl(['delete', 'rs', 'orph', '--cascade=orphan']);
    assert.equal(deleted.code, 0, deleted.stderr);
    await until('the ReplicaSet to be gone', async () => (await get(rsPath('orph'))) === undefined);
    const left = await podsOf('orph');
    assert.deepEqual(left.map((p) => p.metadata.uid).sort(), pods.map((p) => p.metadata.uid).sort());
    for (const pod of left) {
      assert.ok(!pod.metadata.deletionTimestamp, `${pod.metadata.name} is not being deleted`);
      assert.equal(pod.metadata.ownerReferences, undefined, `${pod.metadata.name} still has ownerReferences`);
    }
    assert.equal((await server.kubectl(['delete', 'pods', '-l', 'app=orph', '--wait=false'])).code, 0);
  });

  it('kubectl delete rs --cascade=foreground keeps the ReplicaSet until its pods are gone', async () => {
    // A finalizer on the pods holds them (and so the ReplicaSet) until the test lets go.
    await createReplicaSet('fg', { hold: true });
    const deleted = await server.kubectl(['delete', 'rs', 'fg', '--cascade=foreground', '--wait=false']);
    assert.equal(deleted.code, 0, deleted.stderr);
    await until('the pods to be deleted', async () => {
      const pods = await podsOf('fg');
      return pods.length === 2 && pods.every((p) => p.metadata.deletionTimestamp);
    });
    const rs = await get(rsPath('fg'));
    assert.ok(rs?.metadata.deletionTimestamp, 'the ReplicaSet is still there, being deleted');
    assert.deepEqual(rs.metadata.finalizers, ['foregroundDeletion']);
    const shown = await server.kubectl(['get', 'rs', 'fg', '-o', 'jsonpath={.metadata.finalizers}']);
    assert.match(shown.stdout, /foregroundDeletion/);

    for (const pod of await podsOf('fg')) {
      const res = await server.request(`/api/v1/namespaces/default/pods/${pod.metadata.name}`, {
        method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: JSON.stringify({ metadata: { finalizers: null } }),
      });
      assert.equal(res.status, 200);
    }
    await until('the pods to be gone', async () => (await podsOf('fg')).length === 0);
    await until('the ReplicaSet to be gone', async () => (await get(rsPath('fg'))) === undefined);
  });

  it('a core/v1 ReplicationController deleted without a policy orphans its dependents, as kube\'s default for it', async () => {
    const rc = await post('/api/v1/namespaces/default/replicationcontrollers', {
      metadata: { name: 'legacy' },
      spec: { replicas: 0, selector: { app: 'legacy' }, template: { metadata: { labels: { app: 'legacy' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    });
    await post('/api/v1/namespaces/default/configmaps', { metadata: { name: 'legacy-part', ownerReferences: [ownerRef({ ...rc, apiVersion: 'v1', kind: 'ReplicationController' })] } });
    const res = await server.request('/api/v1/namespaces/default/replicationcontrollers/legacy', { method: 'DELETE' });
    assert.equal(res.status, 200);
    const pending = (await res.json()) as KubeObject;
    assert.deepEqual(pending.metadata.finalizers, ['orphan']);
    await until('the ReplicationController to be gone', async () => (await get('/api/v1/namespaces/default/replicationcontrollers/legacy')) === undefined);
    const part = await get(cmPath('legacy-part'));
    assert.ok(part, 'the dependent stays');
    assert.equal(part.metadata.ownerReferences, undefined, 'no ownerReferences left (an empty list is omitted, as kube serializes it)');
  });

  it('deletes a ConfigMap whose owner uid never existed', async () => {
    await post('/api/v1/namespaces/default/configmaps', {
      metadata: { name: 'dangling', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'ghost', uid: '6a0c1b5e-0000-4000-8000-000000000000' }] },
    });
    await until('the dangling dependent to be deleted', async () => (await get(cmPath('dangling'))) === undefined);
  });

  it('an object with two owners loses only the reference to the deleted one', async () => {
    const a = await post('/api/v1/namespaces/default/configmaps', { metadata: { name: 'owner-a' } });
    const b = await post('/api/v1/namespaces/default/configmaps', { metadata: { name: 'owner-b' } });
    await post('/api/v1/namespaces/default/configmaps', {
      metadata: { name: 'shared', ownerReferences: [ownerRef({ ...a, apiVersion: 'v1', kind: 'ConfigMap' }), ownerRef({ ...b, apiVersion: 'v1', kind: 'ConfigMap' })] },
    });
    assert.equal((await server.kubectl(['delete', 'cm', 'owner-a'])).code, 0);
    const shared = await until('the reference to owner-a to go', async () => {
      const cm = await get(cmPath('shared'));
      return cm && !(cm.metadata.ownerReferences ?? []).some((o) => o.uid === a.metadata.uid) && cm;
    });
    assert.deepEqual(shared.metadata.ownerReferences?.map((o) => o.name), ['owner-b']);
    assert.equal(shared.metadata.deletionTimestamp, undefined);
  });

  it('a cluster-scoped owner takes its namespaced dependents with it', async () => {
    const sc = await post('/apis/storage.k8s.io/v1/storageclasses', { metadata: { name: 'gc-owner' }, provisioner: 'example.com/none' });
    await post('/api/v1/namespaces/default/configmaps', {
      metadata: { name: 'by-class', ownerReferences: [ownerRef({ ...sc, apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass' })] },
    });
    assert.equal((await server.kubectl(['delete', 'storageclass', 'gc-owner'])).code, 0);
    await until('the dependent of the StorageClass to go', async () => (await get(cmPath('by-class'))) === undefined);
  });

  it('an owner in another namespace counts as absent, with an OwnerRefInvalidNamespace event', async () => {
    assert.equal((await server.kubectl(['create', 'namespace', 'elsewhere'])).code, 0);
    const boss = await post('/api/v1/namespaces/elsewhere/configmaps', { metadata: { name: 'boss' } });
    await post('/api/v1/namespaces/default/configmaps', {
      metadata: { name: 'misled', ownerReferences: [ownerRef({ ...boss, apiVersion: 'v1', kind: 'ConfigMap' })] },
    });
    await until('the misled dependent to be deleted', async () => (await get(cmPath('misled'))) === undefined);
    assert.ok(await get(cmPath('boss', 'elsewhere')), 'the owner stays');
    const events = await until('an OwnerRefInvalidNamespace event', async () => {
      const out = await server.kubectl(['get', 'events', '-n', 'default', '--field-selector=reason=OwnerRefInvalidNamespace', '-o', 'json']);
      const items = (JSON.parse(out.stdout) as { items: KubeObject[] }).items;
      return items.length > 0 && items;
    });
    const event = events[0] as KubeObject & { type: string; message: string; involvedObject: { kind: string; name: string }; source: { component: string } };
    assert.equal(event.type, 'Warning');
    assert.deepEqual([event.involvedObject.kind, event.involvedObject.name], ['ConfigMap', 'misled']);
    assert.equal(event.source.component, 'garbage-collector-controller');
    assert.equal(event.message, `ownerRef [v1/ConfigMap, namespace: default, name: boss, uid: ${boss.metadata.uid}] does not exist in namespace "default"`);
  });
});
