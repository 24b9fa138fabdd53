// The CSR controllers end to end through kubectl: a user's key and request (made here with
// @peculiar/x509), `kubectl create` of the CSR, `kubectl certificate approve`, the signer
// issues from the cluster CA for the requested expirationSeconds, and the certificate logs
// in with kubectl as that user. A kubelet client request is auto-approved after a
// SubjectAccessReview; a request that breaks its signer's rules is marked Failed.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as x509 from '@peculiar/x509';
import { createLogger } from '../src/log.ts';
import { runWorkerInProcess, type RunningWorker } from './support/workers.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { until, hangGuard } from './support/wait.ts';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);
const ecdsa = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

async function keyAndRequest(name: string, extensions: x509.Extension[] = []): Promise<{ keyPem: string; csrPem: string }> {
  const keys = await webcrypto.subtle.generateKey(ecdsa, true, ['sign', 'verify']) as CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name, keys, signingAlgorithm: ecdsa, extensions });
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END PRIVATE KEY-----\n`;
  return { keyPem, csrPem: csr.toString('pem') };
}

const csrYaml = (name: string, pem: string, signerName: string, usages: string[], expirationSeconds?: number) => JSON.stringify({
  apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name },
  spec: { request: Buffer.from(pem).toString('base64'), signerName, usages, ...(expirationSeconds && { expirationSeconds }) },
});

describe('certificate signing request controllers', { timeout: hangGuard(60_000) }, () => {
  let server: TestServer;
  let controllers: RunningWorker;
  before(async () => {
    server = await startTestServer();
    // The cluster CA in the data dir, as kube-controller-manager's --cluster-signing-*-file.
    controllers = await runWorkerInProcess('controllers', {
      connection: { kubeconfigPath: server.kubeconfigs.controllerManager },
      options: {
        controllers: ['certificatesigningrequest-approving-controller', 'certificatesigningrequest-signing-controller', 'certificatesigningrequest-cleaner-controller'],
        csrCleanerPeriodSeconds: 0.2,
        clusterSigningCertFile: join(server.dataDir, 'pki', 'ca.crt'), clusterSigningKeyFile: join(server.dataDir, 'pki', 'ca.key'),
      },
      log: createLogger('error'),
    });
  });
  after(async () => {
    await controllers?.stop();
    await server?.stop();
  });
  const getCsr = (name: string) => server.getJson(`/apis/certificates.k8s.io/v1/certificatesigningrequests/${name}`);

  it('issues an approved client certificate that logs in with kubectl', async () => {
    const { keyPem, csrPem } = await keyAndRequest('CN=alice, O=devs');
    const created = await server.kubectl(['create', '-f', '-'], { input: csrYaml('alice', csrPem, 'kubernetes.io/kube-apiserver-client', ['client auth', 'digital signature'], 3600) });
    assert.equal(created.code, 0, created.stderr);
    const approved = await server.kubectl(['certificate', 'approve', 'alice']);
    assert.equal(approved.code, 0, approved.stderr);
    const csr = await until('certificate issued', async () => { const c = await getCsr('alice'); return c.status?.certificate && c; });
    const certPem = Buffer.from(csr.status.certificate, 'base64').toString();
    const cert = new x509.X509Certificate(certPem);
    assert.equal(cert.subject, 'CN=alice, O=devs');
    const lifetime = cert.notAfter.getTime() - cert.notBefore.getTime();
    assert.equal(lifetime, 3600_000 + 5 * 60_000); // expirationSeconds, backdated 5 minutes as kube's signer
    const listed = await server.kubectl(['get', 'csr', 'alice', '--no-headers']);
    assert.match(listed.stdout, /^alice\s+\S+\s+kubernetes\.io\/kube-apiserver-client\s+kubernetes-admin\s+60m\s+Approved,Issued/);

    const dir = server.dataDir;
    await writeFile(join(dir, 'alice.crt'), certPem);
    await writeFile(join(dir, 'alice.key'), keyPem);
    const kubeconfig = join(dir, 'alice.kubeconfig');
    const admin = await server.kubectl(['config', 'view', '--raw', '--minify', '-o', 'jsonpath={.clusters[0].cluster.server}']);
    const ca = join(dir, 'pki', 'ca.crt');
    for (const args of [
      ['config', 'set-cluster', 'kl', `--server=${admin.stdout}`, `--certificate-authority=${ca}`, '--embed-certs'],
      ['config', 'set-credentials', 'alice', `--client-certificate=${join(dir, 'alice.crt')}`, `--client-key=${join(dir, 'alice.key')}`, '--embed-certs'],
      ['config', 'set-context', 'alice', '--cluster=kl', '--user=alice'],
      ['config', 'use-context', 'alice'],
    ]) {
      const out = await server.kubectl([...args, `--kubeconfig=${kubeconfig}`]);
      assert.equal(out.code, 0, out.stderr);
    }
    const whoami = await server.kubectl(['auth', 'whoami', '-o', 'json', `--kubeconfig=${kubeconfig}`]);
    assert.equal(whoami.code, 0, whoami.stderr);
    const user = JSON.parse(whoami.stdout).status.userInfo;
    assert.equal(user.username, 'alice');
    assert.deepEqual(user.groups, ['devs', 'system:authenticated']);
  });

  it('auto-approves and signs a kubelet client request after a SubjectAccessReview', async () => {
    const { csrPem } = await keyAndRequest('CN=system:node:worker-9, O=system:nodes');
    const created = await server.kubectl(['create', '-f', '-'], { input: csrYaml('node-worker-9', csrPem, 'kubernetes.io/kube-apiserver-client-kubelet', ['digital signature', 'client auth']) });
    assert.equal(created.code, 0, created.stderr);
    const csr = await until('approved and issued', async () => { const c = await getCsr('node-worker-9'); return c.status?.certificate && c; });
    const approved = csr.status.conditions.find((c: { type: string }) => c.type === 'Approved');
    assert.deepEqual([approved.status, approved.reason, approved.message], ['True', 'AutoApproved', 'Auto approving kubelet client certificate after SubjectAccessReview.']);
    const cert = new x509.X509Certificate(Buffer.from(csr.status.certificate, 'base64').toString());
    assert.equal(cert.subject, 'CN=system:node:worker-9, O=system:nodes');
  });

  it('fails an approved request that breaks its signer\'s rules', async () => {
    const { csrPem } = await keyAndRequest('CN=system:node:worker-9, O=system:nodes');
    const created = await server.kubectl(['create', '-f', '-'], { input: csrYaml('serving-no-san', csrPem, 'kubernetes.io/kubelet-serving', ['digital signature', 'server auth']) });
    assert.equal(created.code, 0, created.stderr);
    const approved = await server.kubectl(['certificate', 'approve', 'serving-no-san']);
    assert.equal(approved.code, 0, approved.stderr);
    const csr = await until('Failed', async () => { const c = await getCsr('serving-no-san'); return c.status?.conditions?.some((x: { type: string }) => x.type === 'Failed') && c; });
    const failed = csr.status.conditions.find((c: { type: string }) => c.type === 'Failed');
    assert.deepEqual([failed.reason, failed.message], ['SignerValidationFailure', 'DNS or IP subjectAltName is required']);
    assert.equal(csr.status.certificate, undefined);
  });

  it('cleans up a request denied more than an hour ago, and keeps a fresh one', async () => {
    for (const name of ['old-denied', 'new-denied']) {
      const { csrPem } = await keyAndRequest(`CN=${name}`);
      const created = await server.kubectl(['create', '-f', '-'], { input: csrYaml(name, csrPem, 'kubernetes.io/kube-apiserver-client', ['client auth']) });
      assert.equal(created.code, 0, created.stderr);
    }
    const denied = await server.kubectl(['certificate', 'deny', 'new-denied']);
    assert.equal(denied.code, 0, denied.stderr);
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const old = await server.request('/apis/certificates.k8s.io/v1/certificatesigningrequests/old-denied/approval', {
      method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify({ status: { conditions: [{ type: 'Denied', status: 'True', reason: 'Test', message: 'old', lastUpdateTime: twoHoursAgo, lastTransitionTime: twoHoursAgo }] } }),
    });
    assert.equal(old.status, 200, await old.text());
    await until('old request deleted', async () => (await server.request('/apis/certificates.k8s.io/v1/certificatesigningrequests/old-denied')).status === 404);
    assert.equal((await server.request('/apis/certificates.k8s.io/v1/certificatesigningrequests/new-denied')).status, 200);
  });
});
