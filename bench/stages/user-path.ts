// The headline: kubelite started as `npm start` starts it (scheduler, 3 kubelets, every
// controller) and loaded as kubectl loads it — HTTPS with the admin kubeconfig's client
// certificate, so every request pays TLS, authentication, RBAC and admission — while its
// workers react to every write through their own watches.
import { join } from 'node:path';
import { progress, type StageContext } from '../lib/context.ts';
import { createNamespace } from '../lib/objects.ts';
import { runPool } from '../lib/pool.ts';
import { ServerProcess } from '../lib/server-process.ts';
import { formatMiB, type Row } from '../lib/table.ts';
import { configMapCreates } from './creates.ts';
import { configMapGets } from './get.ts';

const mib = 1024 * 1024;
const idleBudgetBytes = 100 * mib;
const createBudget = { text: '≥ 2,500/s, p99 ≤ 50 ms', holds: (rate: number, p99: number) => rate >= 2500 && p99 <= 50 };

export async function userPath(opts: { root: string; perLevel: number; cpuProfDir?: string }): Promise<Row[]> {
  const { server } = await ServerProcess.start({ dataDir: join(opts.root, 'user-path'), flags: [], access: 'user', cpuProfDir: opts.cpuProfDir });
  const client = server.client(128);
  const ctx: StageContext = { server, client, progress };
  try {
    // Idle: the workers have registered their nodes and settled before anything is asked of it.
    await waitForReadyNodes(ctx, 3);
    const idle = await server.rssBytes();
    progress(`stage 2 (default npm start, HTTPS): idle RSS ${formatMiB(idle)}`);
    await createNamespace(client, 'bench-user');
    await runPool({ count: 1000, concurrency: 32, deadlineMs: 20_000 }, (i) =>
      client.expectOk('POST', '/api/v1/namespaces/bench-user/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `warm-${i}` } } }));
    const creates = await configMapCreates(ctx, {
      namespace: 'bench-user', perLevel: opts.perLevel, levels: [32, 64], path: 'default npm start, HTTPS + client cert',
      budgets: { 32: createBudget, 64: createBudget }, prefix: 'user',
    });
    const get = await configMapGets(ctx, { namespace: 'bench-user', name: 'warm-0', count: 3000 });
    return [
      { stage: '7. server RSS idle, default npm start', result: formatMiB(idle), budget: '≤ 100 MiB', holds: idle <= idleBudgetBytes },
      ...creates,
      { ...get, stage: `${get.stage}, default npm start, HTTPS + client cert` },
    ];
  } finally {
    client.close();
    await server.stop();
  }
}

async function waitForReadyNodes(ctx: StageContext, nodes: number): Promise<void> {
  const deadline = performance.now() + 30_000;
  while (performance.now() < deadline) {
    const list = JSON.parse((await ctx.client.expectOk('GET', '/api/v1/nodes')).body) as { items: { status?: { conditions?: { type: string; status: string }[] } }[] };
    const ready = list.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
    if (ready >= nodes) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${nodes} nodes were not Ready within 30 s`);
}
