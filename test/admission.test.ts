// The built-in admission plugins through kubectl: ResourceQuota (with the resourcequota
// controller), LimitRanger, PodSecurity, ServiceAccount, Priority, DefaultStorageClass, and a
// ValidatingAdmissionPolicy.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from './support/server.ts';
import { until } from './support/wait.ts';

let server: TestServer;

before(async () => {
  // Only the controllers these tests lean on: quota status, each namespace's default ServiceAccount and root CA ConfigMap, the default StorageClass.
  server = await startTestServer({ controllers: { controllers: ['resourcequota-controller', 'serviceaccount-controller', 'root-ca-certificate-publisher-controller', 'kubelite-hostpath-provisioner'] } });
});

after(async () => {
  await server?.stop();
});

async function kubectlOk(args: string[], input?: string) {
  const res = await server.kubectl(args, { input });
  assert.equal(res.code, 0, `kubectl ${args.join(' ')}: ${res.stderr}`);
  return res;
}

function pod(name: string, ns: string, extra: Record<string, unknown> = {}, container: Record<string, unknown> = {}): string {
  return JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns },
    spec: { containers: [{ name: 'c', image: 'nginx', ...container }], ...extra },
  });
}

test('a ResourceQuota on pods refuses the 4th pod with kube\'s message; describe shows Used 3 / Hard 3', async () => {
  await kubectlOk(['create', 'namespace', 'quota']);
  await kubectlOk(['create', 'quota', 'q', '-n', 'quota', '--hard=pods=3']);
  // The controller fills status.hard and status.used before the quota is enforced.
  await until('quota status', async () => {
    const q = JSON.parse((await kubectlOk(['get', 'quota', 'q', '-n', 'quota', '-o', 'json'])).stdout);
    return q.status?.used?.pods === '0';
  }, 20_000);
  for (const name of ['p1', 'p2', 'p3']) await kubectlOk(['apply', '-f', '-'], pod(name, 'quota'));
  const refused = await server.kubectl(['apply', '-f', '-'], { input: pod('p4', 'quota') });
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /Error from server \(Forbidden\): error when creating "STDIN": pods "p4" is forbidden: exceeded quota: q, requested: pods=1, used: pods=3, limited: pods=3/);
  const described = await kubectlOk(['describe', 'quota', 'q', '-n', 'quota']);
  assert.match(described.stdout, /Resource\s+Used\s+Hard\n\s*--------\s+----\s+----\n\s*pods\s+3\s+3/);
  // Deleting a pod gives the usage back (the controller's replenishment).
  await kubectlOk(['delete', 'pod', 'p1', '-n', 'quota', '--grace-period=0', '--force']);
  await until('quota status', async () => JSON.parse((await kubectlOk(['get', 'quota', 'q', '-n', 'quota', '-o', 'json'])).stdout).status?.used?.pods === '2', 20_000);
  await kubectlOk(['apply', '-f', '-'], pod('p4', 'quota'));
});

test('deleting a ConfigMap gives its count back at once (replenishment from a metadata-only watch)', async () => {
  const used = async () => JSON.parse((await kubectlOk(['get', 'quota', 'cm', '-n', 'cmquota', '-o', 'json'])).stdout).status?.used?.['count/configmaps'];
  await kubectlOk(['create', 'namespace', 'cmquota']);
  // The root CA publisher's ConfigMap counts too, as in kube.
  await until('root CA ConfigMap', async () => (await server.kubectl(['get', 'configmap', 'kube-root-ca.crt', '-n', 'cmquota'])).code === 0, 20_000);
  await kubectlOk(['create', 'quota', 'cm', '-n', 'cmquota', '--hard=count/configmaps=2']);
  await until('quota status', async () => (await used()) === '1', 20_000);
  await kubectlOk(['create', 'configmap', 'a', '-n', 'cmquota']);
  const refused = await server.kubectl(['create', 'configmap', 'b', '-n', 'cmquota']);
  assert.match(refused.stderr, /configmaps "b" is forbidden: exceeded quota: cm, requested: count\/configmaps=1, used: count\/configmaps=2, limited: count\/configmaps=2/);
  // The controller's periodic recalculation is 5 minutes away: only the deletion's event can free it.
  await kubectlOk(['delete', 'configmap', 'a', '-n', 'cmquota']);
  await until('usage given back', async () => (await used()) === '1', 20_000);
  await kubectlOk(['create', 'configmap', 'b', '-n', 'cmquota']);
});

test('a quota on requests.cpu needs containers to name it, and sums the requests', async () => {
  await kubectlOk(['create', 'namespace', 'cpuquota']);
  await kubectlOk(['create', 'quota', 'cpu', '-n', 'cpuquota', '--hard=requests.cpu=1,requests.memory=1Gi']);
  await until('quota status', async () => JSON.parse((await kubectlOk(['get', 'quota', 'cpu', '-n', 'cpuquota', '-o', 'json'])).stdout).status?.used !== undefined, 20_000);
  const missing = await server.kubectl(['apply', '-f', '-'], { input: pod('bare', 'cpuquota') });
  assert.match(missing.stderr, /pods "bare" is forbidden: failed quota: cpu: must specify requests.cpu for: c; must specify requests.memory for: c/);
  await kubectlOk(['apply', '-f', '-'], pod('half', 'cpuquota', {}, { resources: { requests: { cpu: '600m', memory: '256Mi' } } }));
  const over = await server.kubectl(['apply', '-f', '-'], { input: pod('more', 'cpuquota', {}, { resources: { requests: { cpu: '500m', memory: '256Mi' } } }) });
  assert.match(over.stderr, /pods "more" is forbidden: exceeded quota: cpu, requested: requests.cpu=500m, used: requests.cpu=600m, limited: requests.cpu=1/);
  const q = JSON.parse((await kubectlOk(['get', 'quota', 'cpu', '-n', 'cpuquota', '-o', 'json'])).stdout);
  assert.deepEqual(q.status.used, { 'requests.cpu': '600m', 'requests.memory': '256Mi' });
});

test('a LimitRange defaults container requests and limits, and enforces max', async () => {
  await kubectlOk(['create', 'namespace', 'limits']);
  await kubectlOk(['apply', '-f', '-'], JSON.stringify({
    apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'lr', namespace: 'limits' },
    spec: { limits: [{ type: 'Container', default: { cpu: '500m', memory: '256Mi' }, defaultRequest: { cpu: '100m', memory: '128Mi' }, max: { cpu: '1' } }] },
  }));
  await kubectlOk(['apply', '-f', '-'], pod('defaulted', 'limits'));
  const got = JSON.parse((await kubectlOk(['get', 'pod', 'defaulted', '-n', 'limits', '-o', 'json'])).stdout);
  assert.deepEqual(got.spec.containers[0].resources, { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } });
  assert.equal(got.metadata.annotations['kubernetes.io/limit-ranger'], 'LimitRanger plugin set: cpu, memory request for container c; cpu, memory limit for container c');
  assert.equal(got.status.qosClass, 'Burstable');
  const yaml = (await kubectlOk(['get', 'pod', 'defaulted', '-n', 'limits', '-o', 'yaml'])).stdout;
  assert.match(yaml, /requests:\n\s+cpu: 100m\n\s+memory: 128Mi/);
  const big = await server.kubectl(['apply', '-f', '-'], { input: pod('big', 'limits', {}, { resources: { limits: { cpu: '2' } } }) });
  assert.match(big.stderr, /pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2/);
});

test('PodSecurity: enforce=restricted refuses a privileged pod; warn=baseline warns', async () => {
  await kubectlOk(['create', 'namespace', 'restricted']);
  await kubectlOk(['label', 'namespace', 'restricted', 'pod-security.kubernetes.io/enforce=restricted']);
  const refused = await server.kubectl(['apply', '-f', '-'], { input: pod('priv', 'restricted', {}, { securityContext: { privileged: true } }) });
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, new RegExp('Error from server \\(Forbidden\\): error when creating "STDIN": pods "priv" is forbidden: violates PodSecurity "restricted:latest": ' +
    'privileged \\(container "c" must not set securityContext.privileged=true\\), ' +
    'allowPrivilegeEscalation != false \\(container "c" must set securityContext.allowPrivilegeEscalation=false\\), ' +
    'unrestricted capabilities \\(container "c" must set securityContext.capabilities.drop=\\["ALL"\\]\\), ' +
    'runAsNonRoot != true \\(pod or container "c" must set securityContext.runAsNonRoot=true\\), ' +
    'seccompProfile \\(pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"\\)'));
  await kubectlOk(['apply', '-f', '-'], pod('fine', 'restricted', { securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } },
    { securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }));

  await kubectlOk(['create', 'namespace', 'warned']);
  await kubectlOk(['label', 'namespace', 'warned', 'pod-security.kubernetes.io/warn=baseline']);
  const warned = await kubectlOk(['apply', '-f', '-'], pod('hostnet', 'warned', { hostNetwork: true }));
  assert.match(warned.stderr, /Warning: would violate PodSecurity "baseline:latest": host namespaces \(hostNetwork=true\)/);
  const deploy = await kubectlOk(['create', 'deployment', 'web', '-n', 'restricted', '--image=nginx']);
  assert.match(deploy.stderr, /Warning: would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false/);
});

test('a pod naming a missing service account or priority class is forbidden', async () => {
  await kubectlOk(['create', 'namespace', 'refs']);
  const sa = await server.kubectl(['apply', '-f', '-'], { input: pod('x', 'refs', { serviceAccountName: 'foo' }) });
  assert.match(sa.stderr, /Error from server \(Forbidden\): error when creating "STDIN": pods "x" is forbidden: error looking up service account refs\/foo: serviceaccount "foo" not found/);
  const res = await server.request('/api/v1/namespaces/refs/pods', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: pod('x', 'refs', { serviceAccountName: 'foo' }),
  });
  assert.equal(res.status, 403);
  assert.equal((await res.json()).reason, 'Forbidden');
  const pc = await server.kubectl(['apply', '-f', '-'], { input: pod('y', 'refs', { priorityClassName: 'gold' }) });
  assert.match(pc.stderr, /pods "y" is forbidden: no PriorityClass with name gold was found/);
  await kubectlOk(['create', 'priorityclass', 'gold', '--value=1000']);
  await kubectlOk(['apply', '-f', '-'], pod('y', 'refs', { priorityClassName: 'gold' }));
  const got = JSON.parse((await kubectlOk(['get', 'pod', 'y', '-n', 'refs', '-o', 'json'])).stdout);
  assert.equal(got.spec.priority, 1000);
});

test('DefaultStorageClass gives a claim without a class the default one', async () => {
  // The cluster's own default class (made by the hostpath provisioner at start), as on a
  // kind or minikube cluster: the one StorageClass marked default.
  const defaults = await until('the default StorageClass', async () => {
    const list = JSON.parse((await kubectlOk(['get', 'storageclass', '-o', 'json'])).stdout) as { items: { metadata: { name: string; annotations?: Record<string, string> } }[] };
    return list.items.filter((sc) => sc.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true').map((sc) => sc.metadata.name);
  });
  assert.deepEqual(defaults, ['standard']);
  await kubectlOk(['apply', '-f', '-'], JSON.stringify({
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'default' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
  }));
  const got = JSON.parse((await kubectlOk(['get', 'pvc', 'data', '-o', 'json'])).stdout);
  assert.equal(got.spec.storageClassName, 'standard');
});

test('a ValidatingAdmissionPolicy denies with kube\'s message and warns', async () => {
  await kubectlOk(['apply', '-f', '-'], JSON.stringify({
    apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: 'max-replicas' },
    spec: {
      matchConstraints: { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments'] }] },
      validations: [{ expression: 'object.spec.replicas <= 5' }],
    },
  }));
  await kubectlOk(['apply', '-f', '-'], JSON.stringify({
    apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: 'max-replicas-binding' },
    spec: { policyName: 'max-replicas', validationActions: ['Deny'], matchResources: { namespaceSelector: { matchLabels: { vap: 'on' } } } },
  }));
  await kubectlOk(['create', 'namespace', 'vap']);
  await kubectlOk(['label', 'namespace', 'vap', 'vap=on']);
  const denied = await server.kubectl(['create', 'deployment', 'big', '-n', 'vap', '--image=nginx', '--replicas=6']);
  assert.notEqual(denied.code, 0);
  assert.match(denied.stderr, /deployments.apps "big" is forbidden: ValidatingAdmissionPolicy 'max-replicas' with binding 'max-replicas-binding' denied request: failed expression: object.spec.replicas <= 5/);
  await kubectlOk(['create', 'deployment', 'small', '-n', 'vap', '--image=nginx', '--replicas=2']);
});
