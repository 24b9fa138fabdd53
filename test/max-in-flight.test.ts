// kube-apiserver's max-in-flight limit: past --max-mutating-requests-inflight, a mutating
// request gets 429 TooManyRequests with Retry-After; system:masters is let through; the slot
// frees when the request ends.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { httpsRequest } from './support/auth.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { hangGuard, until } from './support/wait.ts';

describe('max in-flight requests', { timeout: hangGuard(60_000) }, () => {
  let server: TestServer;
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kubelite-inflight-'));
    const tokenFile = join(dir, 'tokens.csv');
    await writeFile(tokenFile, 'bob-token,bob,uid-bob\n');
    server = await startTestServer({ secureServing: { tokenAuthFile: tokenFile }, maxInFlight: { readOnly: 0, mutating: 1 } });
    // bob may create ConfigMaps, so that his held request waits for its body past authorization.
    const role = await server.kubectl(['create', 'clusterrole', 'configmap-writer', '--verb=create,get,list', '--resource=configmaps']);
    assert.equal(role.code, 0, role.stderr);
    const bound = await server.kubectl(['create', 'rolebinding', 'bob-edit', '--clusterrole=configmap-writer', '--user=bob', '-n', 'default']);
    assert.equal(bound.code, 0, bound.stderr);
  });
  after(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers 429 with Retry-After past the mutating limit, and not once the slot is free', async () => {
    const url = `${server.secureUrl}/api/v1/namespaces/default/configmaps`;
    // A POST whose body has not finished arriving holds the one mutating slot.
    const held = request(url, { method: 'POST', ca: server.caCert, headers: { authorization: 'Bearer bob-token', 'content-type': 'application/json', 'transfer-encoding': 'chunked' } });
    const heldDone = new Promise<number>((resolve, reject) => {
      held.on('response', (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); });
      held.on('error', reject);
    });
    held.write('{"apiVersion":"v1",');
    // The held POST takes the slot once the server has read its headers: probe until then,
    // as dry runs so that a probe that gets through writes nothing (a fixed 300 ms was too
    // short on a loaded machine).
    const refused = await until('the held POST to take the mutating slot', async () => {
      const res = await httpsRequest(`${url}?dryRun=All`, { ca: server.caCert, token: 'bob-token', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'second' } } });
      return res.status === 429 ? res : undefined;
    });
    assert.equal(refused.status, 429);
    assert.equal(refused.headers['retry-after'], '1');
    const status = refused.json();
    assert.equal(status.reason, 'TooManyRequests');
    assert.equal(status.message, 'Too many requests, please try again later.');
    assert.equal(status.details.retryAfterSeconds, 1);

    // Reads have no limit here, and system:masters (here: the insecure port's user) is never limited.
    assert.notEqual((await httpsRequest(`${server.secureUrl}/version`, { ca: server.caCert, token: 'bob-token' })).status, 429);
    const masters = await server.request('/api/v1/namespaces/default/configmaps', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'by-masters' } }),
    });
    assert.equal(masters.status, 201);

    held.end('"kind":"ConfigMap","metadata":{"name":"first"}}');
    assert.notEqual(await heldDone, 429);
    const after = await httpsRequest(url, { ca: server.caCert, token: 'bob-token', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'third' } } });
    assert.notEqual(after.status, 429, after.body);
  });
});
