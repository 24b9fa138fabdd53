// Issue 15's server bugs, each against kube's answer: an EndpointSlice without endpoints is
// stored as null (bug 1), the log of a pod not yet scheduled is empty rather than "not found"
// (bug 4), and Status bodies are kube's bytes: Go's field order and a trailing newline (bug 6).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from './support/server.ts';

let server: TestServer;
const post = (path: string, body: unknown) => server.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.stop();
});

describe('bug 1: EndpointSlice without endpoints', () => {
  it('is stored with endpoints null, as the endpointslice controller writes it for a Service without pods', async () => {
    const res = await post('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'empty', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4', ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
    });
    assert.equal(res.status, 201, await res.clone().text());
    const text = await (await server.request('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/empty')).text();
    assert.match(text, /"endpoints":null/);
    const out = await server.kubectl(['get', 'endpointslice', 'empty', '--no-headers']);
    assert.match(out.stdout, /^empty\s+IPv4\s+80\s+<unset>\s+/);
  });
});

describe('bug 4: the log of a pod not yet scheduled', () => {
  it('answers 200 with an empty log, as kube\'s LogLocation without a node; a missing pod is still 404', async () => {
    const pod = (name: string, containers: string[]) => ({
      apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: containers.map((c) => ({ name: c, image: 'nginx' })) },
    });
    assert.equal((await post('/api/v1/namespaces/default/pods', pod('pending', ['app']))).status, 201);
    const log = await server.request('/api/v1/namespaces/default/pods/pending/log');
    assert.equal(log.status, 200);
    assert.equal(await log.text(), '');
    const viaKubectl = await server.kubectl(['logs', 'pending']);
    assert.equal(viaKubectl.code, 0, viaKubectl.stderr);
    assert.equal(viaKubectl.stdout, '');
    const missing = await server.request('/api/v1/namespaces/default/pods/ghost/log');
    assert.equal(missing.status, 404);
    assert.equal((await missing.json()).message, 'pods "ghost" not found');
    assert.equal((await post('/api/v1/namespaces/default/pods', pod('two', ['a', 'b']))).status, 201);
    const which = await server.request('/api/v1/namespaces/default/pods/two/log');
    assert.equal(which.status, 400);
    assert.equal((await which.json()).message, 'a container name must be specified for pod two, choose one of: [a b]');
    const wrong = await server.request('/api/v1/namespaces/default/pods/two/log?container=c');
    assert.equal((await wrong.json()).message, 'container c is not valid for pod two');
  });
});

describe('bug 6: Status bodies', () => {
  it('are encoded in Go\'s field order with a trailing newline', async () => {
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'dup' }, spec: { ports: [{ port: 80 }] } };
    assert.equal((await post('/api/v1/namespaces/default/services', svc)).status, 201);
    const again = await post('/api/v1/namespaces/default/services', svc);
    assert.equal(again.status, 409);
    assert.equal(await again.text(),
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"services \\"dup\\" already exists","reason":"AlreadyExists","details":{"name":"dup","kind":"services"},"code":409}\n');
    const invalid = await post('/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name' } });
    const text = await invalid.text();
    assert.ok(text.endsWith('"code":422}\n'), text);
    const body = JSON.parse(text);
    assert.deepEqual(Object.keys(body), ['kind', 'apiVersion', 'metadata', 'status', 'message', 'reason', 'details', 'code']);
    assert.deepEqual(Object.keys(body.details), ['name', 'kind', 'causes']);
    assert.deepEqual(Object.keys(body.details.causes[0]), ['reason', 'message', 'field']);
    const deleted = await server.request('/api/v1/namespaces/default/services/dup', { method: 'DELETE' });
    assert.equal(deleted.status, 200);
  });
});
