// API aggregation through kubectl 1.32: a small extension API server (plain Node HTTPS)
// registered with an APIService is probed, merged into discovery and read through kubelite,
// which proxies with the front-proxy client certificate and the requestheader identity.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { webcrypto, X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import * as x509 from '@peculiar/x509';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer, type RunningApiServer } from '../src/apiserver.ts';
import { createLogger } from '../src/log.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { until } from './support/wait.ts';
import { startWebhookServer } from './support/webhook-server.ts';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);
const group = 'wardle.example.com';

let server: TestServer;
let extension: Server;
let extPort = 0;
let caPem = '';
const seen: Array<{ path: string; user?: string; groups: string[]; clientCN?: string; authorized: boolean }> = [];

async function selfSignedServing(): Promise<{ cert: string; key: string }> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=wardle', keys, signingAlgorithm: alg, notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 3600_000),
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'wardle.default.svc' }])],
  });
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return { cert: cert.toString('pem'), key: `-----BEGIN PRIVATE KEY-----\n${der.toString('base64')}\n-----END PRIVATE KEY-----\n` };
}

const flunder = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: `${group}/v1`, kind: 'Flunder', metadata: { name, namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' }, ...extra,
});

async function startExtension(frontProxyCA: string): Promise<void> {
  const serving = await selfSignedServing();
  caPem = serving.cert;
  extension = createServer({ ...serving, ca: frontProxyCA, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    const socket = req.socket as TLSSocket;
    const peer = socket.getPeerCertificate();
    const groups = ([] as string[]).concat(req.headers['x-remote-group'] ?? []).flatMap((g) => g.split(', '));
    seen.push({ path: req.url ?? '', user: req.headers['x-remote-user'] as string | undefined, groups, clientCN: String(peer?.subject?.CN ?? ''), authorized: socket.authorized });
    const json = (code: number, body: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const path = (req.url ?? '').split('?')[0];
    if (path === `/apis/${group}/v1`) {
      return json(200, {
        kind: 'APIResourceList', apiVersion: 'v1', groupVersion: `${group}/v1`,
        resources: [{ name: 'flunders', singularName: 'flunder', namespaced: true, kind: 'Flunder', verbs: ['get', 'list'], shortNames: ['fl'] }],
      });
    }
    if (path === `/apis/${group}/v1/namespaces/default/flunders`) {
      return json(200, { apiVersion: `${group}/v1`, kind: 'FlunderList', metadata: { resourceVersion: '1' }, items: [flunder('alpha')] });
    }
    if (path === `/apis/${group}/v1/namespaces/default/flunders/alpha`) {
      return json(200, flunder('alpha', { seenBy: { user: req.headers['x-remote-user'], groups, clientCN: String(peer?.subject?.CN ?? ''), authorized: socket.authorized } }));
    }
    return json(404, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'NotFound', code: 404, message: 'not found' });
  });
  await new Promise<void>((resolve) => extension.listen(0, '127.0.0.1', resolve));
  extPort = (extension.address() as { port: number }).port;
}

async function apply(obj: unknown): Promise<void> {
  const res = await server.kubectl(['apply', '-f', '-'], { input: JSON.stringify(obj) });
  assert.equal(res.code, 0, res.stderr);
}

async function availableCondition(name: string): Promise<{ status: string; reason: string; message: string } | undefined> {
  const res = await server.request(`/apis/apiregistration.k8s.io/v1/apiservices/${name}`);
  if (res.status !== 200) return undefined;
  return ((await res.json()).status?.conditions ?? []).find((c: { type: string }) => c.type === 'Available');
}

before(async () => {
  server = await startTestServer();
  const cm = await server.getJson<any>('/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication');
  await startExtension(cm.data['requestheader-client-ca-file']);
});
after(async () => {
  await server?.stop();
  await new Promise((resolve) => extension?.close(resolve));
});

describe('API aggregation', () => {
  it('reports ServiceNotFound and MissingEndpoints as kube\'s availability controller does', async () => {
    await apply({
      apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: 'v1alpha1.missing.example.com' },
      spec: { group: 'missing.example.com', version: 'v1alpha1', groupPriorityMinimum: 1000, versionPriority: 15, insecureSkipTLSVerify: true, service: { namespace: 'default', name: 'nowhere' } },
    });
    const missing = await until('ServiceNotFound', async () => {
      const c = await availableCondition('v1alpha1.missing.example.com');
      return c?.reason === 'ServiceNotFound' ? c : undefined;
    });
    assert.equal(missing.status, 'False');
    assert.equal(missing.message, 'service/nowhere in "default" is not present');
    await apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'nowhere', namespace: 'default' }, spec: { ports: [{ port: 443 }] } });
    const noEndpoints = await until('MissingEndpoints', async () => {
      const c = await availableCondition('v1alpha1.missing.example.com');
      return c?.reason === 'MissingEndpoints' ? c : undefined;
    }, 30_000);
    assert.equal(noEndpoints.status, 'False');
    const row = (await server.kubectl(['get', 'apiservice', 'v1alpha1.missing.example.com', '--no-headers'])).stdout;
    assert.match(row, /^v1alpha1\.missing\.example\.com\s+default\/nowhere\s+False \(MissingEndpoints\)\s+/);
  });

  it('probes an extension API server, merges its discovery and proxies kubectl to it', async () => {
    await apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'wardle', namespace: 'default' }, spec: { type: 'ExternalName', externalName: '127.0.0.1', ports: [{ port: extPort }] } });
    await apply({
      apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: `v1.${group}` },
      spec: { group, version: 'v1', groupPriorityMinimum: 1000, versionPriority: 15, caBundle: Buffer.from(caPem).toString('base64'), service: { namespace: 'default', name: 'wardle', port: extPort } },
    });
    const available = await until('the APIService to turn Available', async () => {
      const c = await availableCondition(`v1.${group}`);
      return c?.status === 'True' ? c : undefined;
    }, 30_000);
    assert.deepEqual([available.reason, available.message], ['Passed', 'all checks passed']);
    const probe = seen.find((s) => s.path === `/apis/${group}/v1`);
    assert.equal(probe?.clientCN, 'front-proxy-client');
    assert.equal(probe?.authorized, true, 'the probe presents a client certificate the requestheader CA signed');

    const groups = await server.getJson<any>('/apis');
    assert.ok(groups.groups.some((g: any) => g.name === group), 'group in /apis');
    const resources = await server.kubectl(['api-resources', '--api-group', group, '--no-headers']);
    assert.match(resources.stdout, /^flunders\s+fl\s+wardle\.example\.com\/v1\s+true\s+Flunder/m);

    const list = await server.kubectl(['get', 'flunders', '-o', 'json']);
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(JSON.parse(list.stdout).items.map((i: any) => i.metadata.name), ['alpha']);
    const one = JSON.parse((await server.kubectl(['get', 'fl', 'alpha', '-o', 'json'])).stdout);
    assert.equal(one.seenBy.user, 'kubernetes-admin');
    assert.ok(one.seenBy.groups.includes('system:authenticated'));
    assert.equal(one.seenBy.clientCN, 'front-proxy-client');
    assert.equal(one.seenBy.authorized, true);
    const nobody = await server.kubectl(['get', 'flunders', '--as=nobody']);
    assert.notEqual(nobody.code, 0);
    assert.match(nobody.stderr, /flunders.wardle.example.com is forbidden: User "nobody" cannot list resource "flunders"/);
    assert.ok(!seen.some((s) => s.user === 'nobody'), 'a forbidden request never reaches the extension');
  });
});

async function freePort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

// kube-apiserver listens first; its autoregister controller creates the local APIServices
// afterwards, and /readyz fails `autoregister-completion` until the built-in ones are Available.
// Here a validating webhook holds the creates of the APIServices a restart finds missing, so
// each stage is observed without racing the writes.
describe('local APIServices are registered after the server listens (kube\'s autoregister)', () => {
  it('a local APIService is created Available in one write', async () => {
    const name = 'v1.local.example.com';
    const res = await server.request('/apis/apiregistration.k8s.io/v1/apiservices', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ metadata: { name }, spec: { group: 'local.example.com', version: 'v1', groupPriorityMinimum: 1000, versionPriority: 15 } }),
    });
    assert.equal(res.status, 201);
    const created = await res.json();
    const condition = created.status.conditions.find((c: { type: string }) => c.type === 'Available');
    assert.deepEqual([condition.status, condition.reason, condition.message], ['True', 'Local', 'Local APIServices are always available']);
    const verbose = await (await server.request('/readyz?verbose')).text();
    assert.match(verbose, /^\[\+\]poststarthook\/apiservice-registration-controller ok$/m);
    assert.match(verbose, /^\[\+\]autoregister-completion ok$/m);
  });

  it('a restart serves /readyz at once, failing autoregister-completion until the built-in ones exist; a CRD\'s follow', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'kubelite-autoregister-'));
    const logger = createLogger(process.env.LOG_LEVEL ?? 'error');
    let releaseBuiltin!: () => void;
    let releaseCrd!: () => void;
    const builtinHeld = new Promise<void>((resolve) => { releaseBuiltin = resolve; });
    const crdHeld = new Promise<void>((resolve) => { releaseCrd = resolve; });
    const webhook = await startWebhookServer(async (req) => {
      await (req.name === 'v1.apps' ? builtinHeld : crdHeld);
      return { allowed: true };
    });
    let running: RunningApiServer | undefined;
    try {
      const insecurePort = await freePort();
      const base = `http://127.0.0.1:${insecurePort}`;
      const call = async (method: string, path: string, body?: unknown) => {
        const res = await fetch(base + path, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
        return { status: res.status, text: await res.text() };
      };
      running = await startApiServer({ dataDir, host: '127.0.0.1', port: 0, insecurePort, logger });
      const crd = await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
        metadata: { name: 'widgets.later.example.com' },
        spec: { group: 'later.example.com', scope: 'Namespaced', names: { plural: 'widgets', kind: 'Widget' },
          versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }] },
      });
      assert.equal(crd.status, 201, crd.text);
      await until('the CRD\'s APIService', async () => (await call('GET', '/apis/apiregistration.k8s.io/v1/apiservices/v1.later.example.com')).status === 200);
      // Both APIServices deleted, and their creates held by a webhook from now on.
      for (const name of ['v1.apps', 'v1.later.example.com']) assert.equal((await call('DELETE', `/apis/apiregistration.k8s.io/v1/apiservices/${name}`)).status, 200);
      const hook = await call('POST', '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations', {
        metadata: { name: 'hold-apiservices' },
        webhooks: [{
          name: 'hold.example.com', clientConfig: { url: `${webhook.url}/hold`, caBundle: webhook.caBundle },
          rules: [{ operations: ['CREATE'], apiGroups: ['apiregistration.k8s.io'], apiVersions: ['v1'], resources: ['apiservices'] }],
          sideEffects: 'None', admissionReviewVersions: ['v1'], failurePolicy: 'Fail', timeoutSeconds: 30,
        }],
      });
      assert.equal(hook.status, 201, hook.text);
      await running.close();
      running = undefined;

      const restarting = startApiServer({ dataDir, host: '127.0.0.1', port: 0, insecurePort, logger });
      let restarted = false;
      void restarting.then(() => { restarted = true; }, () => undefined);
      await until('the restarted server to ask for v1.apps', async () => webhook.requests.some((r) => r.name === 'v1.apps'), 60_000);
      const unready = await call('GET', '/readyz?verbose');
      assert.equal(unready.status, 500);
      assert.match(unready.text, /^\[-\]autoregister-completion failed: reason withheld$/m);
      assert.match(unready.text, /readyz check failed\n$/);
      assert.equal((await call('GET', '/livez')).status, 200);
      assert.equal(restarted, false, 'start-up waits for readiness');

      releaseBuiltin();
      running = await restarting;
      assert.equal((await call('GET', '/readyz')).status, 200);
      // Ready without the CRD's APIService: kube's check covers the built-in group-versions only.
      await until('the CRD\'s APIService create to be asked for', async () => webhook.requests.some((r) => r.name === 'v1.later.example.com'), 60_000);
      assert.equal((await call('GET', '/apis/apiregistration.k8s.io/v1/apiservices/v1.later.example.com')).status, 404);
      releaseCrd();
      await until('the CRD\'s APIService', async () => (await call('GET', '/apis/apiregistration.k8s.io/v1/apiservices/v1.later.example.com')).status === 200, 60_000);
      const apps = JSON.parse((await call('GET', '/apis/apiregistration.k8s.io/v1/apiservices/v1.apps')).text);
      assert.equal(apps.status.conditions.find((c: { type: string }) => c.type === 'Available')?.reason, 'Local');
    } finally {
      releaseBuiltin();
      releaseCrd();
      await running?.close();
      await webhook.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
