// Stage 2: ConfigMap creates per second with 1, 8 and 64 concurrent clients.
import { cpuMeter, type StageContext } from '../lib/context.ts';
import { configMap } from '../lib/objects.ts';
import { ratePerSecond, runPool } from '../lib/pool.ts';
import { summarize } from '../lib/stats.ts';
import { formatCount, noBudget, type Row } from '../lib/table.ts';

export interface CreateOptions {
  namespace: string;
  perLevel: number;
  levels: number[];
}

/** The name of the i-th ConfigMap created at `clients` concurrency. */
export const createdName = (clients: number, i: number) => `cm-c${clients}-${i}`;

export async function configMapCreates(ctx: StageContext, opts: CreateOptions): Promise<Row[]> {
  const rows: Row[] = [];
  for (const clients of opts.levels) {
    const cpu = await cpuMeter(ctx.server);
    const result = await runPool({ count: opts.perLevel, concurrency: clients, deadlineMs: 40_000 }, (i) =>
      ctx.client.expectOk('POST', `/api/v1/namespaces/${opts.namespace}/configmaps`, { body: configMap(createdName(clients, i)) }));
    const s = summarize(result.latenciesMs);
    const rate = ratePerSecond(result);
    ctx.progress(`stage 2: ${formatCount(result.completed)} creates with ${clients} clients: ${formatCount(rate)}/s, p50 ${s.p50.toFixed(2)} ms, p99 ${s.p99.toFixed(2)} ms; ${await cpu()}`);
    const budgeted = clients === 64;
    rows.push({
      stage: `2. ConfigMap creates, ${clients} client${clients === 1 ? '' : 's'}`,
      result: `${formatCount(rate)}/s (${formatCount(result.completed)})`,
      p50Ms: s.p50, p99Ms: s.p99,
      budget: budgeted ? '≥ 3,000/s, p99 ≤ 50 ms' : noBudget,
      holds: budgeted ? rate >= 3000 && s.p99 <= 50 : undefined,
    });
  }
  return rows;
}
