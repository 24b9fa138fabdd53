// Pods on simulated nodes, end to end through kubectl: scheduled with the spread kube-scheduler
// gives, Running and Ready with IPs, logs and events as a kubelet reports them, Pending with
// FailedScheduling when nothing fits, and drain.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from './support/server.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer({ nodes: 3, scheduler: true });
});
after(async () => {
  await server.stop();
});

async function ok(...args: string[]): Promise<string> {
  const res = await server.kubectl(args);
  assert.equal(res.code, 0, `kubectl ${args.join(' ')} failed: ${res.stderr}`);
  return res.stdout;
}

async function until(cond: () => Promise<boolean>, what: string, ms = 60_000): Promise<void> { // a hang guard, generous for loaded machines
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const pod = (name: string, extra: Record<string, unknown> = {}) => JSON.stringify({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'spread' } },
  spec: { containers: [{ name: 'main', image: 'busybox:1.36', command: ['sh', '-c', `echo hello from ${name}; sleep 3600`], ...extra }] },
});

describe('pods on simulated nodes', () => {
  it('nodes register Ready', async () => {
    await until(async () => (await ok('get', 'nodes', '--no-headers')).trim().split('\n').filter((l) => / Ready /.test(l)).length === 3, '3 Ready nodes');
  });

  it('100 pods created at once spread evenly over the 3 nodes and go Running with IPs', async () => {
    for (let i = 0; i < 3; i++) await server.kubectl(['create', '-f', '-'], { input: pod(`p${i}`) });
    const bodies = Array.from({ length: 97 }, (_, i) => pod(`bulk${i}`));
    const results = await Promise.all(bodies.map((body) => server.request('/api/v1/namespaces/default/pods', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body,
    })));
    assert.ok(results.every((r) => r.status === 201));
    const running = async () => (await ok('get', 'pods', '-l', 'app=spread', '--no-headers')).trim().split('\n').filter((l) => /1\/1\s+Running/.test(l)).length;
    await until(async () => (await running()) === 100, '100 Running pods', 60_000);
    const wide = await ok('get', 'pods', '-l', 'app=spread', '-o', 'wide', '--no-headers');
    const rows = wide.trim().split('\n').map((l) => l.trim().split(/\s+/));
    for (const r of rows) assert.match(r[5], /^10\.244\.\d+\.\d+$/);
    assert.equal(new Set(rows.map((r) => r[5])).size, 100, 'pod IPs are unique');
    const perNode = new Map<string, number>();
    for (const r of rows) perNode.set(r[6], (perNode.get(r[6]) ?? 0) + 1);
    // Equal nodes and equal pods: kube-scheduler's least-allocated and balanced scores even them out.
    assert.deepEqual([...perNode.values()].sort(), [33, 33, 34]);
  });

  it('logs and the events of a started pod', async () => {
    assert.equal(await ok('logs', 'p0'), 'hello from p0\n');
    const describe = await ok('describe', 'pod', 'p0');
    const reasons = describe.split('Events:')[1].trim().split('\n').slice(2).map((l) => l.trim().split(/\s+/)[1]);
    assert.deepEqual(reasons, ['Scheduled', 'Pulling', 'Pulled', 'Created', 'Started']);
  });

  it('logs -f follows until the container stops', async () => {
    const child = spawn('kubectl', ['--kubeconfig', server.kubeconfigPath, 'logs', '-f', 'p2'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    await until(async () => out.includes('hello from p2\n'), 'the first line');
    await ok('delete', 'pod', 'p2', '--wait=false');
    // kubectl logs -f ends when the pod is gone. The race is only a hang guard, generous
    // because a loaded machine is slow (20 s ran out there).
    const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('still running'), 120_000).unref())]);
    if (code === 'still running') child.kill();
    assert.equal(code, 0);
    assert.equal(out, 'hello from p2\n');
  });

  it('a pod asking for more cpu than any node has stays Pending with FailedScheduling', async () => {
    await server.kubectl(['create', '-f', '-'], { input: pod('huge', { resources: { requests: { cpu: '64' } } }) });
    await until(async () => (await ok('get', 'events', '--field-selector', 'involvedObject.name=huge,reason=FailedScheduling', '-o', 'name')).trim() !== '', 'FailedScheduling');
    const p = JSON.parse(await ok('get', 'pod', 'huge', '-o', 'json'));
    assert.equal(p.status.phase, 'Pending');
    const cond = p.status.conditions.find((c: any) => c.type === 'PodScheduled');
    assert.equal(cond.status, 'False');
    assert.equal(cond.reason, 'Unschedulable');
    assert.match(cond.message, /^0\/3 nodes are available: 3 Insufficient cpu\./);
  });

  it('drain cordons a node and evicts its pods', async () => {
    const node = JSON.parse(await ok('get', 'pod', 'p1', '-o', 'json')).spec.nodeName;
    const res = await server.kubectl(['drain', node, '--force', '--timeout=60s', '--grace-period=1']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, new RegExp(`node/${node} drained`));
    const onNode = await ok('get', 'pods', '-A', '--field-selector', `spec.nodeName=${node}`, '-o', 'name');
    assert.equal(onNode.trim(), '');
    const n = JSON.parse(await ok('get', 'node', node, '-o', 'json'));
    assert.equal(n.spec.unschedulable, true);
  });
});
