// Many simulated nodes in one kubelet process: each node's advertised kubelet port answers
// for that node (one HTTPS server behind a listener per port), through the API server's
// nodes/proxy as kubectl reaches it; and a node's Lease renewed as kube's lease controller
// renews it: one PUT from the last written Lease, re-read after a conflict, re-created
// after a deletion; and a node whose Ready condition someone else changed (the node lifecycle
// controller marking it Unknown) posts its status again at its next 10 s check, as the
// kubelet's node status manager does, not at the 5 min report.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import https from 'node:https';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiClient, resources } from '../src/client/index.ts';
import { NodeLease, leaseNamespace } from '../src/kubelet/node-lease.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { until } from './support/wait.ts';

function kubeletGet(port: number, path: string, creds: { cert: string; key: string; ca: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, path, ...creds, agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('kubelets of several nodes in one process', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ nodes: 3 });
  });

  after(async () => {
    await server?.stop();
  });

  it("serves each node's kubelet API on the port its Node advertises", async () => {
    const pki = join(server.dataDir, 'pki');
    const creds = { cert: await readFile(join(pki, 'apiserver-kubelet-client.crt'), 'utf8'), key: await readFile(join(pki, 'apiserver-kubelet-client.key'), 'utf8'), ca: server.caCert };
    const nodes = (await server.getJson<{ items: { metadata: { name: string }; status: { daemonEndpoints: { kubeletEndpoint: { Port: number } } } }[] }>('/api/v1/nodes')).items;
    assert.deepEqual(nodes.map((n) => n.metadata.name).sort(), ['kubelite-node-1', 'kubelite-node-2', 'kubelite-node-3']);
    const ports = nodes.map((n) => n.status.daemonEndpoints.kubeletEndpoint.Port);
    assert.equal(new Set(ports).size, 3, `distinct ports: ${ports.join(', ')}`);
    for (const node of nodes) {
      const r = await kubeletGet(node.status.daemonEndpoints.kubeletEndpoint.Port, '/stats/summary', creds);
      assert.equal(r.status, 200, r.body);
      assert.equal(JSON.parse(r.body).node.nodeName, node.metadata.name);
    }
  });

  it('reaches the right node through nodes/proxy (kubectl get --raw)', async () => {
    for (const name of ['kubelite-node-3', 'kubelite-node-1']) {
      const r = await server.kubectl(['get', '--raw', `/api/v1/nodes/${name}/proxy/stats/summary`]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout).node.nodeName, name);
    }
  });

  it('renews a Lease with one PUT from the last one written, and recovers from a conflict and a deletion', async () => {
    const client = new ApiClient({ server: server.url, namespace: 'default' }, { qps: 0 });
    const name = 'lease-test-node';
    const lease = new NodeLease(client, name, undefined);
    await lease.renew();
    const first = await client.get(resources.leases, name, { namespace: leaseNamespace });
    assert.equal(first.spec?.holderIdentity, name);
    assert.equal(first.spec?.leaseDurationSeconds, 40);
    assert.match(String(first.spec?.renewTime), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);

    await lease.renew();
    const second = await client.get(resources.leases, name, { namespace: leaseNamespace });
    assert.notEqual(second.metadata.resourceVersion, first.metadata.resourceVersion);

    // Someone else writes the Lease: the cached one conflicts, the renewal reads it and wins.
    await client.update(resources.leases, { ...second, metadata: { ...second.metadata, labels: { touched: 'yes' } } });
    await lease.renew();
    const third = await client.get(resources.leases, name, { namespace: leaseNamespace });
    assert.equal(third.metadata.labels?.touched, 'yes');
    assert.ok(Date.parse(String(third.spec?.renewTime)) >= Date.parse(String(second.spec?.renewTime)));

    await client.delete(resources.leases, name, { namespace: leaseNamespace });
    await lease.renew();
    const fourth = await client.get(resources.leases, name, { namespace: leaseNamespace });
    assert.notEqual(fourth.metadata.uid, third.metadata.uid);
  });

  it('posts its status again within a check period when the Node in the API differs', async () => {
    const path = '/api/v1/nodes/kubelite-node-2';
    const node = await server.getJson<any>(path);
    node.status.conditions = node.status.conditions.map((c: any) => c.type === 'Ready'
      ? { ...c, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' } : c);
    const res = await server.request(`${path}/status`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(node) });
    assert.equal(res.status, 200, await res.text());
    const ready = async () => (await server.getJson<any>(path)).status.conditions.find((c: any) => c.type === 'Ready');
    assert.equal((await ready()).status, 'Unknown');
    await until('kubelite-node-2 Ready again', async () => ((await ready()).status === 'True' ? true : undefined), 30_000, 200);
    assert.equal((await ready()).reason, 'KubeletReady');
  });
});
