// Fuzz (issue 16): the HTTP layer over a raw socket. Request lines with odd methods, paths
// with bad escapes and control bytes, odd and oversized headers, bodies that disagree with
// their Content-Length: whatever Node's parser, Fastify or the routes answer, it is below 500
// and, when it is an error with a body, a metav1.Status; and the server keeps answering.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from './support/server.ts';
import { fuzzRuns } from './support/fuzz.ts';
import { rawExchange } from './support/raw-http.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.stop();
});

function exchange(data: Buffer): Promise<string> {
  return rawExchange(server.url, data);
}

const method = fc.oneof(fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE', 'CONNECT', 'PROPFIND', 'FOO', 'get', ''),
  fc.string({ unit: 'binary-ascii', maxLength: 8 }));
const pathPart = fc.oneof(
  fc.constantFrom('api', 'apis', 'v1', 'namespaces', 'default', 'configmaps', 'pods', 'apps', 'deployments', 'status', 'scale', 'log',
    '%zz', '%', '%00', '..', '.', '', '%2F', 'x'.repeat(2000), '😀', 'watch', 'openapi', 'v2', 'v3', 'healthz', 'readyz', 'metrics', 'version'),
  fc.string({ maxLength: 6 }),
);
const query = fc.oneof(fc.constant(''), fc.constantFrom('?watch=1', '?watch=true&timeoutSeconds=0', '?limit=-1', '?limit=x', '?continue=%zz', '?resourceVersion=99999999999999999999999',
  '?labelSelector=a%20in%20(', '?fieldSelector=metadata.name%3D%3D', '?dryRun=Bogus', '?fieldValidation=Nope', '?pretty=2', '?timeout=-1s', '?propagationPolicy=x'),
fc.string({ unit: 'binary-ascii', maxLength: 12 }).map((s) => `?${s}`));
const header = fc.oneof(
  fc.constantFrom('Content-Type: application/json', 'Content-Type: application/yaml', 'Content-Type: application/json-patch+json',
    'Content-Type: application/vnd.kubernetes.protobuf', 'Content-Type: ;;;', 'Accept: application/json;as=Table;g=meta.k8s.io;v=v1',
    'Accept: application/vnd.kubernetes.protobuf', 'Accept: */*;q=0', 'Transfer-Encoding: chunked', 'Content-Length: 5', 'Content-Length: -1',
    'Content-Length: 99999999999', 'Expect: 100-continue', 'Upgrade: websocket', 'Connection: Upgrade', 'Impersonate-User: bob', 'Warning: x'),
  fc.tuple(fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 10 }), fc.string({ unit: 'binary-ascii', maxLength: 30 })).map(([k, v]) => `${k}: ${v}`),
);
const body = fc.oneof(fc.constant(''), fc.constantFrom('{}', '{"metadata":{"name":"fz"}}', '[]', 'null', '{', '\u0000\u0001'), fc.string({ unit: 'binary', maxLength: 40 }));

describe('fuzz: HTTP layer', { timeout: 600_000 }, () => {
  it('every answer is below 500 and every error body a Status; the server stays up', async () => {
    await fc.assert(fc.asyncProperty(method, fc.array(pathPart, { maxLength: 7 }), query, fc.array(header, { maxLength: 4 }), body,
      async (m, parts, q, headers, payload) => {
        const request = `${m} /${parts.join('/')}${q} HTTP/1.1\r\nHost: x\r\n${headers.map((h) => `${h}\r\n`).join('')}` +
          `Connection: close\r\n\r\n${payload}`;
        const answer = await exchange(Buffer.from(request, 'utf8'));
        const [head, ...rest] = answer.split('\r\n\r\n');
        const code = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
        if (code === 0) return; // closed without an answer (headers Node could not parse as a request)
        assert.ok(code < 500, `${JSON.stringify(request.slice(0, 300))} → ${head.split('\r\n')[0]} ${rest.join('').slice(0, 300)}`);
        const text = rest.join('\r\n\r\n');
        const isJson = /content-type: application\/json/i.test(head);
        if (code >= 400 && text.length > 0 && isJson && !/transfer-encoding: chunked/i.test(head)) {
          const status = JSON.parse(text);
          assert.equal(status.kind, 'Status', `${JSON.stringify(request.slice(0, 200))} → ${text.slice(0, 200)}`);
        }
        if (code >= 400 && !/^HEAD /.test(request)) assert.ok(isJson || /content-type: text\/plain/i.test(head), `${code} error has a body type: ${head}`);
      }), { numRuns: fuzzRuns * 4 });
    const alive = await server.request('/readyz');
    assert.equal(alive.status, 200);
  });
});
