// Stage 4: LIST of 10,000 pods, all of them and with a label selector that matches 100.
import { cpuMeter, type StageContext } from '../lib/context.ts';
import { pod } from '../lib/objects.ts';
import { ratePerSecond, runPool } from '../lib/pool.ts';
import { summarize } from '../lib/stats.ts';
import { formatCount, formatMiB, type Row } from '../lib/table.ts';

export interface ListOptions {
  namespace: string;
  pods: number;
}

export async function createPods(ctx: StageContext, opts: ListOptions): Promise<Row> {
  const cpu = await cpuMeter(ctx.server);
  const result = await runPool({ count: opts.pods, concurrency: 64, deadlineMs: 60_000 }, (i) =>
    ctx.client.expectOk('POST', `/api/v1/namespaces/${opts.namespace}/pods`, { body: pod(`pod-${i}`, i) }));
  const s = summarize(result.latenciesMs);
  ctx.progress(`stage 4: ${formatCount(result.completed)} pods created, ${formatCount(ratePerSecond(result))}/s; ${await cpu()}`);
  return { stage: '4. Pod creates, 64 clients, insecure port', result: `${formatCount(ratePerSecond(result))}/s (${formatCount(result.completed)})`, p50Ms: s.p50, p99Ms: s.p99, budget: '≥ 3,000/s', holds: ratePerSecond(result) >= 3000 };
}

export async function listPods(ctx: StageContext, opts: ListOptions): Promise<Row[]> {
  const path = `/api/v1/namespaces/${opts.namespace}/pods`;
  const all = await timedLists(ctx, path, { count: 20, expectItems: opts.pods });
  const selected = await timedLists(ctx, `${path}?labelSelector=app%3Da7`, { count: 200, expectItems: opts.pods / 100 });
  ctx.progress(`stage 4: LIST all p50 ${all.p50.toFixed(1)} ms (${formatMiB(all.bytes)}); selector p50 ${selected.p50.toFixed(2)} ms`);
  return [
    {
      stage: `4. LIST ${formatCount(opts.pods)} pods, all`, result: `${formatCount(all.items)} items, ${formatMiB(all.bytes)}`,
      p50Ms: all.p50, p99Ms: all.p99, budget: 'p50 ≤ 150 ms', holds: all.items === opts.pods && all.p50 <= 150,
    },
    {
      stage: `4. LIST ${formatCount(opts.pods)} pods, labelSelector`, result: `${formatCount(selected.items)} items`,
      p50Ms: selected.p50, p99Ms: selected.p99, budget: 'p50 ≤ 10 ms', holds: selected.items === opts.pods / 100 && selected.p50 <= 10,
    },
  ];
}

/** `count` sequential LISTs; the first is decoded to check its length, the rest only timed. */
async function timedLists(ctx: StageContext, path: string, opts: { count: number; expectItems: number }) {
  const first = await ctx.client.expectOk('GET', path);
  const items = (JSON.parse(first.body) as { items: unknown[] }).items.length;
  if (items !== opts.expectItems) ctx.progress(`stage 4: warning: ${path} returned ${items} items, expected ${opts.expectItems}`);
  const result = await runPool({ count: opts.count, concurrency: 1, deadlineMs: 30_000 }, () =>
    ctx.client.expectOk('GET', path, { discardBody: true }));
  return { ...summarize(result.latenciesMs), items, bytes: first.bytes };
}
