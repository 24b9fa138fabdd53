// A small operator written with @kubernetes/client-node 1.4 against a CRD served by
// kubelite: an informer (ListWatch) on Certificates, and a reconciler that writes status
// through the /status subresource, as controller-runtime operators do.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { startTestServer, type TestServer } from './support/server.ts';
import { until } from './support/wait.ts';

const group = 'pki.example.com';
const version = 'v1';
const plural = 'certificates';

let server: TestServer;
let kc: k8s.KubeConfig;
let custom: k8s.CustomObjectsApi;
let informer: k8s.Informer<k8s.KubernetesObject> | undefined;

interface Certificate extends k8s.KubernetesObject {
  spec: { secretName: string; issuerRef: { name: string } };
  status?: { conditions?: Array<{ type: string; status: string; reason?: string; observedGeneration?: number }>; revision?: number };
}

before(async () => {
  server = await startTestServer();
  kc = new k8s.KubeConfig();
  kc.loadFromFile(server.kubeconfigPath);
  const ext = kc.makeApiClient(k8s.ApiextensionsV1Api);
  // Deserialized into client-node's model first, as an operator embedding its CRD would do.
  const crd = k8s.loadYaml<k8s.V1CustomResourceDefinition>(await readFile('test/fixtures/crd-certificate.yaml', 'utf8'));
  await ext.createCustomResourceDefinition({ body: crd });
  await until('the CRD to be established', async () => {
    const got = await ext.readCustomResourceDefinition({ name: 'certificates.pki.example.com' });
    return got.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
  });
  custom = kc.makeApiClient(k8s.CustomObjectsApi);
});
after(async () => {
  await informer?.stop();
  await server.stop();
});

/** The reconciler: a certificate is "issued" once seen; status says so for the generation observed. */
async function reconcile(obj: Certificate): Promise<void> {
  const ready = obj.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status === 'True' && ready.observedGeneration === obj.metadata?.generation) return;
  const status = {
    conditions: [{ type: 'Ready', status: 'True', reason: 'Issued', observedGeneration: obj.metadata!.generation }],
    revision: (obj.status?.revision ?? 0) + 1,
  };
  await custom.replaceNamespacedCustomObjectStatus({
    group, version, plural, namespace: obj.metadata!.namespace!, name: obj.metadata!.name!,
    body: { ...obj, status },
  }).catch((err: { code?: number }) => {
    if (err.code !== 409) throw err; // a newer version is on its way through the informer
  });
}

describe('an operator built with @kubernetes/client-node', () => {
  it('reconciles custom resources through an informer and the status subresource', async () => {
    const path = `/apis/${group}/${version}/namespaces/default/${plural}`;
    const listFn = () => custom.listNamespacedCustomObject({ group, version, plural, namespace: 'default' }) as Promise<k8s.KubernetesListObject<k8s.KubernetesObject>>;
    informer = k8s.makeInformer(kc, path, listFn);
    const failures: unknown[] = [];
    const handle = (obj: k8s.KubernetesObject) => { reconcile(obj as Certificate).catch((err) => failures.push(err)); };
    informer.on('add', handle);
    informer.on('update', handle);
    informer.on('error', (err) => failures.push(err));
    await informer.start();

    await custom.createNamespacedCustomObject({
      group, version, plural, namespace: 'default',
      body: { apiVersion: `${group}/${version}`, kind: 'Certificate', metadata: { name: 'api' }, spec: { secretName: 'api-tls', issuerRef: { name: 'ca' } } },
    });
    const issued = await until('the operator to mark the certificate Ready', async () => {
      const got = await custom.getNamespacedCustomObject({ group, version, plural, namespace: 'default', name: 'api' }) as Certificate;
      return got.status?.conditions?.[0]?.status === 'True' ? got : undefined;
    });
    assert.equal(issued.status!.conditions![0].observedGeneration, 1);
    assert.equal(issued.metadata!.generation, 1, 'a status write does not bump generation');

    // A spec change bumps generation; the operator observes it; status sent to the main endpoint is ignored.
    await custom.patchNamespacedCustomObject({
      group, version, plural, namespace: 'default', name: 'api',
      body: { spec: { secretName: 'api-tls-2' }, status: { revision: 99 } },
    }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    const observed = await until('the operator to observe generation 2', async () => {
      const got = await custom.getNamespacedCustomObject({ group, version, plural, namespace: 'default', name: 'api' }) as Certificate;
      return got.status?.conditions?.[0]?.observedGeneration === 2 ? got : undefined;
    });
    assert.equal(observed.metadata!.generation, 2);
    assert.equal(observed.spec.secretName, 'api-tls-2');
    assert.equal(observed.status!.revision, 2, 'the revision the operator wrote, not the 99 sent to the main endpoint');

    // /status ignores everything but status.
    const current = observed;
    await custom.replaceNamespacedCustomObjectStatus({
      group, version, plural, namespace: 'default', name: 'api',
      body: { ...current, spec: { ...current.spec, secretName: 'ignored' } },
    });
    const after = await custom.getNamespacedCustomObject({ group, version, plural, namespace: 'default', name: 'api' }) as Certificate;
    assert.equal(after.spec.secretName, 'api-tls-2');
    assert.deepEqual(failures, []);
  });

  it('gets a 422 with causes for an invalid object', async () => {
    await assert.rejects(
      custom.createNamespacedCustomObject({
        group, version, plural, namespace: 'default',
        body: { apiVersion: `${group}/${version}`, kind: 'Certificate', metadata: { name: 'broken' }, spec: { issuerRef: { name: 'ca' } } },
      }),
      (err: { code?: number; body?: string }) => {
        assert.equal(err.code, 422);
        const status = JSON.parse(String(err.body));
        assert.equal(status.reason, 'Invalid');
        assert.deepEqual(status.details.causes, [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.secretName' }]);
        return true;
      },
    );
  });
});
