// ApiClient over HTTP and HTTPS: kubeconfig loading, every verb's request shape, errors as
// metav1.Status, paging, client-side rate limiting, and WATCH streams cut at any byte.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../src/api/types.ts';
import { ApiError, isAlreadyExists, isConflict, isGone, isNotFound } from '../src/client/errors.ts';
import { loadKubeconfig, parseKubeconfig } from '../src/client/kubeconfig.ts';
import { ApiClient } from '../src/client/rest.ts';
import { resources, type ResourceDescriptor } from '../src/client/resource.ts';
import { FakeApiServer } from '../src/client/testing/fake-apiserver.ts';
import { LineSplitter, type WatchEvent } from '../src/client/watch.ts';

const configMaps = resources.configMaps;
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('kubeconfig', () => {
  it('resolves the current context to server, CA, token, client cert and namespace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubelite-kc-'));
    try {
      writeFileSync(join(dir, 'ca.pem'), 'CA-FROM-FILE');
      writeFileSync(join(dir, 'token'), 'file-token\n');
      const path = join(dir, 'config');
      writeFileSync(path, `
apiVersion: v1
kind: Config
current-context: main
clusters:
- name: c1
  cluster: { server: "https://10.0.0.1:6443/", certificate-authority-data: ${b64('CA-DATA')} }
- name: c2
  cluster: { server: "https://10.0.0.2:6443", certificate-authority: ca.pem, insecure-skip-tls-verify: true }
users:
- name: u1
  user: { token: abc, client-certificate-data: ${b64('CERT')}, client-key-data: ${b64('KEY')} }
- name: u2
  user: { tokenFile: token }
contexts:
- name: main
  context: { cluster: c1, user: u1, namespace: team-a }
- name: other
  context: { cluster: c2, user: u2 }
`);
      const main = loadKubeconfig(path);
      assert.deepEqual(main, {
        server: 'https://10.0.0.1:6443', ca: 'CA-DATA', insecureSkipTLSVerify: false, tlsServerName: undefined,
        token: 'abc', cert: 'CERT', key: 'KEY', username: undefined, password: undefined, namespace: 'team-a',
      });
      const other = loadKubeconfig(path, { context: 'other' });
      assert.equal(other.ca, 'CA-FROM-FILE', 'paths are relative to the kubeconfig');
      assert.equal(other.token, 'file-token');
      assert.equal(other.insecureSkipTLSVerify, true);
      assert.equal(other.namespace, 'default');
      assert.throws(() => loadKubeconfig(path, { context: 'missing' }), /context "missing" not found/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses exec credential plugins rather than sending no credentials', () => {
    const text = `current-context: x
clusters: [{ name: c, cluster: { server: "http://h" } }]
users: [{ name: u, user: { exec: { command: aws } } }]
contexts: [{ name: x, context: { cluster: c, user: u } }]`;
    assert.throws(() => parseKubeconfig(text), /exec\/auth-provider/);
  });
});

describe('ApiClient against a fake API server', () => {
  let server: FakeApiServer;
  let client: ApiClient;
  before(async () => {
    server = await new FakeApiServer().start();
    client = new ApiClient({ server: server.url, namespace: 'default', token: 't0k' }, { qps: 0, userAgent: 'kubelite-test/1' });
  });
  after(async () => {
    client.close();
    await server.stop();
  });
  const last = () => server.requests[server.requests.length - 1];

  it('creates in the context namespace with apiVersion/kind filled, a user agent and the bearer token', async () => {
    const created = await client.create(configMaps, { metadata: { name: 'one' }, data: { a: '1' } });
    assert.equal(created.metadata.namespace, 'default');
    const req = last();
    assert.equal(req.method, 'POST');
    assert.equal(req.url, '/api/v1/namespaces/default/configmaps');
    assert.equal(req.headers['user-agent'], 'kubelite-test/1');
    assert.equal(req.headers.authorization, 'Bearer t0k');
    assert.deepEqual(JSON.parse(req.body), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'one' }, data: { a: '1' } });
  });

  it('maps error Statuses to ApiError and the apierrors predicates', async () => {
    await assert.rejects(client.get(configMaps, 'nope'), (err) => {
      assert.ok(err instanceof ApiError);
      assert.equal(err.code, 404);
      assert.equal(err.reason, 'NotFound');
      assert.ok(isNotFound(err) && !isConflict(err));
      return true;
    });
    await assert.rejects(client.create(configMaps, { metadata: { name: 'one' } }), (err) => isAlreadyExists(err) && !isConflict(err));
    const current = await client.get(configMaps, 'one');
    await client.update(configMaps, { ...current, data: { a: '2' } });
    await assert.rejects(client.update(configMaps, { ...current, data: { a: '3' } }), (err) => isConflict(err));
    assert.ok(isGone(ApiError.fromResponse(410, JSON.stringify({ kind: 'Status', code: 410, reason: 'Expired', message: 'too old' }))));
    const plain = ApiError.fromResponse(502, 'Bad Gateway');
    assert.equal(plain.reason, 'InternalError');
    assert.equal(plain.message, 'Bad Gateway');
    assert.ok(isNotFound(ApiError.fromResponse(404, '<html>')), 'a 404 without a Status is still NotFound');
  });

  it('sends each patch type with its content type, fieldManager and force', async () => {
    const cases = [
      ['merge', 'application/merge-patch+json'],
      ['json', 'application/json-patch+json'],
      ['strategic', 'application/strategic-merge-patch+json'],
      ['apply', 'application/apply-patch+yaml'],
    ] as const;
    for (const [type, contentType] of cases) {
      await client.patch(configMaps, 'one', type, type === 'json' ? [] : { data: { p: type } }, { fieldManager: 'tester', force: true });
      assert.equal(last().headers['content-type'], contentType);
      const query = new URL(last().url, 'http://x').searchParams;
      assert.equal(query.get('fieldManager'), 'tester');
      assert.equal(query.get('force'), type === 'apply' ? 'true' : null, 'force only applies to apply');
    }
    await assert.rejects(client.patch(configMaps, 'one', 'apply', {}), /fieldManager/);
  });

  it('deletes with DeleteOptions in the body; cluster-scoped paths carry no namespace', async () => {
    await client.delete(configMaps, 'one', { propagationPolicy: 'Foreground', gracePeriodSeconds: 0, preconditions: { uid: 'u' } });
    assert.equal(last().method, 'DELETE');
    assert.deepEqual(JSON.parse(last().body), {
      kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Foreground', gracePeriodSeconds: 0, preconditions: { uid: 'u' },
    });
    const nodes: ResourceDescriptor = resources.nodes;
    await client.create(nodes, { metadata: { name: 'n1', namespace: 'ignored' } });
    assert.equal(last().url, '/api/v1/nodes');
    await client.get(resources.deployments, 'x', { namespace: 'ns' }).catch(() => undefined);
    assert.equal(last().url, '/apis/apps/v1/namespaces/ns/deployments/x');
  });

  it('listAll follows continue tokens through one snapshot', async () => {
    for (let i = 0; i < 7; i++) await client.create(configMaps, { metadata: { name: `page-${i}`, namespace: 'paged' } });
    const before = server.requests.length;
    const all = await client.listAll(configMaps, { namespace: 'paged', limit: 3 });
    assert.deepEqual(all.items.map((o) => o.metadata.name), Array.from({ length: 7 }, (_, i) => `page-${i}`));
    assert.equal(server.requests.length - before, 3, 'three pages');
    assert.equal(all.metadata.resourceVersion, String(server.revision));
    assert.equal(all.metadata.continue, undefined);
  });

  it('throttles with a token bucket: a burst, then qps', async () => {
    const slow = new ApiClient({ server: server.url, namespace: 'default' }, { qps: 20, burst: 2 });
    try {
      const started = performance.now();
      for (let i = 0; i < 6; i++) await slow.list(configMaps, { namespace: 'paged', limit: 1 });
      const elapsed = performance.now() - started;
      // 2 free, then 4 more at 20/s = 200 ms.
      assert.ok(elapsed >= 180, `6 requests at qps 20 / burst 2 took ${elapsed.toFixed(0)} ms`);
    } finally {
      slow.close();
    }
  });

  it('watch delivers events in order from a stream cut at random bytes, and stop() ends it', async () => {
    const events: WatchEvent[] = [];
    const list = await client.list(configMaps, { namespace: 'watched' });
    const watch = await client.watch(configMaps, { namespace: 'watched', resourceVersion: list.metadata.resourceVersion }, (e) => events.push(e));
    for (let i = 0; i < 50; i++) await client.create(configMaps, { metadata: { name: `w-${i}`, namespace: 'watched' }, data: { v: 'é€😀'.repeat(i) } });
    const deadline = Date.now() + 60_000; // a hang guard; the loop ends as soon as all 50 arrive
    while (events.length < 50 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(events.map((e) => (e.object as KubeObject).metadata.name), Array.from({ length: 50 }, (_, i) => `w-${i}`));
    assert.ok(events.every((e, i) => e.type === 'ADDED' && ((e.object as KubeObject).data as Record<string, string>).v === 'é€😀'.repeat(i)));
    watch.stop();
    assert.deepEqual(await watch.done, { reason: 'stopped' });
  });

  it('a watch refused with 410 rejects with an ApiError', async () => {
    await client.create(configMaps, { metadata: { name: 'c', namespace: 'gone' } });
    server.compact();
    await assert.rejects(client.watch(configMaps, { namespace: 'gone', resourceVersion: '1' }, () => {}), (err) => isGone(err));
  });
});

describe('LineSplitter', () => {
  it('holds a partial line until its newline and skips blank lines', () => {
    const s = new LineSplitter();
    assert.deepEqual(s.push('{"a":1}\n{"b"'), ['{"a":1}']);
    assert.deepEqual(s.push(':2}'), []);
    assert.deepEqual(s.push('\n\n{"c":3}\n'), ['{"b":2}', '{"c":3}']);
    assert.deepEqual(s.push('{"d":4}'), []);
    assert.deepEqual(s.flush(), ['{"d":4}']);
  });
});

describe('ApiClient over HTTPS', () => {
  let dir: string;
  let pki: { ca: string; serverCert: string; serverKey: string; clientCert: string; clientKey: string } | undefined;
  let server: https.Server;
  let url = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kubelite-pki-'));
    try {
      pki = makePki(dir);
    } catch {
      return; // no openssl: the tests below skip
    }
    server = https.createServer({ key: pki.serverKey, cert: pki.serverCert, ca: pki.ca, requestCert: true, rejectUnauthorized: true }, (req, res) => {
      const cn = (req.socket as import('node:tls').TLSSocket).getPeerCertificate().subject?.CN;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ metadata: { name: String(cn) } }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    if (server) await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('verifies the server against the kubeconfig CA and presents the client certificate', async (t) => {
    if (!pki) return t.skip('openssl not available');
    const client = new ApiClient({ server: url, namespace: 'default', ca: pki.ca, cert: pki.clientCert, key: pki.clientKey }, { qps: 0 });
    try {
      const obj = await client.get(resources.namespaces, 'anything');
      assert.equal(obj.metadata.name, 'kubelite-admin', 'the server saw our client certificate');
    } finally {
      client.close();
    }
  });

  it('rejects a server its CA does not vouch for, unless insecure-skip-tls-verify', async (t) => {
    if (!pki) return t.skip('openssl not available');
    const untrusting = new ApiClient({ server: url, namespace: 'default', cert: pki.clientCert, key: pki.clientKey }, { qps: 0 });
    await assert.rejects(untrusting.get(resources.namespaces, 'x'), /self[- ]signed|unable to verify|certificate/i);
    untrusting.close();
    const insecure = new ApiClient({ server: url, namespace: 'default', insecureSkipTLSVerify: true, cert: pki.clientCert, key: pki.clientKey }, { qps: 0 });
    assert.equal((await insecure.get(resources.namespaces, 'x')).metadata.name, 'kubelite-admin');
    insecure.close();
  });
});

/** A CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl. */
function makePki(dir: string) {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=test-ca');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=kubelite');
  ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '1', '-extfile', 'san.ext');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=kubelite-admin/O=system:masters');
  ssl('x509', '-req', '-in', 'client.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.crt', '-days', '1');
  const read = (f: string) => execFileSync('cat', [join(dir, f)]).toString();
  return { ca: read('ca.crt'), serverCert: read('server.crt'), serverKey: read('server.key'), clientCert: read('client.crt'), clientKey: read('client.key') };
}
