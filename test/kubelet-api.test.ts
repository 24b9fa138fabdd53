// Each simulated node's kubelet API, called as kube-apiserver and other clients call it: HTTPS
// at the node's InternalIP and daemonEndpoints port with a serving certificate from the cluster
// CA; the API server's kubelet-client certificate is let in; other callers are authenticated
// with TokenReview and authorized with SubjectAccessReview (nodes/proxy, nodes/stats); and the
// endpoints (healthz, pods, containerLogs, run, stats/summary, metrics/resource, configz).
// Then the same logs, exec and port-forward with the kubelets in a separate `kubelite kubelet` process.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import https from 'node:https';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { spawnKubelite } from './support/process.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { until } from './support/wait.ts';

interface Reply {
  status: number;
  body: string;
}

interface Credentials {
  cert?: string;
  key?: string;
  token?: string;
  /** Verify the serving certificate against this CA. */
  ca?: string;
}

function kubeletRequest(port: number, path: string, creds: Credentials = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = https.request({
      host: '127.0.0.1', port, path, method, cert: creds.cert, key: creds.key, ca: creds.ca, rejectUnauthorized: creds.ca !== undefined,
      headers: creds.token ? { Authorization: `Bearer ${creds.token}` } : {}, agent: false,
    }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const podManifest = JSON.stringify({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' },
  spec: { containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'echo first; echo second; sleep 3600'], resources: { requests: { cpu: '250m', memory: '64Mi' } } }] },
});

describe('kubelet API', () => {
  let server: TestServer;
  let port: number;
  let apiserverClient: Credentials;

  const kubectlOk = async (args: string[], input?: string) => {
    const r = await server.kubectl(args, { input });
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };

  before(async () => {
    server = await startTestServer({ nodes: 1, scheduler: true });
    await kubectlOk(['apply', '-f', '-'], podManifest);
    await kubectlOk(['wait', '--for=condition=Ready', 'pod/p', '--timeout=60s']);
    const node = JSON.parse(await kubectlOk(['get', 'node', 'kubelite-node-1', '-o', 'json']));
    port = node.status.daemonEndpoints.kubeletEndpoint.Port;
    const pki = join(server.dataDir, 'pki');
    apiserverClient = { cert: await readFile(join(pki, 'apiserver-kubelet-client.crt'), 'utf8'), key: await readFile(join(pki, 'apiserver-kubelet-client.key'), 'utf8') };
  });

  after(async () => {
    await server?.stop();
  });

  it('advertises a port on the node that serves HTTPS with a certificate from the cluster CA', async () => {
    assert.ok(port > 0 && port !== 10250, `a free port, not ${port}`);
    const r = await kubeletRequest(port, '/healthz', { ...apiserverClient, ca: server.caCert });
    assert.deepEqual(r, { status: 200, body: 'ok' });
  });

  it('answers 401 without credentials and 403 for a user without nodes/proxy, naming the attributes', async () => {
    assert.equal((await kubeletRequest(port, '/pods')).status, 401);
    await kubectlOk(['create', 'serviceaccount', 'nobody']);
    const token = (await kubectlOk(['create', 'token', 'nobody'])).trim();
    const r = await kubeletRequest(port, '/pods', { token });
    assert.equal(r.status, 403);
    assert.equal(r.body, 'Forbidden (user=system:serviceaccount:default:nobody, verb=get, resource=nodes, subresource(s)=[proxy])\n');
    assert.equal((await kubeletRequest(port, '/pods', { token: 'not-a-token' })).status, 401);
  });

  it('lets in a token whose user may use nodes/proxy and nodes/stats (system:kubelet-api-admin)', async () => {
    await kubectlOk(['create', 'serviceaccount', 'scraper']);
    await kubectlOk(['create', 'clusterrolebinding', 'scraper', '--clusterrole=system:kubelet-api-admin', '--serviceaccount=default:scraper']);
    const token = (await kubectlOk(['create', 'token', 'scraper'])).trim();
    const pods = await kubeletRequest(port, '/pods', { token });
    assert.equal(pods.status, 200, pods.body);
    const list = JSON.parse(pods.body);
    assert.equal(list.kind, 'PodList');
    assert.deepEqual(list.items.map((p: any) => p.metadata.name), ['p']);
    const summary = JSON.parse((await kubeletRequest(port, '/stats/summary', { token })).body);
    assert.equal(summary.node.nodeName, 'kubelite-node-1');
    const podStats = summary.pods.find((s: any) => s.podRef.name === 'p');
    assert.equal(podStats.containers[0].name, 'c');
    assert.equal(podStats.cpu.usageNanoCores, 250_000_000);
    assert.equal(podStats.memory.workingSetBytes, 64 * 1024 * 1024);
  });

  it('serves /metrics/resource and /configz', async () => {
    const metrics = await kubeletRequest(port, '/metrics/resource', apiserverClient);
    assert.equal(metrics.status, 200);
    assert.match(metrics.body, /^container_memory_working_set_bytes\{container="c",namespace="default",pod="p"\} 67108864 \d+$/m);
    assert.match(metrics.body, /^scrape_error 0$/m);
    const configz = JSON.parse((await kubeletRequest(port, '/configz', apiserverClient)).body);
    assert.equal(configz.kubeletconfig.authorization.mode, 'Webhook');
  });

  it('serves container logs with the PodLogOptions and refuses unknown pods and containers', async () => {
    const all = await kubeletRequest(port, '/containerLogs/default/p/c', apiserverClient);
    assert.deepEqual(all, { status: 200, body: 'first\nsecond\n' });
    const tail = await kubeletRequest(port, '/containerLogs/default/p/c?tailLines=1&timestamps=true', apiserverClient);
    assert.match(tail.body, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z second\n$/);
    assert.equal((await kubeletRequest(port, '/containerLogs/default/p/c?limitBytes=3', apiserverClient)).body, 'fir');
    assert.deepEqual(await kubeletRequest(port, '/containerLogs/default/nope/c', apiserverClient), { status: 404, body: 'pod "nope" does not exist\n' });
    assert.deepEqual(await kubeletRequest(port, '/containerLogs/default/p/x', apiserverClient), { status: 404, body: 'container "x" not found in pod "p"\n' });
  });

  it('runs a command with /run and refuses exec without an upgrade', async () => {
    const run = await kubeletRequest(port, `/run/default/p/c?cmd=${encodeURIComponent('echo hi')}`, apiserverClient, 'POST');
    assert.deepEqual(run, { status: 200, body: 'hi\n' });
    const exec = await kubeletRequest(port, '/exec/default/p/c?command=true&output=1', apiserverClient);
    assert.deepEqual(exec, { status: 400, body: 'Upgrade request required\n' });
  });

  it('pods/log through the API server: options checked there, refusals of the kubelet as Statuses', async () => {
    const r = await server.request('/api/v1/namespaces/default/pods/p/log?tailLines=1');
    assert.equal(await r.text(), 'second\n');
    const invalid = await server.request('/api/v1/namespaces/default/pods/p/log?tailLines=-1');
    assert.equal(invalid.status, 422);
    assert.equal((await invalid.json()).details.causes[0].field, 'tailLines');
    const badContainer = await server.request('/api/v1/namespaces/default/pods/p/log?container=x');
    assert.equal(badContainer.status, 400);
    assert.equal((await badContainer.json()).message, 'container x is not valid for pod p');
  });

  describe('with the kubelets in a separate `kubelite kubelet` process', () => {
    let kubelet: ChildProcess | undefined;

    before(async () => {
      const started = await spawnKubelite(['kubelet', '--kubeconfig', server.kubeconfigs.kubelet, '--nodes', '1', '--node-prefix', 'remote'],
        { ready: /kubelite kubelet is running/ });
      kubelet = started.child;
      await kubectlOk(['wait', '--for=condition=Ready', 'node/remote-1', '--timeout=60s']);
      await kubectlOk(['run', 'far', '--image=busybox', '--overrides={"spec":{"nodeName":"remote-1"}}', '--', 'sh', '-c', 'echo from far; sleep 3600']);
      await kubectlOk(['wait', '--for=condition=Ready', 'pod/far', '--timeout=60s']);
    });

    after(() => {
      kubelet?.kill('SIGTERM');
    });

    it('serves logs and exec of its pods through the API server', async () => {
      const node = JSON.parse(await kubectlOk(['get', 'node', 'remote-1', '-o', 'json']));
      assert.notEqual(node.status.daemonEndpoints.kubeletEndpoint.Port, port);
      assert.equal(await kubectlOk(['logs', 'far']), 'from far\n');
      assert.equal(await kubectlOk(['exec', 'far', '--', 'echo', 'hello']), 'hello\n');
      const failed = await server.kubectl(['exec', 'far', '--', 'sh', '-c', 'exit 3']);
      assert.equal(failed.code, 3, failed.stderr);
      // Its serving certificate is its own (self-signed), as a kubelet's without --tls-cert-file.
      await assert.rejects(kubeletRequest(node.status.daemonEndpoints.kubeletEndpoint.Port, '/healthz', { ...apiserverClient, ca: server.caCert }), /self.signed|unable to verify/i);
      assert.equal((await kubeletRequest(node.status.daemonEndpoints.kubeletEndpoint.Port, '/healthz', apiserverClient)).body, 'ok');
    });

    it('port-forwards to its pods through the API server (kubectl port-forward, nginx on 80)', async () => {
      await kubectlOk(['run', 'farweb', '--image=nginx:1.27', '--overrides={"spec":{"nodeName":"remote-1"}}']);
      await kubectlOk(['wait', '--for=condition=Ready', 'pod/farweb', '--timeout=60s']);
      const pf = spawn('kubectl', ['--kubeconfig', server.kubeconfigPath, 'port-forward', 'pod/farweb', ':80'], { stdio: ['ignore', 'pipe', 'pipe'] });
      try {
        let out = '';
        let err = '';
        pf.stdout!.on('data', (d) => (out += d));
        pf.stderr!.on('data', (d) => (err += d));
        const local = await until('port-forward listening', async () => Number(/Forwarding from 127\.0\.0\.1:(\d+) ->/.exec(out)?.[1]) || undefined);
        const res = await fetch(`http://127.0.0.1:${local}/`).catch((e) => {
          throw new Error(`GET through port-forward: ${e.cause ?? e}; kubectl said: ${err}`);
        });
        assert.equal(res.status, 200);
        assert.match(await res.text(), /<title>Welcome to nginx!<\/title>/);
      } finally {
        pf.kill();
      }
    });
  });
});
