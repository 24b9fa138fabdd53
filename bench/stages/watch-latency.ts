// Stage 5: watch delivery latency, from the start of a write to each watcher's receipt of its
// event, for 1 watcher and for 1,000 watchers of one resource while 1,000 objects are updated.
import type net from 'node:net';
import { cpuMeter, sleep, type StageContext } from '../lib/context.ts';
import { openRawWatch } from '../lib/raw-watch.ts';
import { configMap, currentResourceVersion } from '../lib/objects.ts';
import { ratePerSecond, runPool } from '../lib/pool.ts';
import { summarize } from '../lib/stats.ts';
import { formatCount, noBudget, type Row } from '../lib/table.ts';

export interface WatchOptions {
  namespace: string;
  objects: number;
  watcherCounts: number[];
}

export async function watchLatency(ctx: StageContext, opts: WatchOptions): Promise<Row[]> {
  const base = `/api/v1/namespaces/${opts.namespace}/configmaps`;
  await runPool({ count: opts.objects, concurrency: 32, deadlineMs: 30_000 }, (i) =>
    ctx.client.expectOk('POST', base, { body: configMap(`w-${i}`) }));
  const rows: Row[] = [];
  for (const [round, watchers] of opts.watcherCounts.entries()) {
    rows.push(await watchRound(ctx, { base, objects: opts.objects, watchers, round }));
  }
  return rows;
}

interface RoundOptions {
  base: string;
  objects: number;
  watchers: number;
  round: number;
}

async function watchRound(ctx: StageContext, opts: RoundOptions): Promise<Row> {
  const latencies = new Float64Array(opts.objects * opts.watchers);
  const writeStart = new Map<string, number>();
  let received = 0;
  const onEvent = (name: string, at: number) => {
    const start = writeStart.get(name);
    if (start !== undefined && received < latencies.length) latencies[received++] = at - start;
  };

  const rv = await currentResourceVersion(ctx.client, opts.base);
  const sockets = await openWatchers(ctx, `${opts.base}?watch=true&resourceVersion=${rv}`, opts.watchers, onEvent);
  try {
    ctx.progress(`stage 5: ${opts.watchers} watcher(s) open; updating ${opts.objects} ConfigMaps`);
    const cpu = await cpuMeter(ctx.server);
    // One update in flight at a time: latency is delivery, not a queue of writes.
    const writes = await runPool({ count: opts.objects, concurrency: 1, deadlineMs: 60_000 }, (i) => {
      writeStart.set(`w-${i}`, performance.now());
      return ctx.client.expectOk('PATCH', `${opts.base}/w-${i}`, {
        body: { data: { key: `round-${opts.round}` } }, contentType: 'application/merge-patch+json',
      });
    });
    // Every watcher should see every update that was made (all of them, unless the deadline hit).
    const expected = writes.completed * opts.watchers;
    for (const stopAt = performance.now() + 30_000; received < expected && performance.now() < stopAt;) await sleep(10);
    const cpuShares = await cpu();
    const s = summarize(latencies.subarray(0, received));
    const complete = received === expected && writes.completed === opts.objects;
    ctx.progress(`stage 5: ${opts.watchers} watcher(s): ${formatCount(received)}/${formatCount(expected)} events, p50 ${s.p50.toFixed(2)} ms, p99 ${s.p99.toFixed(2)} ms, max ${s.max.toFixed(1)} ms; ${cpuShares}`);
    const budgeted = opts.watchers >= 1000;
    return {
      stage: `5. watch delivery, ${formatCount(opts.watchers)} watcher${opts.watchers === 1 ? '' : 's'}`,
      result: `${formatCount(received)}/${formatCount(expected)} events; ${formatCount(ratePerSecond(writes))} updates/s`,
      p50Ms: s.p50, p99Ms: s.p99,
      budget: budgeted ? 'p99 ≤ 50 ms' : noBudget,
      holds: budgeted ? complete && s.p99 <= 50 : undefined,
    };
  } finally {
    for (const socket of sockets) socket.destroy();
  }
}

/** Opens `count` watches (50 connecting at a time), resolved once each has its response headers. */
async function openWatchers(ctx: StageContext, path: string, count: number, onEvent: (name: string, at: number) => void) {
  const sockets: net.Socket[] = [];
  const open = async () => {
    sockets.push(await openRawWatch({
      host: ctx.client.host, port: ctx.client.port, path, namePrefix: '"name":"w-', onName: (suffix, at) => onEvent(`w-${suffix}`, at),
    }));
  };
  try {
    const opened = await runPool({ count, concurrency: 50, deadlineMs: 30_000 }, open);
    if (opened.completed < count) throw new Error(`opened only ${opened.completed} of ${count} watches`);
  } catch (err) {
    for (const socket of sockets) socket.destroy();
    throw err;
  }
  return sockets;
}
