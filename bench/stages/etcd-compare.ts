// `--compare-etcd`: two representative stages again with the store on etcd, in the same run
// as the LevelDB rows, so that the two backends meet the same machine load: ConfigMap creates
// at 64 clients on the API server alone (a fresh server per backend, side by side), and 1,000
// pods over 10 nodes to Running with every worker on (the LevelDB row is stage 8's).
import { join } from 'node:path';
import { progress, type StageContext } from '../lib/context.ts';
import { createNamespace } from '../lib/objects.ts';
import { ServerProcess } from '../lib/server-process.ts';
import type { Row } from '../lib/table.ts';
import { configMapCreates } from './creates.ts';
import { podsToRunning } from './pods-running.ts';
import { warmUp } from './warm-up.ts';

export interface EtcdComparisonOptions {
  root: string;
  /** Storage flags of a server on the run's etcd (each call: its own key prefix). */
  storageFlags: () => string[];
}

export async function etcdComparison(opts: EtcdComparisonOptions): Promise<Row[]> {
  const rows: Row[] = [];
  for (const [backend, flags] of [['LevelDB', []], ['etcd', opts.storageFlags()]] as const) {
    rows.push(...await createsOn(opts.root, backend, [...flags]));
  }
  rows.push(...await podsToRunning({ root: opts.root, pods: 1000, nodes: 10, variant: 'default', storageFlags: opts.storageFlags(), storageLabel: 'on etcd' }));
  return rows;
}

async function createsOn(root: string, backend: string, storageFlags: string[]): Promise<Row[]> {
  const { server } = await ServerProcess.start({ dataDir: join(root, `compare-${backend}`), storageFlags });
  const client = server.client(128);
  const ctx: StageContext = { server, client, progress };
  try {
    for (const ns of ['compare-warmup', 'compare']) await createNamespace(client, ns);
    await warmUp(ctx, { namespace: 'compare-warmup', objects: 1000 });
    return await configMapCreates(ctx, { namespace: 'compare', perLevel: 2000, levels: [64], path: `insecure port, API server alone, on ${backend}`, budgets: {} });
  } finally {
    client.close();
    await server.stop();
  }
}
