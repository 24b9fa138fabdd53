// Admission webhooks end to end through kubectl: a validating webhook's denial, a mutating
// webhook's JSON patch, failurePolicy Ignore and Fail with the webhook down, dry run and
// sideEffects, warnings, and selectors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from './support/server.ts';
import { deadWebhookUrl, startWebhookServer, jsonPatch, type WebhookServer } from './support/webhook-server.ts';

let server: TestServer;
let hook: WebhookServer;

before(async () => {
  server = await startTestServer();
  hook = await startWebhookServer((req, path) => {
    if (path.startsWith('/validate')) {
      if (req.object?.metadata?.labels?.forbidden === 'yes') {
        return { allowed: false, status: { code: 403, message: 'pods labelled forbidden=yes are not welcome' } };
      }
      return { allowed: true, warnings: ['checked by the test webhook'] };
    }
    if (path.startsWith('/drop-finalizer')) return dropFinalizer(req);
    if (path.startsWith('/mutate')) {
      const labels = req.object?.metadata?.labels;
      return { allowed: true, ...jsonPatch(labels ? [{ op: 'add', path: '/metadata/labels/mutated', value: 'true' }]
        : [{ op: 'add', path: '/metadata/labels', value: { mutated: 'true' } }]) };
    }
    return { allowed: true };
  });
});

after(async () => {
  await hook?.stop();
  await server?.stop();
});

/** While a DELETE is in admission, another client removes the pod's finalizer (as a Job controller drops its tracking finalizer while a kubelet deletes the pod). */
async function dropFinalizer(req: { operation: string; name?: string; namespace?: string }): Promise<Record<string, unknown>> {
  if (req.operation === 'DELETE') {
    const res = await server.request(`/api/v1/namespaces/${req.namespace}/pods/${req.name}`, {
      method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' }, body: JSON.stringify({ metadata: { finalizers: null } }),
    });
    assert.equal(res.status, 200, await res.text());
  }
  return { allowed: true };
}

function pod(name: string, ns: string, labels: Record<string, string> = {}): string {
  return JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, labels },
    spec: { containers: [{ name: 'c', image: 'nginx' }] },
  });
}

async function kubectlOk(args: string[], input?: string) {
  const res = await server.kubectl(args, { input });
  assert.equal(res.code, 0, `kubectl ${args.join(' ')}: ${res.stderr}`);
  return res;
}

function webhookConfig(kind: 'Validating' | 'Mutating', name: string, hookName: string, clientConfig: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return JSON.stringify({
    apiVersion: 'admissionregistration.k8s.io/v1', kind: `${kind}WebhookConfiguration`, metadata: { name },
    webhooks: [{
      name: hookName, clientConfig, sideEffects: 'None', admissionReviewVersions: ['v1'],
      rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
      namespaceSelector: { matchLabels: { webhooks: 'on' } },
      ...extra,
    }],
  });
}

test('a validating webhook denies a pod and kubectl prints its message; it sees the request', async () => {
  await kubectlOk(['create', 'namespace', 'vw']);
  await kubectlOk(['label', 'namespace', 'vw', 'webhooks=on']);
  await kubectlOk(['apply', '-f', '-'], webhookConfig('Validating', 'deny-forbidden', 'deny.example.com',
    { url: `${hook.url}/validate`, caBundle: hook.caBundle }));
  const denied = await server.kubectl(['apply', '-f', '-'], { input: pod('bad', 'vw', { forbidden: 'yes' }) });
  assert.notEqual(denied.code, 0);
  assert.match(denied.stderr, /Error from server: error when creating "STDIN": admission webhook "deny.example.com" denied the request: pods labelled forbidden=yes are not welcome/);
  const seen = hook.requests.find((r) => r.object?.metadata?.name === 'bad');
  assert.ok(seen, 'the webhook was called');
  assert.equal(seen.operation, 'CREATE');
  assert.equal(seen.namespace, 'vw');
  assert.equal(seen.userInfo.username, 'kubernetes-admin');
  const ok = await server.kubectl(['run', 'good', '-n', 'vw', '--image=nginx']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stderr, /Warning: checked by the test webhook/);
  // Outside the selected namespaces the webhook is not called.
  const before = hook.requests.length;
  await kubectlOk(['apply', '-f', '-'], pod('elsewhere', 'default', { forbidden: 'yes' }));
  assert.equal(hook.requests.length, before);
  await kubectlOk(['delete', 'validatingwebhookconfiguration', 'deny-forbidden']);
});

test('a mutating webhook adds a label through a JSON patch', async () => {
  await kubectlOk(['create', 'namespace', 'mw']);
  await kubectlOk(['label', 'namespace', 'mw', 'webhooks=on']);
  await kubectlOk(['apply', '-f', '-'], webhookConfig('Mutating', 'add-label', 'label.example.com',
    { url: `${hook.url}/mutate`, caBundle: hook.caBundle }));
  await kubectlOk(['apply', '-f', '-'], pod('p', 'mw', { app: 'x' }));
  const got = JSON.parse((await kubectlOk(['get', 'pod', 'p', '-n', 'mw', '-o', 'json'])).stdout);
  assert.deepEqual(got.metadata.labels, { app: 'x', mutated: 'true' });
  const listed = await kubectlOk(['get', 'mutatingwebhookconfigurations']);
  assert.match(listed.stdout, /^NAME\s+WEBHOOKS\s+AGE\nadd-label\s+1\s+/);
  await kubectlOk(['delete', 'mutatingwebhookconfiguration', 'add-label']);
});

test('failurePolicy Ignore lets a request through when the webhook is down; Fail refuses it with kube\'s message', async () => {
  await kubectlOk(['create', 'namespace', 'down']);
  await kubectlOk(['label', 'namespace', 'down', 'webhooks=on']);
  const deadUrl = await deadWebhookUrl('/validate');
  await kubectlOk(['apply', '-f', '-'], webhookConfig('Validating', 'down-ignore', 'ignore.example.com',
    { url: deadUrl, caBundle: hook.caBundle }, { failurePolicy: 'Ignore' }));
  await kubectlOk(['apply', '-f', '-'], pod('through', 'down'));
  await kubectlOk(['apply', '-f', '-'], webhookConfig('Validating', 'down-fail', 'fail.example.com',
    { url: deadUrl, caBundle: hook.caBundle }, { failurePolicy: 'Fail' }));
  const refused = await server.kubectl(['apply', '-f', '-'], { input: pod('refused', 'down') });
  assert.notEqual(refused.code, 0);
  const port = new URL(deadUrl).port;
  assert.match(refused.stderr, new RegExp(`Error from server \\(InternalError\\): error when creating "STDIN": Internal error occurred: failed calling webhook "fail.example.com": failed to call webhook: Post "https://127.0.0.1:${port}/validate\\?timeout=10s": dial tcp 127.0.0.1:${port}: connect: connection refused`));
  const missing = await server.kubectl(['get', 'pod', 'refused', '-n', 'down']);
  assert.notEqual(missing.code, 0);
  await kubectlOk(['delete', 'validatingwebhookconfiguration', 'down-ignore', 'down-fail']);
});

test('dry run calls only webhooks without side effects', async () => {
  await kubectlOk(['create', 'namespace', 'dry']);
  await kubectlOk(['label', 'namespace', 'dry', 'webhooks=on']);
  // sideEffects Some cannot be stored in v1: a config with None is called on dry run and sees dryRun true.
  await kubectlOk(['apply', '-f', '-'], webhookConfig('Validating', 'dry-none', 'dry.example.com',
    { url: `${hook.url}/validate`, caBundle: hook.caBundle }));
  await kubectlOk(['apply', '--dry-run=server', '-f', '-'], pod('dry-pod', 'dry'));
  const seen = hook.requests.filter((r) => r.object?.metadata?.name === 'dry-pod');
  assert.equal(seen.length, 1);
  assert.equal(seen[0].dryRun, true);
  const invalid = await server.kubectl(['apply', '-f', '-'], { input: webhookConfig('Validating', 'bad-side-effects', 'bad.example.com',
    { url: `${hook.url}/validate` }, { sideEffects: 'Some' }) });
  assert.notEqual(invalid.code, 0);
  assert.match(invalid.stderr, /webhooks\[0\]\.sideEffects: Unsupported value: "Some": supported values: "None", "NoneOnDryRun"/);
  await kubectlOk(['delete', 'validatingwebhookconfiguration', 'dry-none']);
});

test('a DELETE does not bring back a finalizer removed while it was admitted; with none left a grace-0 delete removes the pod', async () => {
  await kubectlOk(['create', 'namespace', 'dr']);
  await kubectlOk(['label', 'namespace', 'dr', 'webhooks=on']);
  const created = await server.request('/api/v1/namespaces/dr/pods', {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'held', finalizers: ['example.com/hold'] }, spec: { containers: [{ name: 'c', image: 'nginx' }] } }),
  });
  assert.equal(created.status, 201, await created.text());
  await kubectlOk(['apply', '-f', '-'], webhookConfig('Validating', 'drop-finalizer', 'drop.example.com',
    { url: `${hook.url}/drop-finalizer`, caBundle: hook.caBundle }, { rules: [{ operations: ['DELETE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }] }));
  try {
    // The delete read the pod with its finalizer, then the webhook's patch removed it: kube
    // works the finalizers out again from the version it replaces, so none is put back.
    const deleted = await server.request('/api/v1/namespaces/dr/pods/held', {
      method: 'DELETE', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ gracePeriodSeconds: 0 }),
    });
    assert.equal(deleted.status, 200, await deleted.text());
    assert.ok(hook.requests.some((r) => r.operation === 'DELETE' && r.name === 'held'), 'the webhook saw the delete');
    const after = await server.request('/api/v1/namespaces/dr/pods/held');
    assert.equal(after.status, 404, `the pod is gone, not held again: ${await after.text()}`);
  } finally {
    await kubectlOk(['delete', 'validatingwebhookconfiguration', 'drop-finalizer']);
  }
});
