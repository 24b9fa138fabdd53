// RBAC end to end through kubectl, as kube-apiserver v1.32 with --authorization-mode=RBAC
// answers: a token-file user bound to `view` in one namespace, kube's exact 403 messages,
// `kubectl auth can-i` (SelfSubjectAccessReview, SelfSubjectRulesReview), the default
// roles and bindings, aggregated ClusterRoles kept in step, the escalation checks on roles and
// bindings, and the access reviews answered without storing anything.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { httpsRequest, writeUserKubeconfig } from './support/auth.ts';
import { runKubectl, startTestServer, type TestServer } from './support/server.ts';
import { until } from './support/wait.ts';

describe('RBAC', () => {
  let server: TestServer;
  let janeConfig: string;
  let tokenDir: string;

  const admin = async (args: string[], input?: string) => {
    const r = await server.kubectl(args, { input });
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const jane = (args: string[], input?: string) => runKubectl(janeConfig, args, { input });

  before(async () => {
    tokenDir = await mkdtemp(join(tmpdir(), 'rbac-tokens-'));
    const tokenAuthFile = join(tokenDir, 'tokens.csv');
    await writeFile(tokenAuthFile, 'jane-token,jane,1001,"devs"\n');
    // admin, edit and view get their rules from the ClusterRole aggregation controller, as on kube.
    server = await startTestServer({ secureServing: { tokenAuthFile }, controllers: { controllers: ['clusterrole-aggregation-controller'] } });
    janeConfig = await writeUserKubeconfig(join(server.dataDir, 'jane.kubeconfig'), server.secureUrl, server.caCert, { token: 'jane-token' });
    await admin(['create', 'namespace', 'dev']);
    await admin(['create', 'rolebinding', 'jane-view', '--clusterrole=view', '--user=jane', '-n', 'dev']);
  });
  after(async () => {
    await server?.stop();
    await rm(tokenDir, { recursive: true, force: true });
  });

  it('answers anonymous requests for public info and refuses the rest; bad credentials get 401', async () => {
    const version = await httpsRequest(`${server.secureUrl}/version`, { ca: server.caCert });
    assert.equal(version.status, 200);
    const pods = await httpsRequest(`${server.secureUrl}/api/v1/pods`, { ca: server.caCert });
    assert.equal(pods.status, 403);
    assert.equal(pods.json().message, 'pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" at the cluster scope');
    const badToken = await httpsRequest(`${server.secureUrl}/api/v1/pods`, { ca: server.caCert, token: 'nobody' });
    assert.equal(badToken.status, 401);
    // system:discovery is for authenticated users only.
    assert.equal((await httpsRequest(`${server.secureUrl}/apis`, { ca: server.caCert })).status, 403);
    assert.equal((await httpsRequest(`${server.secureUrl}/apis`, { ca: server.caCert, token: 'jane-token' })).status, 200);
  });

  it('lets a user bound to view read in that namespace only, with kube\'s 403 messages', async () => {
    const get = await jane(['get', 'pods', '-n', 'dev']);
    assert.equal(get.code, 0, get.stderr);
    const run = await jane(['run', 'x', '-n', 'dev', '--image=nginx']);
    assert.equal(run.code, 1);
    assert.equal(run.stderr.trim(), 'Error from server (Forbidden): pods is forbidden: User "jane" cannot create resource "pods" in API group "" in the namespace "dev"');
    const other = await jane(['get', 'pods', '-n', 'default']);
    assert.equal(other.code, 1);
    assert.equal(other.stderr.trim(), 'Error from server (Forbidden): pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "default"');
    const secret = await jane(['get', 'secrets', '-n', 'dev']);
    assert.match(secret.stderr, /cannot list resource "secrets" in API group "" in the namespace "dev"/);
  });

  it('answers kubectl auth can-i for the user and for --as', async () => {
    const mine = await jane(['auth', 'can-i', 'list', 'deployments.apps', '-n', 'dev']);
    assert.equal(mine.stdout.trim(), 'yes');
    const no = await server.kubectl(['auth', 'can-i', 'create', 'deployments', '-n', 'dev', '--as', 'jane']);
    assert.equal(no.code, 1);
    assert.equal(no.stdout.trim(), 'no');
    const yes = await server.kubectl(['auth', 'can-i', 'get', 'pods/log', '-n', 'dev', '--as', 'jane']);
    assert.equal(yes.stdout.trim(), 'yes');
    const list = await server.kubectl(['auth', 'can-i', '--list', '-n', 'dev', '--as', 'jane']);
    assert.equal(list.code, 0, list.stderr);
    const lines = list.stdout.split('\n').map((l) => l.trim().split(/\s{2,}/));
    const row = (resource: string) => lines.find((l) => l[0] === resource);
    assert.deepEqual(row('pods'), ['pods', '[]', '[]', '[get list watch]']);
    assert.deepEqual(row('deployments.apps'), ['deployments.apps', '[]', '[]', '[get list watch]']);
    assert.deepEqual(row('selfsubjectaccessreviews.authorization.k8s.io'), ['selfsubjectaccessreviews.authorization.k8s.io', '[]', '[]', '[create]']);
    assert.ok(lines.some((l) => l[0] === '[/api/*]' && l[2] === '[get]'), list.stdout);
    assert.ok(!list.stdout.includes('secrets'), 'view grants no secrets');
    // In a namespace without a binding only the cluster-wide rules remain.
    const elsewhere = await server.kubectl(['auth', 'can-i', '--list', '-n', 'default', '--as', 'jane']);
    assert.ok(!/^pods\s/m.test(elsewhere.stdout), elsewhere.stdout);
  });

  it('reconciles the default roles and bindings as kube-apiserver and kubeadm leave them', async () => {
    const clusterAdmin = JSON.parse(await admin(['get', 'clusterrole', 'cluster-admin', '-o', 'json']));
    assert.equal(clusterAdmin.metadata.annotations['rbac.authorization.kubernetes.io/autoupdate'], 'true');
    assert.equal(clusterAdmin.metadata.labels['kubernetes.io/bootstrapping'], 'rbac-defaults');
    assert.deepEqual(clusterAdmin.rules, [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }]);
    const masters = JSON.parse(await admin(['get', 'clusterrolebinding', 'cluster-admin', '-o', 'json']));
    assert.deepEqual(masters.subjects, [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:masters' }]);
    const kubeadm = await admin(['get', 'clusterrolebinding', 'kubeadm:cluster-admins', '-o', 'wide', '--no-headers']);
    assert.match(kubeadm, /^kubeadm:cluster-admins\s+ClusterRole\/cluster-admin\s+\S+\s+kubeadm:cluster-admins\s/);
    const publicInfo = JSON.parse(await admin(['get', 'clusterrolebinding', 'system:public-info-viewer', '-o', 'json']));
    assert.deepEqual(publicInfo.subjects.map((s: { name: string }) => s.name), ['system:authenticated', 'system:unauthenticated']);
    const view = JSON.parse(await admin(['get', 'clusterrole', 'view', '-o', 'json']));
    assert.deepEqual(view.aggregationRule, { clusterRoleSelectors: [{ matchLabels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } }] });
    assert.equal(view.metadata.labels['rbac.authorization.k8s.io/aggregate-to-edit'], 'true');
    const admin_ = JSON.parse(await admin(['get', 'clusterrole', 'admin', '-o', 'json']));
    // admin gathers edit, which gathers view: view's rules reach admin.
    assert.ok(admin_.rules.some((r: { resources?: string[] }) => r.resources?.includes('pods/log')));
    assert.ok(admin_.rules.some((r: { resources?: string[] }) => r.resources?.includes('rolebindings')));
    const roles = await admin(['get', 'roles', '-n', 'kube-system', '--no-headers', '-o', 'custom-columns=N:.metadata.name']);
    assert.match(roles, /^system::leader-locking-kube-scheduler$/m);
  });

  it('keeps aggregated ClusterRoles in step with the roles their selectors pick', async () => {
    await admin(['create', '-f', '-'], JSON.stringify({
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole',
      metadata: { name: 'lease-view', labels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } },
      rules: [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'list'] }],
    }));
    const hasLeaseRule = async (role: string) => {
      const r = JSON.parse(await admin(['get', 'clusterrole', role, '-o', 'json']));
      return (r.rules ?? []).some((x: { resources?: string[]; verbs: string[] }) => x.resources?.join() === 'leases' && x.verbs.join() === 'get,list');
    };
    await until('view to gather the lease rule', () => hasLeaseRule('view'));
    await until('admin to gather it through edit', () => hasLeaseRule('admin'));
    const canI = await jane(['auth', 'can-i', 'list', 'leases', '-n', 'dev']);
    assert.equal(canI.stdout.trim(), 'yes', canI.stderr);
    await admin(['label', 'clusterrole', 'lease-view', 'rbac.authorization.k8s.io/aggregate-to-view-']);
    await until('view to drop the lease rule', async () => !(await hasLeaseRule('view')));
    assert.equal((await jane(['auth', 'can-i', 'list', 'leases', '-n', 'dev'])).stdout.trim(), 'no');
  });

  it('appends the errors met resolving bindings to the 403, as RBAC gives them', async () => {
    await admin(['create', 'rolebinding', 'jane-ghost', '--clusterrole=ghost', '--user=jane', '-n', 'dev']);
    const r = await jane(['create', 'configmap', 'c', '-n', 'dev']);
    assert.equal(r.stderr.trim(), 'error: failed to create configmap: configmaps is forbidden: User "jane" cannot create resource "configmaps" in API group "" in the namespace "dev": '
      + 'RBAC: clusterrole.rbac.authorization.k8s.io "ghost" not found');
    await admin(['delete', 'rolebinding', 'jane-ghost', '-n', 'dev']);
  });

  it('refuses to let a user grant permissions they do not hold', async () => {
    await admin(['create', 'clusterrole', 'role-writer', '--verb=create,get', '--resource=clusterroles,clusterrolebindings']);
    await admin(['create', 'clusterrolebinding', 'jane-role-writer', '--clusterrole=role-writer', '--user=jane']);
    await admin(['create', 'rolebinding', 'jane-admin', '--clusterrole=admin', '--user=jane', '-n', 'dev']);
    const deleter = JSON.stringify({
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'secret-deleter' },
      rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['delete'] }],
    });
    const refused = await jane(['create', '-f', '-'], deleter);
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr.trim(), 'Error from server (Forbidden): error when creating "STDIN": clusterroles.rbac.authorization.k8s.io "secret-deleter" is forbidden: '
      + 'user "jane" (groups=["devs" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n'
      + '{APIGroups:[""], Resources:["secrets"], Verbs:["delete"]}');
    // What jane holds cluster-wide she may grant.
    const held = await jane(['create', 'clusterrole', 'sub-writer', '--verb=get', '--resource=clusterroles']);
    assert.equal(held.code, 0, held.stderr);
    // An admin may grant anything.
    await admin(['create', '-f', '-'], deleter);
    // A Role in dev: jane's admin rights there cover pods, not nodes; missing verbs come compacted.
    const podReader = await jane(['create', 'role', 'pod-reader', '--verb=get,list', '--resource=pods', '-n', 'dev']);
    assert.equal(podReader.code, 0, podReader.stderr);
    const nodes = await jane(['create', 'role', 'node-reader', '--verb=get,list', '--resource=nodes', '-n', 'dev']);
    assert.equal(nodes.code, 1);
    assert.match(nodes.stderr, /roles\.rbac\.authorization\.k8s\.io "node-reader" is forbidden: user "jane" \(groups=\["devs" "system:authenticated"\]\) is attempting to grant RBAC permissions not currently held:\n\{APIGroups:\[""\], Resources:\["nodes"\], Verbs:\["get" "list"\]\}$/m);
    // Bindings: to view in dev (held through admin) yes, to cluster-admin no.
    const bindView = await jane(['create', 'rolebinding', 'bob-view', '--clusterrole=view', '--user=bob', '-n', 'dev']);
    assert.equal(bindView.code, 0, bindView.stderr);
    const bindAdmin = await jane(['create', 'rolebinding', 'bob-root', '--clusterrole=cluster-admin', '--user=bob', '-n', 'dev']);
    assert.equal(bindAdmin.code, 1);
    assert.match(bindAdmin.stderr, /rolebindings\.rbac\.authorization\.k8s\.io "bob-root" is forbidden: user "jane" .* is attempting to grant RBAC permissions not currently held:\n/);
    assert.match(bindAdmin.stderr, /^\{APIGroups:\["\*"\], Resources:\["\*"\], Verbs:\["\*"\]\}$/m);
    // The `bind` verb on a role lets one bind it without holding it.
    await admin(['create', 'clusterrole', 'bind-deleter', '--verb=bind', '--resource=clusterroles', '--resource-name=secret-deleter']);
    await admin(['create', 'rolebinding', 'jane-bind-deleter', '--clusterrole=bind-deleter', '--user=jane', '-n', 'dev']);
    const bound = await jane(['create', 'rolebinding', 'bob-deleter', '--clusterrole=secret-deleter', '--user=bob', '-n', 'dev']);
    assert.equal(bound.code, 0, bound.stderr);
  });

  it('answers access reviews without storing them', async () => {
    const pki = join(server.dataDir, 'pki');
    const cert = await readFile(join(pki, 'admin.crt'), 'utf8');
    const key = await readFile(join(pki, 'admin.key'), 'utf8');
    const post = (path: string, body: unknown) => httpsRequest(`${server.secureUrl}/apis/authorization.k8s.io/v1/${path}`, { ca: server.caCert, cert, key, body });
    const sar = await post('subjectaccessreviews', {
      apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview',
      spec: { user: 'jane', groups: ['devs'], resourceAttributes: { namespace: 'dev', verb: 'get', resource: 'pods' } },
    });
    assert.equal(sar.status, 201);
    assert.deepEqual(sar.json().status, { allowed: true, reason: 'RBAC: allowed by RoleBinding "jane-view/dev" of ClusterRole "view" to User "jane"' });
    assert.deepEqual(sar.json().metadata, { creationTimestamp: null });
    const denied = await post('namespaces/dev/localsubjectaccessreviews', {
      apiVersion: 'authorization.k8s.io/v1', kind: 'LocalSubjectAccessReview',
      spec: { user: 'jane', resourceAttributes: { namespace: 'dev', verb: 'delete', resource: 'nodes' } },
    });
    assert.deepEqual(denied.json().status, { allowed: false });
    assert.equal(denied.json().metadata.namespace, 'dev');
    const invalid = await post('subjectaccessreviews', {
      apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { resourceAttributes: { verb: 'get', resource: 'pods' } },
    });
    assert.equal(invalid.status, 422);
    assert.equal(invalid.json().message, 'SubjectAccessReview.authorization.k8s.io "" is invalid: spec.user: Invalid value: "": at least one of user or group must be specified');
    const rules = await httpsRequest(`${server.secureUrl}/apis/authorization.k8s.io/v1/selfsubjectrulesreviews`, {
      ca: server.caCert, token: 'jane-token', body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace: 'dev' } },
    });
    assert.equal(rules.status, 201);
    assert.equal(rules.json().status.incomplete, false);
    assert.ok(rules.json().status.resourceRules.some((r: { resources: string[]; verbs: string[] }) => r.resources.includes('pods/log') && r.verbs.includes('watch')));
    const get = await server.kubectl(['get', 'selfsubjectaccessreviews']);
    assert.equal(get.code, 1);
    assert.match(get.stderr, /the server does not allow this method on the requested resource/);
    const resources = await admin(['api-resources', '--api-group=authorization.k8s.io', '-o', 'wide', '--no-headers']);
    assert.match(resources, /^localsubjectaccessreviews\s+authorization.k8s.io\/v1\s+true\s+LocalSubjectAccessReview\s+create/m);
  });
});
