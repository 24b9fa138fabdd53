// Service ClusterIP and NodePort allocation as kube-apiserver does it, through kubectl and the
// REST API: unique addresses under concurrency, kube's 422 messages for taken or out-of-range
// requests, release on delete and on type changes, headless and LoadBalancer services, a
// full range, and allocations that survive a restart on the same data directory.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../src/api/types.ts';
import { startApiServer } from '../src/apiserver.ts';
import { createLogger } from '../src/log.ts';
import { AllocationMap } from '../src/registry/allocator/allocation-map.ts';
import { IPRange } from '../src/registry/allocator/ip-range.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { hangGuard } from './support/wait.ts';

const ipNumber = (ip: string) => ip.split('.').reduce((n, p) => n * 256 + Number(p), 0);
const inServiceCIDR = (ip: string) => ipNumber(ip) >= ipNumber('10.96.0.0') && ipNumber(ip) <= ipNumber('10.111.255.255');

async function createService(url: string, body: Record<string, unknown>): Promise<{ status: number; body: KubeObject & { message?: string } }> {
  const res = await fetch(`${url}/api/v1/namespaces/default/services`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apiVersion: 'v1', kind: 'Service', ...body }),
  });
  return { status: res.status, body: await res.json() as KubeObject & { message?: string } };
}

describe('service allocation', { timeout: hangGuard(45_000) }, () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });

  after(async () => {
    await server?.stop();
  });

  const kubectl = (...args: string[]) => server.kubectl(args);
  const patch = (name: string, body: unknown) => server.request(`/api/v1/namespaces/default/services/${name}`, {
    method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' }, body: JSON.stringify(body),
  });

  it('gives 50 concurrent creates 50 distinct addresses of the service CIDR, none the kubernetes one', async () => {
    const created = await Promise.all(Array.from({ length: 50 }, (_, i) =>
      createService(server.url, { metadata: { name: `many-${i}` }, spec: { ports: [{ port: 80 }] } })));
    assert.deepEqual(created.map((c) => c.status), Array(50).fill(201));
    const ips = created.map((c) => c.body.spec.clusterIP as string);
    assert.equal(new Set(ips).size, 50);
    assert.ok(ips.every(inServiceCIDR), ips.join(' '));
    assert.ok(!ips.includes('10.96.0.1'));
    // Dynamic allocation leaves the lower band (10.96.0.1-10.96.1.0) to requested addresses.
    assert.ok(ips.every((ip) => ipNumber(ip) > ipNumber('10.96.1.0')), ips.join(' '));
    const listed = await kubectl('get', 'svc', '-o', 'jsonpath={.items[*].spec.clusterIP}');
    assert.equal(new Set(listed.stdout.split(' ')).size, 51); // with kubernetes
  });

  it('refuses a requested ClusterIP that is taken, or outside the range, with kube\'s 422', async () => {
    const first = await kubectl('create', 'service', 'clusterip', 'dns', '--clusterip=10.96.0.10', '--tcp=53:53');
    assert.equal(first.code, 0, first.stderr);
    const taken = await kubectl('create', 'service', 'clusterip', 'dns2', '--clusterip=10.96.0.10', '--tcp=53:53');
    assert.notEqual(taken.code, 0);
    assert.match(taken.stderr, /Service "dns2" is invalid: spec\.clusterIPs: Invalid value: \[\]string\{"10\.96\.0\.10"\}: failed to allocate IP 10\.96\.0\.10: provided IP is already allocated/);
    const kubernetes = await createService(server.url, { metadata: { name: 'steal' }, spec: { clusterIP: '10.96.0.1', ports: [{ port: 443 }] } });
    assert.equal(kubernetes.status, 422);
    assert.equal(kubernetes.body.message, 'Service "steal" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.1"}: failed to allocate IP 10.96.0.1: provided IP is already allocated');
    const outside = await createService(server.url, { metadata: { name: 'far' }, spec: { clusterIP: '1.1.1.1', ports: [{ port: 80 }] } });
    assert.equal(outside.status, 422);
    assert.equal(outside.body.message, 'Service "far" is invalid: spec.clusterIPs: Invalid value: []string{"1.1.1.1"}: failed to allocate IP 1.1.1.1: ' +
      'the provided IP (1.1.1.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12');
    assert.equal((await kubectl('get', 'svc', 'dns2')).code, 1, 'nothing stored');
  });

  it('hands a released address out again after its service is deleted', async () => {
    assert.equal((await kubectl('delete', 'svc', 'dns')).code, 0);
    const again = await kubectl('create', 'service', 'clusterip', 'dns2', '--clusterip=10.96.0.10', '--tcp=53:53');
    assert.equal(again.code, 0, again.stderr);
  });

  it('keeps node ports unique and refuses a taken one with kube\'s 422', async () => {
    const web = await kubectl('create', 'service', 'nodeport', 'web', '--tcp=80:8080', '--node-port=30080');
    assert.equal(web.code, 0, web.stderr);
    const clash = await kubectl('create', 'service', 'nodeport', 'web2', '--tcp=80:8080', '--node-port=30080');
    assert.notEqual(clash.code, 0);
    assert.match(clash.stderr, /Service "web2" is invalid: spec\.ports\[0\]\.nodePort: Invalid value: 30080: provided port is already allocated/);
    const outside = await createService(server.url, { metadata: { name: 'low' }, spec: { type: 'NodePort', ports: [{ port: 80, nodePort: 80 }] } });
    assert.equal(outside.body.message, 'Service "low" is invalid: spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767');
    const many = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      createService(server.url, { metadata: { name: `np-${i}` }, spec: { type: 'NodePort', ports: [{ name: 'a', port: 80 }, { name: 'b', port: 81 }] } })));
    const ports = many.flatMap((c) => c.body.spec.ports.map((p: { nodePort: number }) => p.nodePort));
    assert.equal(new Set([...ports, 30080]).size, 41);
    assert.ok(ports.every((p) => p >= 30000 && p <= 32767));
  });

  it('releases node ports when a NodePort service becomes ClusterIP', async () => {
    const res = await patch('web', { spec: { type: 'ClusterIP', ports: [{ port: 80, targetPort: 8080, protocol: 'TCP', name: '80-8080' }] } });
    const svc = await res.json() as KubeObject;
    assert.equal(res.status, 200, JSON.stringify(svc));
    assert.equal(svc.spec.ports[0].nodePort, undefined);
    const reuse = await kubectl('create', 'service', 'nodeport', 'web3', '--tcp=80:8080', '--node-port=30080');
    assert.equal(reuse.code, 0, reuse.stderr);
  });

  it('releases the ClusterIP when a service becomes ExternalName, and allocates one when it turns back', async () => {
    const made = await createService(server.url, { metadata: { name: 'ext' }, spec: { clusterIP: '10.96.0.20', ports: [{ port: 80 }] } });
    assert.equal(made.status, 201);
    const res = await patch('ext', { spec: { type: 'ExternalName', externalName: 'db.example.com', clusterIP: null, clusterIPs: null } });
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal((await res.json() as KubeObject).spec.clusterIP, undefined);
    const reuse = await createService(server.url, { metadata: { name: 'ext2' }, spec: { clusterIP: '10.96.0.20', ports: [{ port: 80 }] } });
    assert.equal(reuse.status, 201, reuse.body.message);
    const back = await patch('ext', { spec: { type: 'ClusterIP', externalName: null } });
    const svc = await back.json() as KubeObject;
    assert.equal(back.status, 200, JSON.stringify(svc));
    assert.ok(inServiceCIDR(svc.spec.clusterIP) && svc.spec.clusterIP !== '10.96.0.20', svc.spec.clusterIP);
  });

  it('gives headless services None, LoadBalancer services node ports', async () => {
    const headless = await kubectl('create', 'service', 'clusterip', 'db', '--clusterip=None');
    assert.equal(headless.code, 0, headless.stderr);
    const row = await kubectl('get', 'svc', 'db', '--no-headers');
    assert.match(row.stdout, /^db\s+ClusterIP\s+None\s+<none>\s+<none>/);
    const lb = await createService(server.url, { metadata: { name: 'lb' }, spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ port: 443 }] } });
    assert.equal(lb.status, 201);
    const { nodePort } = lb.body.spec.ports[0];
    assert.ok(nodePort >= 30000 && nodePort <= 32767 && lb.body.spec.healthCheckNodePort !== nodePort);
    assert.ok(lb.body.spec.healthCheckNodePort >= 30000);
    const noPorts = await createService(server.url, { metadata: { name: 'lb2' }, spec: { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false, ports: [{ port: 443 }] } });
    assert.equal(noPorts.body.spec.ports[0].nodePort, undefined);
  });

  it('allocates nothing on a dry run', async () => {
    const dry = await server.request('/api/v1/namespaces/default/services?dryRun=All', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ metadata: { name: 'dry' }, spec: { clusterIP: '10.96.0.30', type: 'NodePort', ports: [{ port: 80, nodePort: 30090 }] } }),
    });
    assert.equal(dry.status, 201);
    const real = await createService(server.url, { metadata: { name: 'wet' }, spec: { clusterIP: '10.96.0.30', type: 'NodePort', ports: [{ port: 80, nodePort: 30090 }] } });
    assert.equal(real.status, 201, real.body.message);
  });
});

describe('service allocation across restarts and small ranges', { timeout: hangGuard(30_000) }, () => {
  let dataDir: string;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kubelite-svc-'));
  });

  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  const start = () => startApiServer({
    dataDir, host: '127.0.0.1', port: 0, insecurePort: 0, logger: createLogger('error'),
    serviceNetwork: { clusterIPRange: '10.0.0.0/27', nodePortRange: '30000-30039' },
  });

  it('rebuilds what is allocated from the stored services, and answers 500 when the range is full', async () => {
    let server = await start();
    let url = server.insecureUrl!;
    const before = await Promise.all(Array.from({ length: 12 }, (_, i) =>
      createService(url, { metadata: { name: `old-${i}` }, spec: { type: 'NodePort', ports: [{ port: 80 }] } })));
    assert.deepEqual(before.map((c) => c.status), Array(12).fill(201));
    await server.close();

    server = await start();
    url = server.insecureUrl!;
    try {
      const kubernetes = await (await fetch(`${url}/api/v1/namespaces/default/services/kubernetes`)).json() as KubeObject;
      assert.equal(kubernetes.spec.clusterIP, '10.0.0.1'); // the range's first address
      const afterRestart = await Promise.all(Array.from({ length: 17 }, (_, i) =>
        createService(url, { metadata: { name: `new-${i}` }, spec: { type: 'NodePort', ports: [{ port: 80 }] } })));
      assert.deepEqual(afterRestart.map((c) => c.status), Array(17).fill(201), afterRestart.map((c) => c.body.message).join('\n'));
      const all = [kubernetes, ...before.map((c) => c.body), ...afterRestart.map((c) => c.body)];
      const ips = all.map((s) => s.spec.clusterIP);
      assert.equal(new Set(ips).size, 30, ips.join(' ')); // the whole /27 less network and broadcast
      const ports = [...before, ...afterRestart].map((c) => c.body.spec.ports[0].nodePort);
      assert.equal(new Set(ports).size, 29);
      const full = await createService(url, { metadata: { name: 'one-too-many' }, spec: { ports: [{ port: 80 }] } });
      assert.equal(full.status, 500);
      assert.equal(full.body.message, 'Internal error occurred: failed to allocate a serviceIP: range is full');
      const taken = await createService(url, { metadata: { name: 'old-ip' }, spec: { clusterIP: before[0].body.spec.clusterIP, ports: [{ port: 80 }] } });
      assert.equal(taken.status, 422);
      assert.match(taken.body.message!, /provided IP is already allocated/);
    } finally {
      await server.close();
    }
  });
});

describe('allocation bitmap', () => {
  it('fills the upper band before the lower one', () => {
    const map = new AllocationMap(20, 16);
    const first = Array.from({ length: 4 }, () => map.allocateNext()!);
    assert.deepEqual([...first].sort((a, b) => a - b), [16, 17, 18, 19]);
    const rest = Array.from({ length: 16 }, () => map.allocateNext()!);
    assert.deepEqual([...rest].sort((a, b) => a - b), Array.from({ length: 16 }, (_, i) => i));
    assert.equal(map.allocateNext(), undefined);
    map.release(3);
    assert.equal(map.allocateNext(), 3);
  });

  it('never hands out the network or broadcast address', () => {
    const range = new IPRange('192.168.0.0/30');
    const got = [range.allocateNext(), range.allocateNext(), range.allocateNext()];
    assert.deepEqual(got.slice(0, 2).sort(), ['192.168.0.1', '192.168.0.2']);
    assert.deepEqual(got[2], { reason: 'Full', message: 'range is full' });
    assert.equal(range.allocate('192.168.0.3')?.reason, 'NotInRange');
    assert.throws(() => new IPRange('10.0.0.0/8'), /too large/);
  });
});
