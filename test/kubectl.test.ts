// End to end through the real kubectl 1.32: what a user types, what a real cluster prints.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from './support/server.ts';
import { defaultWaitMs } from './support/wait.ts';

let server: TestServer;
const k = (...args: string[]) => server.kubectl(args);

async function ok(...args: string[]): Promise<string> {
  const res = await server.kubectl(args);
  assert.equal(res.code, 0, `kubectl ${args.join(' ')} failed: ${res.stderr}`);
  return res.stdout;
}

function header(table: string): string[] {
  return table.split('\n')[0].trim().split(/\s{2,}/);
}

function rows(table: string): string[][] {
  return table.trim().split('\n').slice(1).map((l) => l.trim().split(/\s{2,}/));
}

before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.stop();
});

describe('kubectl basics', () => {
  it('get ns shows the system namespaces, Active', async () => {
    const out = await ok('get', 'ns');
    assert.deepEqual(header(out), ['NAME', 'STATUS', 'AGE']);
    const names = rows(out).map((r) => r[0]);
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) assert.ok(names.includes(ns), `${ns} missing`);
    assert.ok(rows(out).every((r) => r[1] === 'Active'));
  });

  it('api-resources lists every resource with its short names', async () => {
    const out = await ok('api-resources', '--no-headers');
    const byName = new Map(out.trim().split('\n').map((l) => {
      const cols = l.trim().split(/\s+/);
      return [`${cols[0]}/${cols[cols.length - 1]}`, cols] as const;
    }));
    const expected: Array<[string, string, string?]> = [
      ['pods', 'Pod', 'po'], ['services', 'Service', 'svc'], ['deployments', 'Deployment', 'deploy'], ['replicasets', 'ReplicaSet', 'rs'],
      ['statefulsets', 'StatefulSet', 'sts'], ['daemonsets', 'DaemonSet', 'ds'], ['configmaps', 'ConfigMap', 'cm'], ['namespaces', 'Namespace', 'ns'],
      ['nodes', 'Node', 'no'], ['serviceaccounts', 'ServiceAccount', 'sa'], ['endpoints', 'Endpoints', 'ep'], ['events', 'Event', 'ev'],
      ['cronjobs', 'CronJob', 'cj'], ['persistentvolumeclaims', 'PersistentVolumeClaim', 'pvc'], ['persistentvolumes', 'PersistentVolume', 'pv'],
      ['ingresses', 'Ingress', 'ing'], ['networkpolicies', 'NetworkPolicy', 'netpol'], ['horizontalpodautoscalers', 'HorizontalPodAutoscaler', 'hpa'],
      ['poddisruptionbudgets', 'PodDisruptionBudget', 'pdb'], ['storageclasses', 'StorageClass', 'sc'], ['priorityclasses', 'PriorityClass', 'pc'],
      ['limitranges', 'LimitRange', 'limits'], ['resourcequotas', 'ResourceQuota', 'quota'], ['secrets', 'Secret'], ['jobs', 'Job'],
      ['controllerrevisions', 'ControllerRevision'], ['leases', 'Lease'], ['endpointslices', 'EndpointSlice'],
    ];
    for (const [name, kind, short] of expected) {
      const cols = byName.get(`${name}/${kind}`);
      assert.ok(cols, `${name} missing from api-resources`);
      if (short) assert.ok(cols[1].split(',').includes(short), `${name} lacks short name ${short}: ${cols.join(' ')}`);
    }
  });

  it('api-versions lists the served groups', async () => {
    const versions = (await ok('api-versions')).trim().split('\n');
    for (const gv of ['v1', 'apps/v1', 'batch/v1', 'coordination.k8s.io/v1', 'events.k8s.io/v1', 'discovery.k8s.io/v1', 'policy/v1',
      'networking.k8s.io/v1', 'autoscaling/v2', 'storage.k8s.io/v1', 'scheduling.k8s.io/v1']) {
      assert.ok(versions.includes(gv), `${gv} missing`);
    }
  });

  it('create -f with YAML, JSON and a multi-document file', async () => {
    assert.equal(await ok('create', '-f', 'manifests/configmap.yaml'), 'configmap/game-config created\n');
    assert.equal(await ok('create', '-f', 'manifests/pod.json'), 'pod/hello created\n');
    assert.equal(await ok('create', '-f', 'manifests/multi.yaml'), 'namespace/shop created\nconfigmap/settings created\nservice/cart created\n');
  });

  it('create of an existing object fails as on a real cluster', async () => {
    const res = await k('create', '-f', 'manifests/configmap.yaml');
    assert.equal(res.code, 1);
    assert.match(res.stderr, /Error from server \(AlreadyExists\): error when creating "manifests\/configmap.yaml": configmaps "game-config" already exists/);
  });

  it('get of a missing object exits 1 with NotFound', async () => {
    const res = await k('get', 'cm', 'nope');
    assert.equal(res.code, 1);
    assert.equal(res.stderr.trim(), 'Error from server (NotFound): configmaps "nope" not found');
  });

  it('get prints tables, wide tables, yaml, json, jsonpath and names', async () => {
    const table = await ok('get', 'cm', 'game-config');
    assert.deepEqual(header(table), ['NAME', 'DATA', 'AGE']);
    assert.deepEqual(rows(table)[0].slice(0, 2), ['game-config', '2']);
    const wide = await ok('get', 'pods', '-o', 'wide');
    assert.deepEqual(header(wide), ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);
    assert.deepEqual(rows(wide)[0].slice(0, 4), ['hello', '0/1', 'Pending', '0']);
    const yaml = await ok('get', 'cm', 'game-config', '-o', 'yaml');
    assert.match(yaml, /^apiVersion: v1\n/);
    assert.match(yaml, /\n  lives: "3"\n/);
    assert.match(yaml, /\n  resourceVersion: "\d+"\n/);
    const json = JSON.parse(await ok('get', 'cm', 'game-config', '-o', 'json'));
    assert.equal(json.kind, 'ConfigMap');
    assert.match(json.metadata.uid, /^[0-9a-f-]{36}$/);
    assert.equal(await ok('get', 'cm', 'game-config', '-o', 'jsonpath={.data.lives}'), '3');
    assert.equal(await ok('get', 'cm', '-l', 'app=game', '-o', 'name'), 'configmap/game-config\n');
  });

  it('get -A, -l and --field-selector select across namespaces', async () => {
    const all = await ok('get', 'cm', '-A', '-l', 'tier=backend');
    assert.deepEqual(header(all), ['NAMESPACE', 'NAME', 'DATA', 'AGE']);
    assert.deepEqual(rows(all).map((r) => r.slice(0, 2)), [['shop', 'settings']]);
    const byField = await ok('get', 'cm', '-A', '--field-selector', 'metadata.namespace=shop', '-o', 'name');
    assert.equal(byField, 'configmap/settings\n');
    const notIn = await ok('get', 'svc', '-A', '-l', 'tier notin (frontend),tier', '-o', 'name');
    assert.equal(notIn, 'service/cart\n');
  });

  it('--chunk-size pages through a list', async () => {
    await ok('create', 'namespace', 'paged');
    for (let i = 0; i < 7; i++) await ok('create', 'configmap', `c${i}`, '-n', 'paged', '--from-literal=i=' + i);
    const out = await ok('get', 'cm', '-n', 'paged', '--chunk-size=2', '-o', 'name');
    const names = out.trim().split('\n').filter((n) => n.startsWith('configmap/c'));
    assert.deepEqual(names, ['configmap/c0', 'configmap/c1', 'configmap/c2', 'configmap/c3', 'configmap/c4', 'configmap/c5', 'configmap/c6']);
  });

  it('describe shows the object', async () => {
    const out = await ok('describe', 'cm', 'game-config');
    assert.match(out, /^Name:\s+game-config$/m);
    assert.match(out, /^Namespace:\s+default$/m);
    assert.match(out, /^Labels:\s+app=game$/m);
  });

  it('create configmap --from-literal, label, annotate', async () => {
    assert.equal(await ok('create', 'configmap', 'lit', '--from-literal=a=b'), 'configmap/lit created\n');
    assert.equal(await ok('label', 'cm', 'lit', 'env=prod'), 'configmap/lit labeled\n');
    assert.equal(await ok('annotate', 'cm', 'lit', 'note=hi'), 'configmap/lit annotated\n');
    const obj = JSON.parse(await ok('get', 'cm', 'lit', '-o', 'json'));
    assert.deepEqual(obj.data, { a: 'b' });
    assert.equal(obj.metadata.labels.env, 'prod');
    assert.equal(obj.metadata.annotations.note, 'hi');
    const again = await k('label', 'cm', 'lit', 'env=dev');
    assert.equal(again.code, 1);
    assert.match(again.stderr, /'env' already has a value \(prod\), and --overwrite is false/);
  });

  it('create deployment and namespace fill kube defaults', async () => {
    assert.equal(await ok('create', 'namespace', 'dev'), 'namespace/dev created\n');
    assert.equal(await ok('create', 'deployment', 'web', '--image=nginx', '-n', 'dev'), 'deployment.apps/web created\n');
    const d = JSON.parse(await ok('get', 'deploy', 'web', '-n', 'dev', '-o', 'json'));
    assert.equal(d.spec.replicas, 1);
    assert.equal(d.spec.strategy.type, 'RollingUpdate');
    assert.equal(d.spec.strategy.rollingUpdate.maxSurge, '25%');
    assert.equal(d.spec.revisionHistoryLimit, 10);
    assert.equal(d.spec.progressDeadlineSeconds, 600);
    assert.equal(d.spec.template.spec.containers[0].imagePullPolicy, 'Always');
    assert.equal(d.spec.template.spec.restartPolicy, 'Always');
    assert.equal(d.metadata.generation, 1);
    const table = await ok('get', 'deploy', '-n', 'dev', '-o', 'wide');
    assert.deepEqual(header(table), ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR']);
  });

  it('replace updates the object and bumps generation on spec changes', async () => {
    const d = JSON.parse(await ok('get', 'deploy', 'web', '-n', 'dev', '-o', 'json'));
    d.spec.replicas = 4;
    assert.equal((await server.kubectl(['replace', '-f', '-'], { input: JSON.stringify(d) })).stdout, 'deployment.apps/web replaced\n');
    const after = JSON.parse(await ok('get', 'deploy', 'web', '-n', 'dev', '-o', 'json'));
    assert.equal(after.spec.replicas, 4);
    assert.equal(after.metadata.generation, 2);
    // The same stale version again is a conflict.
    const stale = await server.kubectl(['replace', '-f', '-'], { input: JSON.stringify(d) });
    assert.equal(stale.code, 1);
    assert.match(stale.stderr, /Error from server \(Conflict\).*the object has been modified; please apply your changes to the latest version and try again/);
  });

  it('explain reads the OpenAPI schema', async () => {
    const out = await ok('explain', 'deployment.spec.strategy');
    assert.match(out, /GROUP:\s+apps/);
    assert.match(out, /FIELD: strategy <DeploymentStrategy>/);
    assert.match(out, /rollingUpdate\s+<RollingUpdateDeployment>/);
  });

  it('invalid objects are refused with the field named', async () => {
    const res = await server.kubectl(['create', '-f', '-'], {
      input: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name' } }),
    });
    assert.equal(res.code, 1);
    assert.match(res.stderr, /The ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
  });

  it('unknown fields fail kubectl create with strict validation, pass with --validate=false', async () => {
    const manifest = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'strict' }, dataz: { a: 'b' } });
    const res = await server.kubectl(['create', '-f', '-'], { input: manifest });
    assert.equal(res.code, 1);
    assert.match(res.stderr, /unknown field "dataz"/);
    const lax = await server.kubectl(['create', '--validate=false', '-f', '-'], { input: manifest });
    assert.equal(lax.code, 0, lax.stderr);
  });

  it('delete by name, by label and --all', async () => {
    assert.equal(await ok('delete', 'cm', 'lit'), 'configmap "lit" deleted\n');
    assert.equal(await ok('delete', 'cm', '-n', 'shop', '-l', 'tier=backend'), 'configmap "settings" deleted\n');
    const out = await ok('delete', 'cm', '-n', 'paged', '--all');
    assert.equal(out.trim().split('\n').filter((l) => /^configmap "c\d" deleted$/.test(l)).length, 7);
    assert.equal((await ok('get', 'cm', '-n', 'paged', '-l', 'i', '-o', 'name')).trim(), '');
  });

  it('get -w prints changes as they happen', async () => {
    const child = spawn('kubectl', ['--kubeconfig', server.kubeconfigPath, 'get', 'cm', '-n', 'dev', '-w', '--output-watch-events'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    try {
      await ok('create', 'configmap', 'watched', '-n', 'dev', '--from-literal=x=1');
      await waitFor(() => /ADDED\s+watched\s+1/.test(out), 10_000, () => out);
      await ok('delete', 'configmap', 'watched', '-n', 'dev');
      await waitFor(() => /DELETED\s+watched/.test(out), 10_000, () => out);
    } finally {
      child.kill();
    }
  });

  it('get pods -w and -w --output-watch-events print rows as pods change', async () => {
    const watch = (extra: string[]) => {
      // -v=6 logs each request on stderr (stdout stays the table), the watch once it is answered.
      const child = spawn('kubectl', ['--kubeconfig', server.kubeconfigPath, '-v=6', 'get', 'pods', '-n', 'dev', '-w', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
      const state = { out: '', log: '', child };
      child.stdout.on('data', (d) => { state.out += d; });
      child.stderr.on('data', (d) => { state.log += d; });
      return state;
    };
    const plain = watch([]);
    const events = watch(['--output-watch-events']);
    try {
      // Both watching before the pod is created (a fixed 500 ms was not always enough under load).
      for (const w of [plain, events]) await waitFor(() => /pods\?[^\s"]*watch=true[^\n]*200 OK/.test(w.log), 60_000, () => w.log);
      const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'watched-pod' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };
      assert.equal((await server.kubectl(['create', '-n', 'dev', '-f', '-'], { input: JSON.stringify(pod) })).code, 0);
      await waitFor(() => /watched-pod\s+0\/1\s+Pending\s+0\s+\d+s/.test(plain.out), 10_000, () => plain.out);
      await waitFor(() => /EVENT\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE/.test(events.out) && /ADDED\s+watched-pod\s+0\/1\s+Pending/.test(events.out), 10_000, () => events.out);
      assert.match(plain.out, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\n/);
      await ok('delete', 'pod', 'watched-pod', '-n', 'dev');
      await waitFor(() => /DELETED\s+watched-pod/.test(events.out), 10_000, () => events.out);
    } finally {
      plain.child.kill();
      events.child.kill();
    }
  });

  it('wait --for=delete returns once the object is gone', async () => {
    await ok('create', 'configmap', 'doomed', '-n', 'dev');
    // Delete only once kubectl watches the object (its -v=6 log shows the watch request
    // answered): deleted before kubectl looks, it would find nothing and print nothing.
    const waiting = spawn('kubectl', ['--kubeconfig', server.kubeconfigPath, '-v=6', 'wait', '--for=delete', 'configmap/doomed', '-n', 'dev', '--timeout=120s'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const res = { stdout: '', stderr: '' };
    waiting.stdout.on('data', (d) => { res.stdout += d; });
    waiting.stderr.on('data', (d) => { res.stderr += d; });
    const exited = once(waiting, 'exit');
    await waitFor(() => /configmaps\?[^\s"]*watch=true[^\n]*200 OK/.test(res.stderr), 60_000, () => res.stderr);
    await ok('delete', 'configmap', 'doomed', '-n', 'dev');
    const [code] = await exited;
    assert.equal(code, 0, res.stderr);
    assert.match(res.stdout, /configmap\/doomed condition met/);
  });

  it('objects in a missing namespace are refused', async () => {
    const res = await k('create', 'configmap', 'x', '-n', 'nowhere');
    assert.equal(res.code, 1);
    // kubectl's typed create prints the server's message after its own prefix.
    assert.equal(res.stderr, 'error: failed to create configmap: namespaces "nowhere" not found\n');
  });
});

async function waitFor(cond: () => boolean, ms: number, describe: () => string): Promise<void> {
  // A hang guard, never shorter than the suite's own (a loaded machine slows kubectl's watch output).
  const deadline = Date.now() + Math.max(ms, defaultWaitMs);
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out; saw:\n${describe()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
