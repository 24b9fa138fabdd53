// @kubernetes/client-node against kubelite: typed CRUD as an application or operator does it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { startTestServer, type TestServer } from './support/server.ts';

let server: TestServer;
let core: k8s.CoreV1Api;
let apps: k8s.AppsV1Api;

before(async () => {
  server = await startTestServer();
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(server.kubeconfigPath);
  core = kc.makeApiClient(k8s.CoreV1Api);
  apps = kc.makeApiClient(k8s.AppsV1Api);
});
after(async () => {
  await server.stop();
});

function httpCode(err: unknown): number | undefined {
  return (err as { code?: number }).code;
}

describe('@kubernetes/client-node', () => {
  it('CRUD on a ConfigMap, and a 409 on a stale update', async () => {
    const created = await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'settings', labels: { app: 'demo' } }, data: { mode: 'fast' } },
    });
    assert.equal(created.metadata?.name, 'settings');
    const read = await core.readNamespacedConfigMap({ name: 'settings', namespace: 'default' });
    assert.deepEqual(read.data, { mode: 'fast' });

    read.data = { mode: 'safe' };
    const replaced = await core.replaceNamespacedConfigMap({ name: 'settings', namespace: 'default', body: read });
    assert.equal(replaced.data?.mode, 'safe');
    assert.ok(Number(replaced.metadata?.resourceVersion) > Number(read.metadata?.resourceVersion));

    // `read` still carries the old resourceVersion: the server must refuse it.
    read.data = { mode: 'stale' };
    await assert.rejects(core.replaceNamespacedConfigMap({ name: 'settings', namespace: 'default', body: read }), (err) => {
      assert.equal(httpCode(err), 409);
      return true;
    });

    const list = await core.listNamespacedConfigMap({ namespace: 'default', labelSelector: 'app=demo' });
    assert.deepEqual(list.items.map((i) => i.metadata?.name), ['settings']);

    await core.deleteNamespacedConfigMap({ name: 'settings', namespace: 'default' });
    await assert.rejects(core.readNamespacedConfigMap({ name: 'settings', namespace: 'default' }), (err) => {
      assert.equal(httpCode(err), 404);
      return true;
    });
  });

  it('CRUD on a Deployment through AppsV1Api', async () => {
    const body: k8s.V1Deployment = {
      metadata: { name: 'api' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'api' } },
        template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'api', image: 'example/api:1.0' }] } },
      },
    };
    const created = await apps.createNamespacedDeployment({ namespace: 'default', body });
    assert.equal(created.spec?.replicas, 2);
    assert.equal(created.spec?.template.spec?.containers[0].imagePullPolicy, 'IfNotPresent');
    assert.equal(created.metadata?.generation, 1);

    const patched = await apps.patchNamespacedDeployment(
      { name: 'api', namespace: 'default', body: { spec: { replicas: 5 } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    assert.equal(patched.spec?.replicas, 5);
    assert.equal(patched.metadata?.generation, 2);

    const scale = await apps.readNamespacedDeploymentScale({ name: 'api', namespace: 'default' });
    assert.equal(scale.spec?.replicas, 5);

    const list = await apps.listDeploymentForAllNamespaces();
    assert.ok(list.items.some((d) => d.metadata?.name === 'api'));

    // An invalid update is refused with 422 and leaves the object as it was.
    const current = await apps.readNamespacedDeployment({ name: 'api', namespace: 'default' });
    current.spec!.selector = { matchLabels: { app: 'other' } };
    await assert.rejects(apps.replaceNamespacedDeployment({ name: 'api', namespace: 'default', body: current }), (err) => {
      assert.equal(httpCode(err), 422);
      return true;
    });

    await apps.deleteNamespacedDeployment({ name: 'api', namespace: 'default' });
    const after = await apps.listNamespacedDeployment({ namespace: 'default' });
    assert.ok(!after.items.some((d) => d.metadata?.name === 'api'));
  });
});

describe('@kubernetes/client-node informers', () => {
  it('makeInformer on pods keeps an exact mirror through 500 changes', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(server.kubeconfigPath);
    await core.createNamespace({ body: { metadata: { name: 'mirror' } } });
    const informer = k8s.makeInformer(kc, '/api/v1/namespaces/mirror/pods', () => core.listNamespacedPod({ namespace: 'mirror' }));
    const errors: unknown[] = [];
    informer.on('error', (err) => errors.push(err));
    await informer.start();
    const pod = (name: string, i: number): k8s.V1Pod => ({
      metadata: { name, labels: { i: String(i) } },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    });
    const live = new Map<string, number>();
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let i = 0; i < 500; i++) {
      const name = `p${rand(30)}`;
      if (!live.has(name)) {
        await core.createNamespacedPod({ namespace: 'mirror', body: pod(name, i) });
        live.set(name, i);
      } else if (rand(3) === 0) {
        await core.deleteNamespacedPod({ name, namespace: 'mirror' });
        live.delete(name);
      } else {
        await core.patchNamespacedPod({ name, namespace: 'mirror', body: { metadata: { labels: { i: String(i) } } } },
          k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
        live.set(name, i);
      }
    }
    const expected = [...live.entries()].map(([n, i]) => `${n}=${i}`).sort();
    const mirror = () => informer.list('mirror').map((p) => `${p.metadata?.name}=${p.metadata?.labels?.i}`).sort();
    const deadline = Date.now() + 60_000; // a hang guard; the loop ends as soon as the mirror matches
    while (JSON.stringify(mirror()) !== JSON.stringify(expected) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const errorsBeforeStop = [...errors];
    await informer.stop(); // stopping aborts the watch, which client-node reports as an error
    assert.deepEqual(mirror(), expected);
    assert.deepEqual(errorsBeforeStop, []);
  });
});
