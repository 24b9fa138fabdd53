// What kube-apiserver sets up for the components built on k8s.io/apiserver, and how it
// reads requests' parameters, through kubectl 1.32: the complete controller roles
// (bug 5), extension-apiserver-authentication (bug 3), lists and watches of one name under
// resourceNames (bug 2), and boolean query parameters as kube's parameter codec (bug 7).
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from './support/server.ts';

let server: TestServer;

before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.stop();
});

/** Every controller role a default kube-controller-manager 1.32 runs with (--use-service-account-credentials). */
const kubeControllerRoles = [
  'attachdetach-controller', 'certificate-controller', 'clusterrole-aggregation-controller', 'cronjob-controller', 'daemon-set-controller',
  'deployment-controller', 'disruption-controller', 'endpoint-controller', 'endpointslice-controller', 'endpointslicemirroring-controller',
  'ephemeral-volume-controller', 'expand-controller', 'generic-garbage-collector', 'horizontal-pod-autoscaler', 'job-controller',
  'legacy-service-account-token-cleaner', 'namespace-controller', 'node-controller', 'persistent-volume-binder', 'pod-garbage-collector',
  'pv-protection-controller', 'pvc-protection-controller', 'replicaset-controller', 'replication-controller', 'resourcequota-controller',
  'root-ca-cert-publisher', 'route-controller', 'service-account-controller', 'service-controller', 'statefulset-controller',
  'ttl-after-finished-controller', 'ttl-controller', 'validatingadmissionpolicy-status-controller',
];

async function canI(as: string, ...args: string[]): Promise<string> {
  const res = await server.kubectl(['auth', 'can-i', ...args, `--as=${as}`]);
  return res.stdout.trim();
}

describe('bootstrap policy (bug 5)', () => {
  it('has every system:controller:* role, bound to its ServiceAccount in kube-system', async () => {
    const roles = await server.getJson<any>('/apis/rbac.authorization.k8s.io/v1/clusterroles');
    const bindings = await server.getJson<any>('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings');
    const roleNames = new Set(roles.items.map((r: any) => r.metadata.name));
    for (const c of kubeControllerRoles) {
      assert.ok(roleNames.has(`system:controller:${c}`), `system:controller:${c} missing`);
      const binding = bindings.items.find((b: any) => b.metadata.name === `system:controller:${c}`);
      assert.ok(binding, `binding system:controller:${c} missing`);
      assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: c, namespace: 'kube-system' }]);
      assert.equal(binding.metadata.labels['kubernetes.io/bootstrapping'], 'rbac-defaults');
    }
  });

  it('lets each controller\'s ServiceAccount do its job and nothing else', async () => {
    const sa = (c: string) => `system:serviceaccount:kube-system:${c}`;
    assert.equal(await canI(sa('disruption-controller'), 'update', 'poddisruptionbudgets', '--subresource=status', '-A'), 'yes');
    assert.equal(await canI(sa('disruption-controller'), 'delete', 'pods', '-A'), 'no');
    assert.equal(await canI(sa('pod-garbage-collector'), 'delete', 'pods', '-A'), 'yes');
    assert.equal(await canI(sa('attachdetach-controller'), 'create', 'volumeattachments.storage.k8s.io'), 'yes');
    assert.equal(await canI(sa('certificate-controller'), 'update', 'certificatesigningrequests.certificates.k8s.io', '--subresource=approval'), 'yes');
    const review = await server.request('/apis/authorization.k8s.io/v1/subjectaccessreviews', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview',
        spec: { user: sa('certificate-controller'), groups: ['system:serviceaccounts'], resourceAttributes: { group: 'certificates.k8s.io', resource: 'signers', verb: 'sign', name: 'kubernetes.io/kubelet-serving' } },
      }),
    });
    assert.equal((await review.json()).status.allowed, true, 'the certificate controller signs for kubelet-serving');
    assert.equal(await canI(sa('persistent-volume-binder'), 'create', 'persistentvolumes'), 'yes');
    assert.equal(await canI(sa('replication-controller'), 'update', 'replicationcontrollers', '--subresource=status', '-A'), 'yes');
    assert.equal(await canI(sa('ttl-controller'), 'patch', 'nodes'), 'yes');
  });
});

describe('extension-apiserver-authentication (bug 3)', () => {
  it('publishes the client CA and the front-proxy CA with the requestheader settings', async () => {
    const cm = await server.getJson<any>('/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication');
    const ca = await readFile(join(server.dataDir, 'pki', 'ca.crt'), 'utf8');
    assert.equal(cm.data['client-ca-file'], ca);
    assert.equal(cm.data['requestheader-allowed-names'], '["front-proxy-client"]');
    assert.equal(cm.data['requestheader-username-headers'], '["X-Remote-User"]');
    assert.equal(cm.data['requestheader-group-headers'], '["X-Remote-Group"]');
    assert.equal(cm.data['requestheader-extra-headers-prefix'], '["X-Remote-Extra-"]');
    const frontProxyCA = new X509Certificate(cm.data['requestheader-client-ca-file']);
    assert.notEqual(frontProxyCA.fingerprint256, new X509Certificate(ca).fingerprint256);
    const client = new X509Certificate(await readFile(join(server.dataDir, 'pki', 'front-proxy-client.crt'), 'utf8'));
    assert.ok(client.verify(frontProxyCA.publicKey), 'front-proxy-client is signed by the requestheader CA');
    assert.match(client.subject, /CN=front-proxy-client/);
  });
});

describe('lists and watches of one name (bug 2)', () => {
  const path = '/api/v1/namespaces/kube-system/configmaps';
  it('are allowed by a rule whose resourceNames hold that name, as kube authorizes them', async () => {
    const one = await server.kubectl(['get', '--raw', `${path}?fieldSelector=metadata.name%3Dextension-apiserver-authentication`, '--as=system:kube-scheduler']);
    assert.equal(one.code, 0, one.stderr);
    assert.deepEqual(JSON.parse(one.stdout).items.map((i: any) => i.metadata.name), ['extension-apiserver-authentication']);
    const watch = await server.kubectl(['get', '--raw', `${path}?fieldSelector=metadata.name%3Dextension-apiserver-authentication&watch=1&timeoutSeconds=1`, '--as=system:kube-scheduler']);
    assert.equal(watch.code, 0, watch.stderr);
    assert.match(watch.stdout, /"type":"ADDED"/);
    const all = await server.kubectl(['get', '--raw', path, '--as=system:kube-scheduler']);
    assert.notEqual(all.code, 0);
    assert.match(all.stderr, /cannot list resource "configmaps" in API group "" in the namespace "kube-system"/);
    const other = await server.kubectl(['get', '--raw', `${path}?fieldSelector=metadata.name%3Dkube-root-ca.crt`, '--as=system:kube-scheduler']);
    assert.notEqual(other.code, 0);
  });
});

describe('boolean query parameters (bug 7)', () => {
  async function isWatch(value: string): Promise<boolean> {
    const res = await server.request(`/api/v1/namespaces/default/configmaps?watch=${encodeURIComponent(value)}&timeoutSeconds=1`);
    assert.equal(res.status, 200, `watch=${value}`);
    const body = await res.text();
    return !body.startsWith('{"kind":"ConfigMapList"');
  }
  it('reads them as kube\'s parameter codec: only 0 and false (any case) are false', async () => {
    for (const v of ['true', 'True', 'TRUE', '1', 't', 'yes']) assert.equal(await isWatch(v), true, `watch=${v}`);
    for (const v of ['false', 'False', 'FALSE', '0']) assert.equal(await isWatch(v), false, `watch=${v}`);
  });
});
