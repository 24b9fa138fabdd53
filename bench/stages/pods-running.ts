// Stage 8: 1,000 pods created at once on a cluster of 10 simulated nodes (scheduler and
// kubelets in their worker threads): how long until every pod is bound (the scheduler's
// throughput) and until every pod is Running. The headline runs the default stage bundle
// (events included) with every controller on, over HTTPS with the admin's certificate, as a
// user's cluster runs; the extra row runs the fast stages over the insecure port.
import { join } from 'node:path';
import type { HttpClient } from '../lib/http.ts';
import { createNamespace, currentResourceVersion, pod } from '../lib/objects.ts';
import { watchPods } from '../lib/pod-watch.ts';
import { ratePerSecond, runPool } from '../lib/pool.ts';
import { progress, sleep } from '../lib/context.ts';
import { ServerProcess } from '../lib/server-process.ts';
import type { Row } from '../lib/table.ts';

export interface PodsToRunningOptions {
  root: string;
  pods: number;
  nodes: number;
  /** `default`: default stages, all workers, HTTPS (budgeted); `fast`: stages/pod-fast.yaml, no controllers, insecure port. */
  variant: 'default' | 'fast';
  /** This server's storage flags (the etcd comparison), and the words its rows add. */
  storageFlags?: string[];
  storageLabel?: string;
}

export async function podsToRunning(opts: PodsToRunningOptions): Promise<Row[]> {
  const fast = opts.variant === 'fast';
  const flags = ['--nodes', String(opts.nodes), ...(fast ? ['--stages', 'stages/pod-fast.yaml', '--no-controllers'] : [])];
  const { server } = await ServerProcess.start({ dataDir: join(opts.root, `cluster-${opts.variant}${opts.storageLabel ? '-compare' : ''}`), flags, access: fast ? 'insecure' : 'user', storageFlags: opts.storageFlags });
  const client = server.client(64);
  const how = (fast ? 'fast stages, no controllers, insecure port' : 'default stages and workers, HTTPS') + (opts.storageLabel ? `, ${opts.storageLabel}` : '');
  try {
    await createNamespace(client, 'bench-run');
    await waitForNodes(client, opts.nodes);
    const path = '/api/v1/namespaces/bench-run/pods';
    // Followed through a watch from the empty namespace's resourceVersion, as kubectl wait follows pods.
    const watch = await watchPods(server, path, await currentResourceVersion(client, path));
    const t0 = performance.now();
    const { created, createdMs, boundMs, runningMs } = await (async () => {
      try {
        const created = await runPool({ count: opts.pods, concurrency: 32, deadlineMs: 60_000 }, (i) => client.expectOk('POST', path, { body: pod(`run-${i}`, i) }));
        const createdMs = performance.now() - t0;
        const [bound, running] = await Promise.all([
          watch.until((p) => p.bound === opts.pods, t0 + 60_000),
          watch.until((p) => p.running === opts.pods, t0 + 60_000),
        ]);
        return { created, createdMs, boundMs: bound - t0, runningMs: running - t0 };
      } finally {
        watch.close();
      }
    })();
    progress(`stage 8 (${how}): ${opts.pods} pods created in ${Math.round(createdMs)} ms, bound in ${Math.round(boundMs)} ms, Running in ${Math.round(runningMs)} ms`);
    const over = `${opts.pods.toLocaleString('en-US')} pods, ${opts.nodes} nodes`;
    return [
      { stage: `8. pods created (32 clients), ${how}`, result: `${Math.round(ratePerSecond(created))}/s (${over})`, budget: '—' },
      { stage: `8. scheduler: all pods bound, ${how}`, result: Number.isNaN(boundMs) ? 'not all bound in 60 s' : `${(boundMs / 1000).toFixed(1)} s, ${Math.round(opts.pods / (boundMs / 1000))} pods/s`, budget: '—' },
      {
        stage: `8. create → all Running, ${how}`, result: Number.isNaN(runningMs) ? 'not all Running in 60 s' : `${(runningMs / 1000).toFixed(1)} s, ${Math.round(opts.pods / (runningMs / 1000))} pods/s (${over})`,
        budget: fast ? '—' : 'all Running ≤ 3 s', holds: fast ? undefined : !Number.isNaN(runningMs) && runningMs <= 3_000,
      },
    ];
  } finally {
    client.close();
    await server.stop();
  }
}

export async function waitForNodes(client: HttpClient, nodes: number): Promise<void> {
  const deadline = performance.now() + 30_000;
  while (performance.now() < deadline) {
    const list = JSON.parse((await client.expectOk('GET', '/api/v1/nodes')).body) as { items: unknown[] };
    if (list.items.length >= nodes) return;
    await sleep(100);
  }
  throw new Error(`the ${nodes} simulated nodes did not register within 30 s`);
}
