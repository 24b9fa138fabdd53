// Stage 3: GET of one ConfigMap, one client, one request at a time (latency, not throughput).
import type { StageContext } from '../lib/context.ts';
import { ratePerSecond, runPool } from '../lib/pool.ts';
import { summarize } from '../lib/stats.ts';
import { formatCount, type Row } from '../lib/table.ts';

export async function configMapGets(ctx: StageContext, opts: { namespace: string; name: string; count: number }): Promise<Row> {
  const path = `/api/v1/namespaces/${opts.namespace}/configmaps/${opts.name}`;
  const result = await runPool({ count: opts.count, concurrency: 1, deadlineMs: 20_000 }, () => ctx.client.expectOk('GET', path));
  const s = summarize(result.latenciesMs);
  ctx.progress(`stage 3: ${formatCount(result.completed)} GETs: p50 ${s.p50.toFixed(2)} ms, p99 ${s.p99.toFixed(2)} ms`);
  return {
    stage: '3. GET ConfigMap, 1 client',
    result: `${formatCount(ratePerSecond(result))}/s (${formatCount(result.completed)})`,
    p50Ms: s.p50, p99Ms: s.p99, budget: 'p99 ≤ 5 ms', holds: s.p99 <= 5,
  };
}
