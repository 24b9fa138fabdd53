// Stage 8: 1,000 pods created at once on a cluster of 10 simulated nodes (scheduler and
// kubelets in their worker threads, the fast stage bundle): how long until every pod is bound
// (the scheduler's throughput) and until every pod is Running.
import { join } from 'node:path';
import { HttpClient } from '../lib/http.ts';
import { createNamespace, pod } from '../lib/objects.ts';
import { ratePerSecond, runPool } from '../lib/pool.ts';
import { progress, sleep } from '../lib/context.ts';
import { ServerProcess } from '../lib/server-process.ts';
import type { Row } from '../lib/table.ts';

interface PodList {
  items: Array<{ spec?: { nodeName?: string }; status?: { phase?: string } }>;
}

export async function podsToRunning(opts: { root: string; pods: number; nodes: number }): Promise<Row[]> {
  const flags = ['--nodes', String(opts.nodes), '--stages', 'stages/pod-fast.yaml', '--no-controllers'];
  const { server } = await ServerProcess.start({ dataDir: join(opts.root, 'cluster'), flags });
  const client = new HttpClient(server.url, 64);
  try {
    await createNamespace(client, 'bench-run');
    await waitForNodes(client, opts.nodes);
    const path = '/api/v1/namespaces/bench-run/pods';
    const t0 = performance.now();
    const created = await runPool({ count: opts.pods, concurrency: 32, deadlineMs: 60_000 }, (i) => client.expectOk('POST', path, { body: pod(`run-${i}`, i) }));
    const createdMs = performance.now() - t0;
    let boundMs = NaN;
    let runningMs = NaN;
    const deadline = t0 + 60_000;
    while (performance.now() < deadline) {
      const list = JSON.parse((await client.expectOk('GET', path)).body) as PodList;
      const bound = list.items.filter((p) => p.spec?.nodeName).length;
      const running = list.items.filter((p) => p.status?.phase === 'Running').length;
      if (Number.isNaN(boundMs) && bound === opts.pods) boundMs = performance.now() - t0;
      if (running === opts.pods) {
        runningMs = performance.now() - t0;
        break;
      }
      await sleep(100);
    }
    progress(`stage 8: ${opts.pods} pods created in ${Math.round(createdMs)} ms, bound in ${Math.round(boundMs)} ms, Running in ${Math.round(runningMs)} ms`);
    const over = `${opts.pods.toLocaleString('en-US')} pods, ${opts.nodes} nodes`;
    return [
      { stage: '8. pods created (32 clients)', result: `${Math.round(ratePerSecond(created))}/s (${over})`, budget: '—' },
      { stage: '8. scheduler: all pods bound', result: Number.isNaN(boundMs) ? 'not all bound in 60 s' : `${(boundMs / 1000).toFixed(1)} s, ${Math.round(opts.pods / (boundMs / 1000))} pods/s`, budget: '—' },
      {
        stage: '8. pods/s, create → Running', result: Number.isNaN(runningMs) ? 'not all Running in 60 s' : `${(runningMs / 1000).toFixed(1)} s, ${Math.round(opts.pods / (runningMs / 1000))} pods/s (${over})`,
        budget: 'all Running ≤ 10 s', holds: !Number.isNaN(runningMs) && runningMs <= 10_000,
      },
    ];
  } finally {
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
