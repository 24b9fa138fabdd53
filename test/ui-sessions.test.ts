// The console's login: the one-time token works once and expires, sessions authenticate as
// the admin kubeconfig's user and expire, unknown sessions get 401; the static files and the
// login exchange are served without credentials; a WebSocket may carry the bearer token as
// kube's base64url.bearer.authorization.k8s.io subprotocol; --no-ui serves nothing at /ui/.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { startApiServer } from '../src/apiserver.ts';
import { ConsoleSessions } from '../src/auth/console-sessions.ts';
import { createLogger } from '../src/log.ts';
import { httpsRequest } from './support/auth.ts';
import { ensureBuilt } from './support/process.ts';
import { startTestServer, type TestServer } from './support/server.ts';

const admin = { username: 'kubernetes-admin', groups: ['kubeadm:cluster-admins'] };

describe('ConsoleSessions', () => {
  it('exchanges the login token once, for a session of the admin', async () => {
    const sessions = new ConsoleSessions({ user: admin });
    const login = sessions.issueLoginToken();
    assert.equal(sessions.login('not-it'), undefined);
    const session = sessions.login(login);
    assert.ok(session);
    assert.equal(sessions.login(login), undefined, 'single use');
    assert.deepEqual(await sessions.authenticator.authenticateToken(session.sessionToken), { username: 'kubernetes-admin', groups: ['kubeadm:cluster-admins', 'system:authenticated'] });
    assert.equal(await sessions.authenticator.authenticateToken(`${session.sessionToken}x`), undefined);
    sessions.logout(session.sessionToken);
    assert.equal(await sessions.authenticator.authenticateToken(session.sessionToken), undefined, 'logged out');
  });

  it('lets the login token and sessions expire, and a new login token replace the old', async () => {
    let now = 1_000_000;
    const sessions = new ConsoleSessions({ user: admin, loginTokenTtlMs: 1000, sessionTtlMs: 5000, now: () => now });
    const first = sessions.issueLoginToken();
    now += 1000;
    assert.equal(sessions.login(first), undefined, 'expired login token');
    const second = sessions.issueLoginToken();
    const third = sessions.issueLoginToken();
    assert.equal(sessions.login(second), undefined, 'replaced by a newer one');
    const session = sessions.login(third)!;
    now += 4999;
    assert.ok(await sessions.authenticator.authenticateToken(session.sessionToken));
    now += 1;
    assert.equal(await sessions.authenticator.authenticateToken(session.sessionToken), undefined, 'expired session');
  });
});

describe('the console over the secure port', () => {
  let server: TestServer;
  const https = (path: string, opts: Parameters<typeof httpsRequest>[1] extends infer O ? Omit<O & object, 'ca'> : never = {}) =>
    httpsRequest(server.secureUrl + path, { ca: server.caCert, ...opts });

  before(async () => {
    ensureBuilt();
    server = await startTestServer({ secureServing: { anonymousAuth: false } });
  });
  after(() => server.stop());

  it('serves the page and its bundle without credentials, with anonymous requests off', async () => {
    const page = await https('/ui/');
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.match(String(page.headers['content-security-policy']), /default-src 'self'/);
    assert.match(page.body, /<script type="module" src="app.js">/);
    const js = await https('/ui/app.js');
    assert.equal(js.status, 200);
    assert.match(String(js.headers['content-type']), /^text\/javascript/);
    assert.equal((await https('/ui/missing.js')).json().reason, 'NotFound');
    assert.equal((await https('/api/v1/namespaces')).status, 401, 'the API itself still wants credentials');
  });

  it('logs the admin in once with the banner token; unknown or used tokens get 401', async () => {
    const token = new URL(server.consoleLoginUrl!).hash.replace('#token=', '');
    const missing = await https('/ui/api/login', { method: 'POST', body: {} });
    assert.equal(missing.status, 400);
    assert.match(missing.json().message, /token/);
    assert.equal((await https('/ui/api/login', { method: 'POST', body: { token: 'wrong' } })).json().reason, 'Unauthorized');
    const login = await https('/ui/api/login', { method: 'POST', body: { token } });
    assert.equal(login.status, 200);
    const { sessionToken } = login.json();
    assert.equal((await https('/ui/api/login', { method: 'POST', body: { token } })).status, 401, 'used');
    const review = await https('/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      method: 'POST', token: sessionToken, body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
    });
    assert.equal(review.status, 201);
    assert.equal(review.json().status.userInfo.username, 'kubernetes-admin');
    assert.deepEqual(review.json().status.userInfo.groups.sort(), ['kubeadm:cluster-admins', 'system:authenticated']);
    assert.equal((await https('/api/v1/namespaces', { token: 'kubelite-console.not-a-session' })).json().reason, 'Unauthorized');

    // A browser's WebSocket carries the token as a subprotocol.
    const protocol = `base64url.bearer.authorization.k8s.io.${Buffer.from(sessionToken).toString('base64url')}`;
    const first = await new Promise<string>((resolve, reject) => {
      const ws = new WebSocket(`${server.secureUrl.replace('https', 'wss')}/api/v1/namespaces?watch=1`, ['binary.k8s.io', protocol], { ca: server.caCert });
      ws.once('message', (data) => { resolve(JSON.parse(String(data)).type); ws.close(); });
      ws.once('unexpected-response', (req, res) => { reject(new Error(`status ${res.statusCode}`)); req.destroy(); });
      ws.once('error', reject);
    });
    assert.equal(first, 'ADDED');
    const refused = await new Promise<number>((resolve, reject) => {
      const bad = `base64url.bearer.authorization.k8s.io.${Buffer.from('kubelite-console.nope').toString('base64url')}`;
      const ws = new WebSocket(`${server.secureUrl.replace('https', 'wss')}/api/v1/namespaces?watch=1`, ['binary.k8s.io', bad], { ca: server.caCert });
      ws.once('unexpected-response', (req, res) => { resolve(res.statusCode ?? 0); req.destroy(); });
      ws.once('open', () => reject(new Error('opened with an unknown session')));
      ws.once('error', () => undefined);
    });
    assert.equal(refused, 401);
  });

});

describe('--no-ui', () => {
  it('serves no console and prints no login URL', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'kubelite-noui-'));
    const server = await startApiServer({ dataDir, port: 0, logger: createLogger('error'), ui: false });
    try {
      assert.equal(server.consoleLoginUrl, undefined);
      const res = await httpsRequest(`${server.url}/ui/`, { ca: server.caCert });
      assert.notEqual(res.status, 200);
      assert.equal((await httpsRequest(`${server.url}/ui/api/login`, { ca: server.caCert, method: 'POST', body: { token: 'x' } })).status, 403);
    } finally {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
