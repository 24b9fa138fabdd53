// Issue 16, finding 6: a client that stalls cannot starve writes. As kube-apiserver, a request
// must arrive whole within --request-timeout (its body included) or it gets a 504 Timeout
// Status and its in-flight slot back; headers must arrive within ReadHeaderTimeout (here the
// shorter of 32 s and the request timeout) or the connection is closed.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { httpsRequest } from './support/auth.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { until } from './support/wait.ts';

describe('request timeouts', { timeout: 120_000 }, () => {
  let server: TestServer;
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kubelite-timeout-'));
    const tokenFile = join(dir, 'tokens.csv');
    await writeFile(tokenFile, 'bob-token,bob,uid-bob\n');
    server = await startTestServer({ secureServing: { tokenAuthFile: tokenFile }, maxInFlight: { readOnly: 0, mutating: 1 }, requestTimeoutMs: 2000 });
    // A role of its own: `edit` gets its rules from the ClusterRole aggregation controller, which this server does not run.
    const role = await server.kubectl(['create', 'role', 'cm-writer', '--verb=create,get,list', '--resource=configmaps', '-n', 'default']);
    assert.equal(role.code, 0, role.stderr);
    const bound = await server.kubectl(['create', 'rolebinding', 'bob-cm-writer', '--role=cm-writer', '--user=bob', '-n', 'default']);
    assert.equal(bound.code, 0, bound.stderr);
  });
  after(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('ends a request whose body stalls with a 504 Status and frees its in-flight slot', async () => {
    const url = `${server.secureUrl}/api/v1/namespaces/default/configmaps`;
    const held = request(url, { method: 'POST', ca: server.caCert, headers: { authorization: 'Bearer bob-token', 'content-type': 'application/json', 'transfer-encoding': 'chunked' } });
    const answer = new Promise<{ code: number; body: string }>((resolve, reject) => {
      held.on('response', (res) => {
        let body = '';
        res.on('data', (d) => { body += d; });
        res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
      });
      held.on('error', reject);
    });
    held.write('{"apiVersion":"v1",'); // and nothing more: a client sending a byte now and then
    await until('the held request to take the one mutating slot', async () => {
      const probe = await httpsRequest(url, { ca: server.caCert, token: 'bob-token', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'probe' } } });
      return probe.status === 429;
    });
    const { code, body } = await answer;
    assert.equal(code, 504);
    const status = JSON.parse(body);
    assert.deepEqual([status.kind, status.reason, status.code], ['Status', 'Timeout', 504]);
    assert.equal(status.message, 'Timeout: request did not complete within requested timeout - context deadline exceeded');
    // The slot is free again: the next write goes through.
    await until('a write to be let through', async () => {
      const next = await httpsRequest(url, { ca: server.caCert, token: 'bob-token', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after-timeout' } } });
      return next.status === 201;
    });
  });

  it('closes a connection whose headers never finish', async () => {
    const socket = net.connect(Number(new URL(server.url).port), '127.0.0.1');
    let received = '';
    socket.on('data', (d) => { received += d; });
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write('GET /api/v1/namespaces HTTP/1.1\r\nHost: x\r\n');
    await closed;
    assert.equal(received, '', 'nothing is answered to a request that never arrived');
  });
});
