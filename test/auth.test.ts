// Authentication end to end on the secure port, as kube-apiserver's authenticator chain:
// client certificates signed by the cluster CA (CN = user, O = groups), static tokens from
// --token-auth-file, ServiceAccount tokens (with --service-account-issuer, --api-audiences and
// --service-account-max-token-expiration set), anonymous requests, and 401 for every credential
// that is presented and fails. `kubectl auth whoami` (a SelfSubjectReview) shows each user.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createPki } from '../src/auth/pki-create.ts';
import { httpsRequest, jwtClaims, signClientCertificate, writeUserKubeconfig } from './support/auth.ts';
import { runKubectl, startTestServer, type TestServer } from './support/server.ts';

describe('authentication', () => {
  let server: TestServer;
  let dir: string;

  const whoami = async (name: string, user: { token: string } | { cert: string; key: string }) => {
    const config = await writeUserKubeconfig(join(dir, `${name}.kubeconfig`), server.secureUrl, server.caCert, user);
    const r = await runKubectl(config, ['auth', 'whoami']);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };
  const get = (path: string, opts: { token?: string; cert?: string; key?: string; headers?: Record<string, string> } = {}) =>
    httpsRequest(`${server.secureUrl}${path}`, { ca: server.caCert, ...opts });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kubelite-auth-'));
    const tokenFile = join(dir, 'tokens.csv');
    await writeFile(tokenFile, '# token,user,uid,"groups"\ns3cret-token,bob,uid-bob,"ops,dev"\nother-token,carol,uid-carol\n');
    server = await startTestServer({
      secureServing: { tokenAuthFile: tokenFile },
      serviceAccounts: { issuers: ['https://issuer.example', 'https://old-issuer.example'], apiAudiences: ['api', 'other'], maxTokenExpirationSeconds: 1800 },
    });
    const r = await server.kubectl(['create', 'sa', 'default']);
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('a client certificate signed by the cluster CA is its CN, in its O groups', async () => {
    const out = await whoami('jane', await signClientCertificate(server.dataDir, 'jane', ['developers', 'qa']));
    assert.match(out, /^Username\s+jane$/m);
    assert.match(out, /^Groups\s+\[developers qa system:authenticated\]$/m);
    assert.doesNotMatch(out, /^UID/m);
  });

  it('a --token-auth-file token is its user, uid and groups', async () => {
    const out = await whoami('bob', { token: 's3cret-token' });
    assert.match(out, /^Username\s+bob$/m);
    assert.match(out, /^UID\s+uid-bob$/m);
    assert.match(out, /^Groups\s+\[ops dev system:authenticated\]$/m);
    assert.match(await whoami('carol', { token: 'other-token' }), /^Groups\s+\[system:authenticated\]$/m);
  });

  it('ServiceAccount tokens carry --service-account-issuer and --api-audiences, capped by --service-account-max-token-expiration', async () => {
    const r = await server.kubectl(['create', 'token', 'default', '--duration=2h']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Warning: requested expiration of 7200 seconds shortened to 1800 seconds/);
    const token = r.stdout.trim();
    const claims = jwtClaims(token);
    assert.equal(claims.iss, 'https://issuer.example');
    assert.deepEqual(claims.aud, ['api', 'other']);
    assert.equal(claims.exp - claims.iat, 1800);
    const out = await whoami('sa', { token });
    assert.match(out, /^Username\s+system:serviceaccount:default:default$/m);
    assert.match(out, /^Groups\s+\[system:serviceaccounts system:serviceaccounts:default system:authenticated\]$/m);
    // A token for an audience the API does not serve is no credential here.
    const foreign = (await server.kubectl(['create', 'token', 'default', '--audience=vault'])).stdout.trim();
    assert.equal((await get('/version', { token: foreign })).status, 401);
  });

  it('without credentials a request is system:anonymous: /version yes, pods no', async () => {
    const version = await get('/version');
    assert.equal(version.status, 200);
    assert.equal(version.json().major, '1');
    const pods = await get('/api/v1/pods');
    assert.equal(pods.status, 403);
    assert.equal(pods.json().message, 'pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" at the cluster scope');
    // Another scheme than Bearer is no credential either (kube has no basic auth): still anonymous.
    assert.equal((await get('/api/v1/pods', { headers: { authorization: 'Basic Ym9iOnB3' } })).status, 403);
  });

  it('a credential that is presented and fails is 401 Unauthorized', async () => {
    const unauthorized = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 };
    const unknown = await get('/version', { token: 'no-such-token' });
    assert.equal(unknown.status, 401);
    assert.deepEqual(unknown.json(), unauthorized);
    // A certificate from a CA the server does not trust.
    const otherDir = await mkdtemp(join(tmpdir(), 'kubelite-otherca-'));
    try {
      await mkdir(join(otherDir, 'pki'));
      await createPki(join(otherDir, 'pki'), ['localhost']);
      const stranger = await signClientCertificate(otherDir, 'mallory', ['system:masters']);
      const res = await get('/version', stranger);
      assert.equal(res.status, 401);
      assert.deepEqual(res.json(), unauthorized);
    } finally {
      await rm(otherDir, { recursive: true, force: true });
    }
    // The cluster CA's own certificate for the same name passes: the 401 above is for the issuer.
    assert.equal((await get('/version', await signClientCertificate(server.dataDir, 'mallory'))).status, 200);
    const out = await runKubectl(await writeUserKubeconfig(join(dir, 'bad.kubeconfig'), server.secureUrl, server.caCert, { token: 'wrong' }), ['get', 'pods']);
    assert.notEqual(out.code, 0);
    assert.match(out.stderr, /You must be logged in to the server \(the server has asked for the client to provide credentials\)/);
  });
});
