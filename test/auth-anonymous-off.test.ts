// With --anonymous-auth=false, kube-apiserver answers 401 to every request without
// credentials (with it on, the default, they are system:anonymous and RBAC answers 403).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { httpsRequest } from './support/auth.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { hangGuard } from './support/wait.ts';

describe('--anonymous-auth=false', { timeout: hangGuard(60_000) }, () => {
  let server: TestServer;
  before(async () => { server = await startTestServer({ secureServing: { anonymousAuth: false } }); });
  after(async () => { await server?.stop(); });

  it('answers 401 without credentials, and serves the admin', async () => {
    for (const path of ['/api/v1/pods', '/version', '/api']) {
      const res = await httpsRequest(server.secureUrl + path, { ca: server.caCert });
      assert.equal(res.status, 401, path);
      assert.deepEqual(res.json(), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    }
    const admin = await server.kubectl(['get', 'pods', '-A']);
    assert.equal(admin.code, 0, admin.stderr);
  });
});
