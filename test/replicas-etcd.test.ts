// Several kubelite servers on one etcd serve one cluster: a write through one is seen by the
// others, the scheduler and controllers run on one server at a time through leader election
// on Leases, and when the leader is killed they move to another; kubelets run in their own
// process against any server. No acknowledged write is lost.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEtcd, type TestEtcd } from './support/etcd.ts';
import { spawnKubelite, type KubeliteProcess } from './support/process.ts';
import { runKubectl, type KubectlResult } from './support/server.ts';
import { hangGuard, until } from './support/wait.ts';

interface Replica {
  name: string;
  child: ChildProcess;
  url: string;
  kubeconfig: string;
  kubectl(args: string[], input?: string): Promise<KubectlResult>;
}

const children: ChildProcess[] = [];
let root: string;
let etcd: TestEtcd;

/** Starts `kubelite <args>` and resolves once it prints `ready`; every child is killed after the suite. */
async function launch(args: string[], ready?: RegExp): Promise<KubeliteProcess> {
  const started = spawnKubelite(args, { ready });
  started.then(({ child }) => children.push(child), () => undefined);
  return started;
}

async function startReplica(name: string): Promise<Replica> {
  const dataDir = join(root, name);
  const { child, match } = await launch([
    '--data-dir', dataDir, '--port', '0', '--no-kubelet',
    '--storage', 'etcd', '--etcd-servers', etcd.url,
    '--leader-elect-lease-duration', '3', '--leader-elect-renew-deadline', '2', '--leader-elect-retry-period', '0.5',
  ], /serving the Kubernetes API at (https:\/\/\S+)/);
  const kubeconfig = join(dataDir, 'kubeconfig');
  return { name, child, url: match[1], kubeconfig, kubectl: (args, input) => runKubectl(kubeconfig, args, { input }) };
}

async function leaseHolder(via: Replica, lease: string): Promise<string | undefined> {
  const res = await via.kubectl(['get', 'lease', '-n', 'kube-system', lease, '-o', 'jsonpath={.spec.holderIdentity}']);
  return res.code === 0 && res.stdout ? res.stdout : undefined;
}

async function runningPods(via: Replica, selector: string): Promise<number> {
  const res = await via.kubectl(['get', 'pods', '-l', selector, '-o', 'jsonpath={range .items[*]}{.status.phase}{"\\n"}{end}']);
  return res.stdout.split('\n').filter((p) => p === 'Running').length;
}

const replicaSet = (replicas: number) => JSON.stringify({
  apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web', namespace: 'default' },
  spec: {
    replicas, selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } },
  },
});

describe('three kubelite replicas on one etcd', { timeout: hangGuard(120_000) }, () => {
  let a: Replica;
  let b: Replica;
  let c: Replica;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'kubelite-replicas-'));
    etcd = await startEtcd();
    a = await startReplica('a');
    // A leads both, before the others stand.
    await until('replica a to lead', async () => (await leaseHolder(a, 'kube-controller-manager')) && (await leaseHolder(a, 'kube-scheduler')), 20_000, 200);
    [b, c] = await Promise.all([startReplica('b'), startReplica('c')]);
    await launch(['kubelet', '--kubeconfig', b.kubeconfig, '--nodes', '3'], /kubelite kubelet is running/);
  });

  after(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.all(children.map((child) => (child.exitCode === null && child.signalCode === null ? once(child, 'exit') : undefined)));
    await etcd?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('serve one cluster, and the workers move when the leader dies', async () => {
    // One cluster: what A writes, B and C serve.
    const created = await a.kubectl(['create', 'configmap', 'from-a', '--from-literal=k=v', '-o', 'jsonpath={.metadata.resourceVersion}']);
    assert.equal(created.code, 0, created.stderr);
    for (const r of [b, c]) {
      const got = await until(`${r.name} to serve from-a`, async () => {
        const res = await r.kubectl(['get', 'configmap', 'from-a', '-o', 'jsonpath={.metadata.resourceVersion}']);
        return res.code === 0 ? res.stdout : undefined;
      });
      assert.equal(got, created.stdout);
    }
    const nodes = await until('3 nodes Ready through C', async () => {
      const res = await c.kubectl(['get', 'nodes', '--no-headers']);
      const ready = res.stdout.split('\n').filter((l) => / Ready /.test(l)).length;
      return ready === 3 ? ready : undefined;
    }, 30_000, 200);
    assert.equal(nodes, 3);

    // Through A: a ReplicaSet of 2, reconciled and scheduled by A's workers.
    const applied = await a.kubectl(['apply', '-f', '-'], replicaSet(2));
    assert.equal(applied.code, 0, applied.stderr);
    await until('2 web pods Running', async () => (await runningPods(c, 'app=web')) === 2, 30_000, 200);
    const leaderBefore = await leaseHolder(b, 'kube-controller-manager');

    // Acknowledged writes through A just before it dies.
    const acknowledged: string[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await a.kubectl(['create', 'configmap', `ack-${i}`, '--from-literal=i=' + i]);
      if (res.code === 0) acknowledged.push(`ack-${i}`);
    }
    a.child.kill('SIGKILL');
    await once(a.child, 'exit');

    // The Leases move to B or C.
    const newLeader = await until('a new controller-manager leader', async () => {
      const holder = await leaseHolder(b, 'kube-controller-manager');
      return holder && holder !== leaderBefore ? holder : undefined;
    }, 30_000, 200);
    assert.notEqual(newLeader, leaderBefore);
    await until('a new scheduler leader', async () => {
      const holder = await leaseHolder(b, 'kube-scheduler');
      return holder && holder !== leaderBefore ? holder : undefined;
    }, 30_000, 200);

    // A scale through B completes under the new leader.
    const scaled = await b.kubectl(['scale', 'rs', 'web', '--replicas=4']);
    assert.equal(scaled.code, 0, scaled.stderr);
    await until('4 web pods Running', async () => (await runningPods(c, 'app=web')) === 4, 30_000, 200);

    // Nothing acknowledged by A is lost.
    const names = (await c.kubectl(['get', 'configmaps', '-o', 'jsonpath={.items[*].metadata.name}'])).stdout.split(' ');
    for (const name of acknowledged) assert.ok(names.includes(name), `${name} was acknowledged by A and must survive it`);
    assert.equal(acknowledged.length, 20);
  });
});
