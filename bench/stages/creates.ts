// Stage 2: ConfigMap creates per second at several concurrencies. The headline rows load the
// server as users reach it (HTTPS + the admin's client certificate, RBAC, admission, every
// worker on: what `npm start` runs); the extra rows load the insecure port of the API server
// alone, which shows what TLS, authentication, authorization and the workers cost.
import { cpuMeter, type StageContext } from '../lib/context.ts';
import { configMap } from '../lib/objects.ts';
import { ratePerSecond, runPool } from '../lib/pool.ts';
import { summarize } from '../lib/stats.ts';
import { formatCount, noBudget, type Row } from '../lib/table.ts';

export interface Budget {
  text: string;
  holds(ratePerSecond: number, p99Ms: number): boolean;
}

export interface CreateOptions {
  namespace: string;
  perLevel: number;
  levels: number[];
  /** How the server is reached, for the row's name ("default npm start, HTTPS" or "insecure port, API server alone"). */
  path: string;
  /** The budget per concurrency level; levels without one only inform. */
  budgets: Record<number, Budget>;
  /** Tells the names of this run's ConfigMaps from another run's in the same namespace. */
  prefix?: string;
}

/** The name of the i-th ConfigMap created at `clients` concurrency. */
export const createdName = (clients: number, i: number, prefix = 'cm') => `${prefix}-c${clients}-${i}`;

export async function configMapCreates(ctx: StageContext, opts: CreateOptions): Promise<Row[]> {
  const rows: Row[] = [];
  for (const clients of opts.levels) {
    const cpu = await cpuMeter(ctx.server);
    const result = await runPool({ count: opts.perLevel, concurrency: clients, deadlineMs: 40_000 }, (i) =>
      ctx.client.expectOk('POST', `/api/v1/namespaces/${opts.namespace}/configmaps`, { body: configMap(createdName(clients, i, opts.prefix)) }));
    const s = summarize(result.latenciesMs);
    const rate = ratePerSecond(result);
    ctx.progress(`stage 2 (${opts.path}): ${formatCount(result.completed)} creates with ${clients} clients: ${formatCount(rate)}/s, p50 ${s.p50.toFixed(2)} ms, p99 ${s.p99.toFixed(2)} ms; ${await cpu()}`);
    const budget = opts.budgets[clients];
    rows.push({
      stage: `2. ConfigMap creates, ${clients} client${clients === 1 ? '' : 's'}, ${opts.path}`,
      result: `${formatCount(rate)}/s (${formatCount(result.completed)})`,
      p50Ms: s.p50, p99Ms: s.p99,
      budget: budget?.text ?? noBudget,
      holds: budget?.holds(rate, s.p99),
    });
  }
  return rows;
}
