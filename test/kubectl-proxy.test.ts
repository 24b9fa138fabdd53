// Reaching what runs in pods, through the kubelet API: kubectl port-forward to a pod and to a
// Service (nginx's welcome page, and its access-log line in `kubectl logs`), the API server's
// pods/proxy, services/proxy (round robin over ready endpoints: `kubectl proxy` + three agnhost
// serve-hostname pods answer with three names) and nodes/proxy to the kubelet itself.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from './support/server.ts';
import { until } from './support/wait.ts';

const manifests = `
apiVersion: v1
kind: Pod
metadata: { name: web, labels: { app: web } }
spec: { containers: [{ name: nginx, image: nginx, ports: [{ name: http, containerPort: 80 }] }] }
---
apiVersion: v1
kind: Service
metadata: { name: web }
spec: { selector: { app: web }, ports: [{ port: 80, targetPort: 80 }] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: hostnames }
spec:
  replicas: 3
  selector: { matchLabels: { app: hostnames } }
  template:
    metadata: { labels: { app: hostnames } }
    spec: { containers: [{ name: agnhost, image: registry.k8s.io/e2e-test-images/agnhost:2.53, args: [serve-hostname] }] }
---
apiVersion: v1
kind: Service
metadata: { name: hostnames }
spec: { selector: { app: hostnames }, ports: [{ name: http, port: 80, targetPort: 9376 }] }
---
apiVersion: v1
kind: Service
metadata: { name: nobody }
spec: { selector: { app: nobody }, ports: [{ port: 80 }] }
`;

/** Starts a long-running kubectl and resolves with the first match of `ready` in its stdout. */
async function startKubectl(server: TestServer, args: string[], ready: RegExp): Promise<{ child: ChildProcess; match: RegExpExecArray; stderr: () => string }> {
  const child = spawn('kubectl', ['--kubeconfig', server.kubeconfigPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const match = await until(`kubectl ${args[0]} to be ready`, async () => ready.exec(out) ?? undefined, 30_000);
  return { child, match, stderr: () => err };
}

describe('port-forward and the proxies', () => {
  let server: TestServer;
  const children: ChildProcess[] = [];

  before(async () => {
    server = await startTestServer({ nodes: 2, scheduler: true, controllers: { controllers: ['deployment-controller', 'replicaset-controller', 'endpoints-controller', 'endpointslice-controller'] } });
    const applied = await server.kubectl(['apply', '-f', '-'], { input: manifests });
    assert.equal(applied.code, 0, applied.stderr);
    for (const target of ['pod/web', 'pod -l app=hostnames']) {
      const waited = await server.kubectl(['wait', '--for=condition=Ready', ...target.split(' '), '--timeout=60s']);
      assert.equal(waited.code, 0, waited.stderr);
    }
    await until('3 ready endpoints for hostnames', async () => {
      const r = await server.kubectl(['get', 'endpoints', 'hostnames', '-o', 'jsonpath={.subsets[*].addresses[*].ip}']);
      return r.stdout.split(' ').filter(Boolean).length === 3;
    }, 30_000);
  });

  after(async () => {
    for (const child of children) child.kill();
    await server?.stop();
  });

  it('kubectl port-forward pod/web: nginx\'s welcome page, and its access-log line in kubectl logs', async () => {
    const { child, match } = await startKubectl(server, ['port-forward', 'pod/web', '0:80'], /Forwarding from 127\.0\.0\.1:(\d+) -> 80/);
    children.push(child);
    const res = await fetch(`http://127.0.0.1:${match[1]}/`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /<title>Welcome to nginx!<\/title>/);
    await until('the access-log line', async () => /"GET \/ HTTP\/1\.1" 200 \d+ "-" "node"/.test((await server.kubectl(['logs', 'web'])).stdout));
  });

  it('kubectl port-forward svc/web picks a pod of the Service', async () => {
    const { child, match } = await startKubectl(server, ['port-forward', 'svc/web', '0:80'], /Forwarding from 127\.0\.0\.1:(\d+) -> 80/);
    children.push(child);
    const res = await fetch(`http://127.0.0.1:${match[1]}/`);
    assert.match(await res.text(), /Welcome to nginx!/);
  });

  it('kubectl proxy + services/hostnames:80/proxy/ spreads requests over the three pods', async () => {
    const { child, match } = await startKubectl(server, ['proxy', '--port=0'], /Starting to serve on 127\.0\.0\.1:(\d+)/);
    children.push(child);
    const names = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`http://127.0.0.1:${match[1]}/api/v1/namespaces/default/services/hostnames:80/proxy/`);
      assert.equal(res.status, 200);
      names.add(await res.text());
    }
    const pods = await server.kubectl(['get', 'pods', '-l', 'app=hostnames', '-o', 'jsonpath={.items[*].metadata.name}']);
    assert.deepEqual([...names].sort(), pods.stdout.split(' ').sort());
  });

  it('pods/proxy reaches a pod\'s port by number or name; a closed port and a Service without endpoints answer 503', async () => {
    const byNumber = await server.request('/api/v1/namespaces/default/pods/web:80/proxy/');
    assert.match(await byNumber.text(), /Welcome to nginx!/);
    const byName = await server.request('/api/v1/namespaces/default/pods/web:http/proxy/index.html');
    assert.equal(byName.status, 200);
    const closed = await server.request('/api/v1/namespaces/default/pods/web:81/proxy/');
    assert.equal(closed.status, 503);
    assert.match((await closed.json()).message, /^error trying to reach service: .*connection refused/);
    const nobody = await server.request('/api/v1/namespaces/default/services/nobody/proxy/');
    assert.equal(nobody.status, 503);
    assert.equal((await nobody.json()).message, 'no endpoints available for service "nobody"');
  });

  it('nodes/proxy reaches the node\'s kubelet API as the API server', async () => {
    const healthz = await server.kubectl(['get', '--raw', '/api/v1/nodes/kubelite-node-1/proxy/healthz']);
    assert.deepEqual([healthz.code, healthz.stdout], [0, 'ok'], healthz.stderr);
    const summary = JSON.parse((await server.kubectl(['get', '--raw', '/api/v1/nodes/kubelite-node-1/proxy/stats/summary'])).stdout);
    assert.equal(summary.node.nodeName, 'kubelite-node-1');
  });
});
