// Stage 6: a watcher that never reads. ~100 MiB of events from updates of large ConfigMaps go
// past it; the server must close it once its unsent buffer passes the bound (16 MiB) rather
// than hold everything — memory stays bounded.
import net from 'node:net';
import { sleep, type StageContext } from '../lib/context.ts';
import { configMap, currentResourceVersion } from '../lib/objects.ts';
import { runPool } from '../lib/pool.ts';
import { formatMiB, noBudget, type Row } from '../lib/table.ts';

export interface SlowWatcherOptions {
  namespace: string;
  /** Bytes of data in each large ConfigMap (they may hold 1 MiB). */
  objectBytes: number;
  /** Total bytes of events to write past the watcher. */
  totalBytes: number;
}

/** What kubelite logs when it drops a watcher that does not read (server/watch-http.ts). */
const closeLogLine = 'closing watch of a client that does not read';

export async function slowWatcher(ctx: StageContext, opts: SlowWatcherOptions): Promise<Row[]> {
  const base = `/api/v1/namespaces/${opts.namespace}/configmaps`;
  const objects = 4;
  for (let i = 0; i < objects; i++) await ctx.client.expectOk('POST', base, { body: configMap(`big-${i}`, { blob: filler(0, opts.objectBytes) }) });
  const rssBefore = await ctx.server.rssBytes();
  const watcher = await openStalledWatch(ctx, `${base}?watch=true&resourceVersion=${await currentResourceVersion(ctx.client, base)}`);
  let rssPeak = rssBefore;
  const sampler = setInterval(() => void ctx.server.rssBytes().then((rss) => (rssPeak = Math.max(rssPeak, rss)), () => {}), 100);
  try {
    const updates = Math.ceil(opts.totalBytes / opts.objectBytes);
    ctx.progress(`stage 6: a watcher that never reads; ${updates} updates of ${formatMiB(opts.objectBytes)} ConfigMaps`);
    const writes = await runPool({ count: updates, concurrency: 2, deadlineMs: 90_000 }, (i) =>
      ctx.client.expectOk('PATCH', `${base}/big-${i % objects}`, {
        body: { data: { blob: filler(i + 1, opts.objectBytes) } }, contentType: 'application/merge-patch+json',
      }));
    const written = writes.completed * opts.objectBytes;
    for (let waited = 0; waited < 5000 && !ctx.server.logged(closeLogLine); waited += 100) await sleep(100);
    const logged = ctx.server.logged(closeLogLine);
    const drained = await watcher.drain(10_000);
    await sleep(500);
    const rssAfter = await ctx.server.rssBytes();
    const closed = drained.ended && logged;
    ctx.progress(`stage 6: wrote ${formatMiB(written)}; watcher ${closed ? 'closed by the server' : 'NOT closed'} after ${formatMiB(drained.bytes)} reached it; RSS ${formatMiB(rssBefore)} → ${formatMiB(rssAfter)} (peak ${formatMiB(rssPeak)})`);
    return [
      {
        stage: '6. slow watcher closed by the server',
        result: `${closed ? 'closed' : 'not closed'}; ${formatMiB(written)} written, ${formatMiB(drained.bytes)} reached it`,
        budget: 'closed (16 MiB unsent bound)', holds: closed,
      },
      {
        stage: '6. server RSS around the slow watcher',
        result: `${formatMiB(rssBefore)} → ${formatMiB(rssAfter)} (peak ${formatMiB(rssPeak)})`,
        budget: noBudget,
      },
    ];
  } finally {
    clearInterval(sampler);
    watcher.socket.destroy();
  }
}

/** A value of `bytes` characters that differs per update, so that every PATCH is a change. */
function filler(update: number, bytes: number): string {
  const tag = `${update}:`;
  return tag + 'x'.repeat(bytes - tag.length);
}

/** A raw TCP watch that reads its response headers and then nothing more. */
async function openStalledWatch(ctx: StageContext, path: string) {
  const socket = net.connect(ctx.client.port, ctx.client.host);
  let bytes = 0;
  let ended = false;
  socket.on('error', () => (ended = true)); // a reset is a close too
  socket.on('close', () => (ended = true));
  await new Promise<void>((resolve, reject) => {
    let head = '';
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.pause();
      socket.off('data', onData);
      if (!head.startsWith('HTTP/1.1 200')) return reject(new Error(`slow watch: ${head.split('\r\n')[0]}`));
      resolve();
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.write(`GET ${path} HTTP/1.1\r\nHost: ${ctx.client.host}:${ctx.client.port}\r\nAccept: application/json\r\n\r\n`);
  });
  return {
    socket,
    /** Reads what the kernel buffered; `ended` says whether the server had closed the stream. */
    drain: (timeoutMs: number) => new Promise<{ ended: boolean; bytes: number }>((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        resolve({ ended, bytes });
      };
      const timer = setTimeout(finish, timeoutMs);
      if (ended) return finish();
      socket.on('data', (chunk: Buffer) => (bytes += chunk.length));
      socket.once('end', () => ((ended = true), finish()));
      socket.once('close', finish);
      socket.resume();
    }),
  };
}
