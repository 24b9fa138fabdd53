// Stage 6: a watcher that never reads. ~100 MiB of events from updates of large ConfigMaps go
// past it; the server must close it once its unsent buffer passes the bound (16 MiB) rather
// than hold everything — memory stays bounded. The same writes first run with no watcher at
// all: the watch cache's event ring keeps recent versions whoever watches, and that growth is
// the baseline the slow watcher's is compared with.
import { sleep, type StageContext } from '../lib/context.ts';
import { configMap, currentResourceVersion } from '../lib/objects.ts';
import { runPool } from '../lib/pool.ts';
import { openStalledWatch } from '../lib/stalled-watch.ts';
import { formatMiB, type Row } from '../lib/table.ts';

export interface SlowWatcherOptions {
  namespace: string;
  /** Bytes of data in each large ConfigMap (they may hold 1 MiB). */
  objectBytes: number;
  /** Total bytes of events to write past the watcher. */
  totalBytes: number;
}

/** What kubelite logs when it drops a watcher that does not read (server/watch-http.ts). */
const closeLogLine = 'closing watch of a client that does not read';
const objects = 4;
const growthBudgetBytes = 150 * 1024 * 1024;

export async function slowWatcher(ctx: StageContext, opts: SlowWatcherOptions): Promise<Row[]> {
  const base = `/api/v1/namespaces/${opts.namespace}/configmaps`;
  for (let i = 0; i < objects; i++) await ctx.client.expectOk('POST', base, { body: configMap(`big-${i}`, { blob: filler(0, opts.objectBytes) }) });
  const updates = Math.ceil(opts.totalBytes / opts.objectBytes);
  ctx.progress(`stage 6: baseline, no watcher: ${updates} updates of ${formatMiB(opts.objectBytes)} ConfigMaps`);
  const baseline = await writeLargeEvents(ctx, base, opts, 0);
  const watcher = await openStalledWatch(ctx.client, `${base}?watch=true&resourceVersion=${await currentResourceVersion(ctx.client, base)}`);
  try {
    ctx.progress(`stage 6: a watcher that never reads; ${updates} more updates`);
    const stalled = await writeLargeEvents(ctx, base, opts, updates);
    for (let waited = 0; waited < 5000 && !ctx.server.logged(closeLogLine); waited += 100) await sleep(100);
    const drained = await watcher.drain(10_000);
    const closed = drained.ended && ctx.server.logged(closeLogLine);
    ctx.progress(`stage 6: watcher ${closed ? 'closed by the server' : 'NOT closed'} after ${formatMiB(drained.bytes)} reached it; RSS growth ${formatMiB(baseline.growth)} without it, ${formatMiB(stalled.growth)} with it (peak ${formatMiB(stalled.peak)})`);
    return [
      {
        stage: '6. slow watcher closed by the server',
        result: `${closed ? 'closed' : 'not closed'}; ${formatMiB(stalled.written)} written, ${formatMiB(drained.bytes)} reached it`,
        budget: 'closed (16 MiB unsent bound)', holds: closed,
      },
      {
        // The event ring is bounded by bytes (--watch-cache-bytes, 64 MiB of JSON by default), so
        // 100 MiB of events may grow the server by that window and its parsed copies, no more.
        stage: '6. server RSS growth per 100 MiB of events',
        result: `no watcher ${signedMiB(baseline.growth)} (peak ${formatMiB(baseline.peak)}); slow watcher ${signedMiB(stalled.growth)} (peak ${formatMiB(stalled.peak)})`,
        budget: '≤ 150 MiB', holds: baseline.growth <= growthBudgetBytes && stalled.growth <= growthBudgetBytes,
      },
    ];
  } finally {
    watcher.socket.destroy();
  }
}

interface WriteResult {
  written: number;
  /** RSS after the writes minus RSS before (settled for half a second each side). */
  growth: number;
  peak: number;
}

/** `opts.totalBytes` of events: PATCHes of the large ConfigMaps, two in flight, RSS sampled. */
async function writeLargeEvents(ctx: StageContext, base: string, opts: SlowWatcherOptions, firstUpdate: number): Promise<WriteResult> {
  await sleep(500);
  const before = await ctx.server.rssBytes();
  let peak = before;
  const sampler = setInterval(() => void ctx.server.rssBytes().then((rss) => (peak = Math.max(peak, rss)), () => {}), 100);
  try {
    const updates = Math.ceil(opts.totalBytes / opts.objectBytes);
    const writes = await runPool({ count: updates, concurrency: 2, deadlineMs: 60_000 }, (i) =>
      ctx.client.expectOk('PATCH', `${base}/big-${i % objects}`, {
        body: { data: { blob: filler(firstUpdate + i + 1, opts.objectBytes) } }, contentType: 'application/merge-patch+json',
      }));
    await sleep(500);
    const after = await ctx.server.rssBytes();
    return { written: writes.completed * opts.objectBytes, growth: after - before, peak: Math.max(peak, after) };
  } finally {
    clearInterval(sampler);
  }
}

/** A value of `bytes` characters that differs per update, so that every PATCH is a change. */
function filler(update: number, bytes: number): string {
  const tag = `${update}:`;
  return tag + 'x'.repeat(bytes - tag.length);
}

function signedMiB(bytes: number): string {
  return `${bytes >= 0 ? '+' : '−'}${formatMiB(Math.abs(bytes))}`;
}

