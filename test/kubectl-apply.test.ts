// kubectl's editing commands end to end: client-side apply (strategic merge patch built from
// the OpenAPI v3 merge keys), patch of every type, scale, set, diff, server dry-run.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from './support/server.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.stop();
});

async function ok(...args: string[]): Promise<string> {
  const res = await server.kubectl(args);
  assert.equal(res.code, 0, `kubectl ${args.join(' ')} failed: ${res.stderr}`);
  return res.stdout;
}

async function deployment(name: string): Promise<any> {
  return JSON.parse(await ok('get', 'deploy', name, '-o', 'json', '--show-managed-fields'));
}

const v1 = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
  labels: {app: app, team: a}
spec:
  replicas: 2
  selector: {matchLabels: {app: app}}
  template:
    metadata: {labels: {app: app}}
    spec:
      containers:
      - name: web
        image: nginx:1.26
        env:
        - {name: A, value: "1"}
        - {name: B, value: "2"}
`;

const v2 = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
  labels: {app: app}
spec:
  replicas: 2
  selector: {matchLabels: {app: app}}
  template:
    metadata: {labels: {app: app}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        env:
        - {name: A, value: "1"}
      - name: sidecar
        image: busybox:1.36
`;

describe('kubectl apply and friends', () => {
  it('apply twice leaves exactly the manifest state, keeping last-applied-configuration', async () => {
    const f1 = join(server.dataDir, 'v1.yaml');
    const f2 = join(server.dataDir, 'v2.yaml');
    await writeFile(f1, v1);
    await writeFile(f2, v2);
    assert.equal(await ok('apply', '-f', f1), 'deployment.apps/app created\n');
    // Something outside the manifest, which apply must leave alone.
    await ok('annotate', 'deploy', 'app', 'owner=ops');
    assert.equal(await ok('apply', '-f', f2), 'deployment.apps/app configured\n');
    const d = await deployment('app');
    assert.deepEqual(d.metadata.labels, { app: 'app' });
    assert.equal(d.metadata.annotations.owner, 'ops');
    const applied = JSON.parse(d.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
    assert.equal(applied.spec.template.spec.containers[0].image, 'nginx:1.27');
    const containers = d.spec.template.spec.containers.map((c: any) => [c.name, c.image, c.env ?? null]);
    assert.deepEqual(containers, [['web', 'nginx:1.27', [{ name: 'A', value: '1' }]], ['sidecar', 'busybox:1.36', null]]);
    // create, annotate (kube bumps a Deployment's generation on annotation changes too), apply.
    assert.equal(d.metadata.generation, 3);
  });

  it('diff exits 0 without changes and 1 with them', async () => {
    const f2 = join(server.dataDir, 'v2.yaml');
    const same = await server.kubectl(['diff', '-f', f2]);
    assert.equal(same.code, 0, same.stderr);
    const f3 = join(server.dataDir, 'v3.yaml');
    await writeFile(f3, v2.replace('replicas: 2', 'replicas: 5'));
    const changed = await server.kubectl(['diff', '-f', f3]);
    assert.equal(changed.code, 1, changed.stderr);
    assert.match(changed.stdout, /-  replicas: 2\n\+  replicas: 5/);
  });

  it('apply --dry-run=server changes nothing', async () => {
    const f3 = join(server.dataDir, 'v3.yaml');
    assert.equal(await ok('apply', '-f', f3, '--dry-run=server'), 'deployment.apps/app configured (server dry run)\n');
    assert.equal((await deployment('app')).spec.replicas, 2);
  });

  it('scale, set image, set env, set resources', async () => {
    assert.equal(await ok('scale', 'deploy', 'app', '--replicas=4'), 'deployment.apps/app scaled\n');
    assert.equal(await ok('set', 'image', 'deploy/app', 'web=nginx:1.28'), 'deployment.apps/app image updated\n');
    assert.equal(await ok('set', 'env', 'deploy/app', '-c', 'web', 'C=3'), 'deployment.apps/app env updated\n');
    assert.equal(await ok('set', 'resources', 'deploy/app', '-c', 'web', '--limits=cpu=200m,memory=128Mi'), 'deployment.apps/app resource requirements updated\n');
    const d = await deployment('app');
    const web = d.spec.template.spec.containers[0];
    assert.equal(d.spec.replicas, 4);
    assert.equal(web.image, 'nginx:1.28');
    assert.deepEqual(web.env, [{ name: 'A', value: '1' }, { name: 'C', value: '3' }]);
    assert.deepEqual(web.resources.limits, { cpu: '200m', memory: '128Mi' });
  });

  it('patch --type=strategic|merge|json', async () => {
    assert.equal(await ok('patch', 'deploy', 'app', '--type=strategic', '-p',
      '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","$patch":"delete"}]}}}}'), 'deployment.apps/app patched\n');
    assert.deepEqual((await deployment('app')).spec.template.spec.containers.map((c: any) => c.name), ['web']);
    assert.equal(await ok('patch', 'deploy', 'app', '--type=merge', '-p', '{"metadata":{"labels":{"tier":"front"}}}'), 'deployment.apps/app patched\n');
    assert.equal(await ok('patch', 'deploy', 'app', '--type=json', '-p', '[{"op":"replace","path":"/spec/replicas","value":1}]'), 'deployment.apps/app patched\n');
    const d = await deployment('app');
    assert.equal(d.metadata.labels.tier, 'front');
    assert.equal(d.spec.replicas, 1);
  });

  it('label --overwrite and an unknown field rejected unless --validate=false', async () => {
    assert.equal(await ok('label', 'deploy', 'app', 'tier=back', '--overwrite'), 'deployment.apps/app labeled\n');
    const bad = join(server.dataDir, 'bad.yaml');
    await writeFile(bad, v2.replace('  replicas: 2', '  replicas: 2\n  replicaz: 3'));
    const res = await server.kubectl(['apply', '-f', bad]);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /unknown field "spec.replicaz"/);
    const lax = await server.kubectl(['apply', '--validate=false', '-f', bad]);
    assert.equal(lax.code, 0, lax.stderr);
  });

  it('apply --server-side tracks managed fields; a second manager conflicts until --force-conflicts', async () => {
    const f = join(server.dataDir, 'ssa.yaml');
    await writeFile(f, v2.replace('name: app', 'name: ssa'));
    assert.equal(await ok('apply', '--server-side', '-f', f), 'deployment.apps/ssa serverside-applied\n');
    const d = await deployment('ssa');
    const entry = d.metadata.managedFields.find((m: any) => m.manager === 'kubectl' && m.operation === 'Apply');
    assert.ok(entry, JSON.stringify(d.metadata.managedFields));
    assert.deepEqual(entry.fieldsV1['f:spec']['f:replicas'], {});
    assert.ok(entry.fieldsV1['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"web"}']);
    const f3 = join(server.dataDir, 'ssa3.yaml');
    await writeFile(f3, v2.replace('name: app', 'name: ssa').replace('replicas: 2', 'replicas: 3'));
    const conflict = await server.kubectl(['apply', '--server-side', '--field-manager=other', '-f', f3]);
    assert.equal(conflict.code, 1);
    assert.match(conflict.stderr, /Apply failed with 1 conflict: conflict with "kubectl": \.spec\.replicas/);
    assert.equal(await ok('apply', '--server-side', '--field-manager=other', '--force-conflicts', '-f', f3), 'deployment.apps/ssa serverside-applied\n');
    const after = await deployment('ssa');
    assert.equal(after.spec.replicas, 3);
    const kubectlEntry = after.metadata.managedFields.find((m: any) => m.manager === 'kubectl');
    assert.equal(kubectlEntry.fieldsV1['f:spec']['f:replicas'], undefined);
  });

  it('apply --prune -l removes what the manifest dropped', async () => {
    const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  labels: {set: pruned}\ndata: {k: v}\n`;
    const f = join(server.dataDir, 'prune.yaml');
    await writeFile(f, [cm('keep'), cm('drop')].join('---\n'));
    await ok('apply', '-f', f);
    await writeFile(f, cm('keep'));
    const out = await ok('apply', '--prune', '-l', 'set=pruned', '-f', f);
    assert.match(out, /configmap\/drop pruned/);
    assert.equal((await server.kubectl(['get', 'cm', 'drop'])).code, 1);
    assert.equal((await server.kubectl(['get', 'cm', 'keep'])).code, 0);
  });

  it('edit through $EDITOR', async () => {
    const editor = join(server.dataDir, 'editor.sh');
    await writeFile(editor, '#!/bin/sh\nsed -i "s/replicas: [0-9]*/replicas: 3/" "$1"\n', { mode: 0o755 });
    const res = await server.kubectl(['edit', 'deploy', 'app'], { env: { EDITOR: editor, KUBE_EDITOR: editor } });
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, 'deployment.apps/app edited\n');
    assert.equal((await deployment('app')).spec.replicas, 3);
  });
});
