// certificates.k8s.io/v1 CertificateSigningRequests through kubectl 1.32: the requester is
// recorded from the request, approval only through /approval, the certificate only through
// /status, the spec fixed; and the storage.k8s.io CSI kinds the scheduler and the
// attach-detach controller watch.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import * as x509 from '@peculiar/x509';
import { startTestServer, type TestServer } from './support/server.ts';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);
const ecdsa = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

let server: TestServer;

async function ok(...args: string[]): Promise<string> {
  const res = await server.kubectl(args);
  assert.equal(res.code, 0, `kubectl ${args.join(' ')} failed: ${res.stderr}`);
  return res.stdout;
}

async function csrPem(cn: string): Promise<string> {
  const keys = await webcrypto.subtle.generateKey(ecdsa, true, ['sign', 'verify']) as CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: `CN=${cn}`, keys, signingAlgorithm: ecdsa });
  return csr.toString('pem');
}

function csrManifest(name: string, request: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name },
    spec: { request: Buffer.from(request).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'], expirationSeconds: 3600, ...extra },
  });
}

async function put(path: string, body: unknown): Promise<Response> {
  return server.request(path, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.stop();
});

describe('CertificateSigningRequest', () => {
  it('records the requester, ignores a body that claims approval, and prints kube\'s columns', async () => {
    const body = JSON.parse(csrManifest('alice', await csrPem('alice'), { username: 'mallory', groups: ['system:masters'] }));
    body.status = { conditions: [{ type: 'Approved', status: 'True', reason: 'Self' }] };
    const res = await server.kubectl(['create', '-f', '-'], { input: JSON.stringify(body) });
    assert.equal(res.code, 0, res.stderr);
    const csr = await server.getJson<any>('/apis/certificates.k8s.io/v1/certificatesigningrequests/alice');
    assert.equal(csr.spec.username, 'kubernetes-admin');
    assert.deepEqual(csr.spec.groups, ['kubeadm:cluster-admins', 'system:authenticated']);
    assert.equal(csr.status.conditions, undefined);
    const out = await ok('get', 'csr', 'alice');
    const [header, row] = out.trim().split('\n').map((l) => l.trim().split(/\s{2,}/));
    assert.deepEqual(header, ['NAME', 'AGE', 'SIGNERNAME', 'REQUESTOR', 'REQUESTEDDURATION', 'CONDITION']);
    assert.deepEqual([row[0], row[2], row[3], row[4], row[5]], ['alice', 'kubernetes.io/kube-apiserver-client', 'kubernetes-admin', '60m', 'Pending']);
  });

  it('kubectl certificate approve sets Approved through /approval; a plain update may not', async () => {
    const res = await server.kubectl(['create', '-f', '-'], { input: csrManifest('bob', await csrPem('bob')) });
    assert.equal(res.code, 0, res.stderr);
    const csr = await server.getJson<any>('/apis/certificates.k8s.io/v1/certificatesigningrequests/bob');
    csr.status.conditions = [{ type: 'Approved', status: 'True', reason: 'Sneaky' }];
    const sneaky = await put('/apis/certificates.k8s.io/v1/certificatesigningrequests/bob/status', csr);
    assert.equal(sneaky.status, 200);
    assert.equal((await sneaky.json()).status.conditions, undefined, '/status may not add Approved');
    assert.match(await ok('certificate', 'approve', 'bob'), /certificatesigningrequest.certificates.k8s.io\/bob approved/);
    const approved = await server.getJson<any>('/apis/certificates.k8s.io/v1/certificatesigningrequests/bob');
    const cond = approved.status.conditions[0];
    assert.equal(cond.type, 'Approved');
    assert.equal(cond.reason, 'KubectlApprove');
    assert.ok(cond.lastUpdateTime && cond.lastTransitionTime);
    assert.match(await ok('get', 'csr', 'bob', '--no-headers'), /Approved\s*$/m);
    approved.status.conditions.push({ type: 'Denied', status: 'True', reason: 'Late' });
    const deny = await put('/apis/certificates.k8s.io/v1/certificatesigningrequests/bob/approval', approved);
    assert.equal(deny.status, 422);
    assert.match((await deny.json()).message, /status.conditions\[1\].type: Invalid value: "Denied": Approved and Denied conditions are mutually exclusive/);
  });

  it('sets the certificate only through /status, once; the spec never changes', async () => {
    const base = '/apis/certificates.k8s.io/v1/certificatesigningrequests/bob';
    const csr = await server.getJson<any>(base);
    const cert = Buffer.from((await (await import('node:fs/promises')).readFile(`${server.dataDir}/pki/ca.crt`, 'utf8'))).toString('base64');
    const viaMain = await put(base, { ...csr, status: { ...csr.status, certificate: cert } });
    assert.equal(viaMain.status, 200);
    assert.equal((await viaMain.json()).status.certificate, undefined, 'the main resource keeps status');
    const bad = await put(`${base}/status`, { ...csr, status: { ...csr.status, certificate: Buffer.from('not a cert').toString('base64') } });
    assert.equal(bad.status, 422);
    assert.match((await bad.json()).message, /status.certificate: Invalid value: "<certificate data>": must contain at least one CERTIFICATE PEM block/);
    const issued = await put(`${base}/status`, { ...csr, status: { ...csr.status, certificate: cert } });
    assert.equal(issued.status, 200);
    assert.equal((await issued.json()).status.certificate, cert);
    assert.match(await ok('get', 'csr', 'bob', '--no-headers'), /Approved,Issued\s*$/m);
    const latest = await server.getJson<any>(base);
    const again = await put(`${base}/status`, { ...latest, status: { ...latest.status, certificate: Buffer.from(`${Buffer.from(cert, 'base64')}${Buffer.from(cert, 'base64')}`).toString('base64') } });
    assert.equal(again.status, 422);
    assert.match((await again.json()).message, /status.certificate: Forbidden: updates may not modify existing certificate content/);
    const spec = await put(base, { ...latest, spec: { ...latest.spec, signerName: 'example.com/other' } });
    assert.equal(spec.status, 200);
    assert.equal((await spec.json()).spec.signerName, 'kubernetes.io/kube-apiserver-client');
  });

  it('refuses a request whose signature does not verify, and kube\'s other spec errors', async () => {
    const pem = await csrPem('eve');
    const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
    der[der.length - 5] ^= 0xff; // corrupt the signature
    const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
    const res = await server.kubectl(['create', '-f', '-'], { input: csrManifest('eve', tampered) });
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /spec.request: Invalid value: .*verification/);
    const bad = await server.kubectl(['create', '-f', '-'], {
      input: csrManifest('eve', pem, { signerName: 'kubernetes.io/legacy-unknown', expirationSeconds: 60, usages: ['client auth', 'flying'] }),
    });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /spec.usages\[1\]: Unsupported value: "flying"/);
    assert.match(bad.stderr, /spec.signerName: Invalid value: "kubernetes.io\/legacy-unknown": the legacy signerName is not allowed via this API version/);
    assert.match(bad.stderr, /spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 600 seconds \(10 minutes\)/);
    const missing = await server.request('/apis/certificates.k8s.io/v1/certificatesigningrequests/eve');
    assert.equal(missing.status, 404);
  });
});

describe('certificates admission', () => {
  it('needs approve on the signer to approve (CertificateApproval)', async () => {
    const res = await server.kubectl(['create', '-f', '-'], { input: csrManifest('carol', await csrPem('carol')) });
    assert.equal(res.code, 0, res.stderr);
    await ok('create', 'clusterrole', 'csr-approval-only', '--verb=get,list,update', '--resource=certificatesigningrequests,certificatesigningrequests/approval');
    await ok('create', 'clusterrolebinding', 'jane-csr', '--clusterrole=csr-approval-only', '--user=jane');
    const refused = await server.kubectl(['certificate', 'approve', 'carol', '--as=jane']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /user not permitted to approve requests with signerName "kubernetes.io\/kube-apiserver-client"/);
    const approver = await server.kubectl(['create', '-f', '-'], { input: JSON.stringify({
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'client-approver' },
      rules: [{ apiGroups: ['certificates.k8s.io'], resources: ['signers'], verbs: ['approve'], resourceNames: ['kubernetes.io/*'] }],
    }) });
    assert.equal(approver.code, 0, approver.stderr);
    await ok('create', 'clusterrolebinding', 'jane-approver', '--clusterrole=client-approver', '--user=jane');
    await ok('certificate', 'approve', 'carol', '--as=jane');
  });

  it('refuses a kube-apiserver-client request for system:masters (CertificateSubjectRestriction)', async () => {
    const keys = await webcrypto.subtle.generateKey(ecdsa, true, ['sign', 'verify']) as CryptoKeyPair;
    const pem = (await x509.Pkcs10CertificateRequestGenerator.create({ name: 'CN=mallory, O=system:masters', keys, signingAlgorithm: ecdsa })).toString('pem');
    const res = await server.kubectl(['create', '-f', '-'], { input: csrManifest('mallory', pem) });
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /use of kubernetes.io\/kube-apiserver-client signer with system:masters group is not allowed/);
  });
});

describe('storage.k8s.io CSI kinds', () => {
  it('VolumeAttachment: spec immutable, status only through /status, kube\'s columns', async () => {
    const va = {
      apiVersion: 'storage.k8s.io/v1', kind: 'VolumeAttachment', metadata: { name: 'va1' },
      spec: { attacher: 'csi.example.com', nodeName: 'node-1', source: { persistentVolumeName: 'pv1' } },
      status: { attached: true },
    };
    const res = await server.kubectl(['create', '-f', '-'], { input: JSON.stringify(va) });
    assert.equal(res.code, 0, res.stderr);
    const out = await ok('get', 'volumeattachments');
    const lines = out.trim().split('\n').map((l) => l.trim().split(/\s{2,}/));
    assert.deepEqual(lines[0], ['NAME', 'ATTACHER', 'PV', 'NODE', 'ATTACHED', 'AGE']);
    assert.deepEqual(lines[1].slice(0, 5), ['va1', 'csi.example.com', 'pv1', 'node-1', 'false']);
    await ok('patch', 'volumeattachment', 'va1', '--subresource=status', '--type=merge', '-p', '{"status":{"attached":true}}');
    assert.match(await ok('get', 'volumeattachment', 'va1', '--no-headers'), /node-1\s+true/);
    const move = await server.kubectl(['patch', 'volumeattachment', 'va1', '--type=merge', '-p', '{"spec":{"nodeName":"node-2"}}']);
    assert.notEqual(move.code, 0);
    assert.match(move.stderr, /spec: Invalid value: .*field is immutable/);
    const neither = await server.kubectl(['create', '-f', '-'], { input: JSON.stringify({ ...va, metadata: { name: 'va2' }, spec: { attacher: 'csi.example.com', nodeName: 'n', source: {} } }) });
    assert.match(neither.stderr, /spec.source: Required value: must specify exactly one of inlineVolumeSpec and persistentVolumeName/);
  });

  it('CSIDriver defaults, CSINode and CSIStorageCapacity are served with their columns', async () => {
    const driver = { apiVersion: 'storage.k8s.io/v1', kind: 'CSIDriver', metadata: { name: 'csi.example.com' }, spec: {} };
    const node = { apiVersion: 'storage.k8s.io/v1', kind: 'CSINode', metadata: { name: 'node-1' }, spec: { drivers: [{ name: 'csi.example.com', nodeID: 'n1', topologyKeys: ['topology.kubernetes.io/zone'] }] } };
    const cap = { apiVersion: 'storage.k8s.io/v1', kind: 'CSIStorageCapacity', metadata: { name: 'cap1', namespace: 'default' }, storageClassName: 'fast', capacity: '10Gi' };
    for (const obj of [driver, node, cap]) {
      const res = await server.kubectl(['create', '-f', '-'], { input: JSON.stringify(obj) });
      assert.equal(res.code, 0, res.stderr);
    }
    const got = await server.getJson<any>('/apis/storage.k8s.io/v1/csidrivers/csi.example.com');
    assert.deepEqual(got.spec, {
      attachRequired: true, podInfoOnMount: false, storageCapacity: false, fsGroupPolicy: 'ReadWriteOnceWithFSType',
      volumeLifecycleModes: ['Persistent'], requiresRepublish: false, seLinuxMount: false,
    });
    assert.match(await ok('get', 'csidrivers', '--no-headers'), /^csi\.example\.com\s+true\s+false\s+false\s+<unset>\s+false\s+Persistent\s+/m);
    assert.match(await ok('get', 'csinodes', '--no-headers'), /^node-1\s+1\s+/m);
    assert.match(await ok('get', 'csistoragecapacities', '--no-headers'), /^cap1\s+fast\s+10Gi\s+/m);
    const flip = await server.kubectl(['patch', 'csidriver', 'csi.example.com', '--type=merge', '-p', '{"spec":{"attachRequired":false}}']);
    assert.match(flip.stderr, /spec.attachRequired: Invalid value: false: field is immutable/);
    const dup = await server.kubectl(['patch', 'csinode', 'node-1', '--type=json', '-p', '[{"op":"add","path":"/spec/drivers/-","value":{"name":"csi.example.com","nodeID":"n2"}}]']);
    assert.match(dup.stderr, /spec.drivers\[1\].name: Duplicate value: "csi.example.com"/);
  });
});
