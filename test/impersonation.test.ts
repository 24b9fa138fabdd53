// Impersonation as kube-apiserver's WithImpersonation filter answers it: `kubectl --as`,
// `--as-group`, `--as-uid` and raw Impersonate-* headers, allowed only to a requester with the
// `impersonate` verb on users, groups, serviceaccounts, uids and userextras/<key>, with kube's
// 403 message naming what could not be impersonated.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { writeUserKubeconfig } from './support/auth.ts';
import { runKubectl, startTestServer, type TestServer } from './support/server.ts';

describe('impersonation', () => {
  let server: TestServer;
  let tokenDir: string;
  let bobConfig: string;

  const admin = async (args: string[], input?: string) => {
    const r = await server.kubectl(args, { input });
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const bob = (args: string[]) => runKubectl(bobConfig, args);

  /** A request with bob's token and raw headers (repeated headers as arrays). */
  const asBob = (path: string, headers: Record<string, string | string[]>) => new Promise<{ status: number; body: any }>((resolve, reject) => {
    const req = request(`${server.secureUrl}${path}`, { ca: server.caCert, headers: { authorization: 'Bearer bob-token', accept: 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
    });
    req.on('error', reject);
    req.end();
  });

  before(async () => {
    tokenDir = await mkdtemp(join(tmpdir(), 'impersonation-'));
    const tokenAuthFile = join(tokenDir, 'tokens.csv');
    await writeFile(tokenAuthFile, 'bob-token,bob,2001\n');
    // admin, edit and view get their rules from the ClusterRole aggregation controller, as on kube.
    server = await startTestServer({ secureServing: { tokenAuthFile }, controllers: { controllers: ['clusterrole-aggregation-controller'] } });
    bobConfig = await writeUserKubeconfig(join(server.dataDir, 'bob.kubeconfig'), server.secureUrl, server.caCert, { token: 'bob-token' });
    await admin(['create', 'namespace', 'dev']);
    await admin(['create', 'rolebinding', 'jane-view', '--clusterrole=view', '--user=jane', '-n', 'dev']);
    await admin(['create', 'rolebinding', 'devs-edit', '--clusterrole=edit', '--group=devs', '-n', 'dev']);
    await admin(['create', 'serviceaccount', 'robot', '-n', 'dev']);
    await admin(['create', 'rolebinding', 'robot-view', '--clusterrole=view', '--serviceaccount=dev:robot', '-n', 'dev']);
  });
  after(async () => {
    await server?.stop();
    await rm(tokenDir, { recursive: true, force: true });
  });

  it('acts as the impersonated user, with system:authenticated added', async () => {
    const whoami = JSON.parse(await admin(['auth', 'whoami', '--as', 'jane', '-o', 'json']));
    assert.equal(whoami.status.userInfo.username, 'jane');
    assert.deepEqual(whoami.status.userInfo.groups, ['system:authenticated']);
    const list = await server.kubectl(['get', 'pods', '-n', 'dev', '--as', 'jane']);
    assert.equal(list.code, 0, list.stderr);
    const create = await server.kubectl(['create', 'configmap', 'c', '-n', 'dev', '--as', 'jane']);
    assert.match(create.stderr, /configmaps is forbidden: User "jane" cannot create resource "configmaps" in API group "" in the namespace "dev"/);
  });

  it('takes the groups asked for, which decide what the user may do', async () => {
    const r = await server.kubectl(['create', 'configmap', 'c', '-n', 'dev', '--as', 'jane', '--as-group', 'devs']);
    assert.equal(r.code, 0, r.stderr);
    const whoami = JSON.parse(await admin(['auth', 'whoami', '--as', 'jane', '--as-group', 'devs', '--as-group', 'qa', '--as-uid', 'u-1', '-o', 'json']));
    assert.deepEqual(whoami.status.userInfo, { username: 'jane', uid: 'u-1', groups: ['devs', 'qa', 'system:authenticated'] });
  });

  it('gives an impersonated ServiceAccount its groups and authorizes it as itself', async () => {
    const whoami = JSON.parse(await admin(['auth', 'whoami', '--as', 'system:serviceaccount:dev:robot', '-o', 'json']));
    assert.deepEqual(whoami.status.userInfo.groups, ['system:serviceaccounts', 'system:serviceaccounts:dev', 'system:authenticated']);
    assert.equal((await admin(['auth', 'can-i', 'list', 'pods', '-n', 'dev', '--as', 'system:serviceaccount:dev:robot'])).trim(), 'yes');
  });

  it('refuses a requester without the impersonate verb, with kube\'s message', async () => {
    const r = await bob(['get', 'pods', '-n', 'dev', '--as', 'jane']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), 'Error from server (Forbidden): users "jane" is forbidden: User "bob" cannot impersonate resource "users" in API group "" at the cluster scope');
    const sa = await bob(['get', 'pods', '-n', 'dev', '--as', 'system:serviceaccount:dev:robot']);
    assert.equal(sa.stderr.trim(), 'Error from server (Forbidden): serviceaccounts "robot" is forbidden: User "bob" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "dev"');
  });

  it('checks each part: users, groups, uids and extras by key', async () => {
    await admin(['create', 'clusterrole', 'impersonate-jane', '--verb=impersonate', '--resource=users', '--resource-name=jane']);
    await admin(['create', 'clusterrolebinding', 'bob-impersonates-jane', '--clusterrole=impersonate-jane', '--user=bob']);
    const ok = await bob(['get', 'pods', '-n', 'dev', '--as', 'jane']);
    assert.equal(ok.code, 0, ok.stderr);
    const group = await bob(['get', 'pods', '-n', 'dev', '--as', 'jane', '--as-group', 'devs']);
    assert.equal(group.stderr.trim(), 'Error from server (Forbidden): groups "devs" is forbidden: User "bob" cannot impersonate resource "groups" in API group "" at the cluster scope');
    const extra = await asBob('/api/v1/namespaces/dev/pods', { 'impersonate-user': 'jane', 'impersonate-extra-scopes': 'read' });
    assert.equal(extra.status, 403);
    assert.equal(extra.body.message, 'userextras.authentication.k8s.io "read" is forbidden: User "bob" cannot impersonate resource "userextras/scopes" in API group "authentication.k8s.io" at the cluster scope');
    await admin(['create', 'clusterrole', 'impersonate-scopes', '--verb=impersonate', '--resource=userextras.authentication.k8s.io/scopes']);
    await admin(['create', 'clusterrolebinding', 'bob-scopes', '--clusterrole=impersonate-scopes', '--user=bob']);
    const allowed = await asBob('/api/v1/namespaces/dev/pods', { 'impersonate-user': 'jane', 'impersonate-extra-scopes': ['read', 'write'] });
    assert.equal(allowed.status, 200);
    const uid = await asBob('/api/v1/namespaces/dev/pods', { 'impersonate-user': 'jane', 'impersonate-uid': 'u-9' });
    assert.equal(uid.body.message, 'uids.authentication.k8s.io "u-9" is forbidden: User "bob" cannot impersonate resource "uids" in API group "authentication.k8s.io" at the cluster scope');
  });

  it('refuses groups without a user as kube does', async () => {
    const r = await asBob('/api/v1/namespaces/dev/pods', { 'impersonate-group': 'devs' });
    assert.equal(r.status, 500);
    assert.equal(r.body.reason, 'InternalError');
    assert.match(r.body.message, /^Internal error occurred: requested \[\{Group  devs {4}\}\] without impersonating a user$/);
  });
});
