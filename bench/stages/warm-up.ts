// Before anything is measured: the same request paths, unmeasured, so that V8 has optimised
// both the server's and the bench client's hot code (the first ~1,000 requests run 2–3× slower).
import type { StageContext } from '../lib/context.ts';
import { configMap } from '../lib/objects.ts';
import { runPool } from '../lib/pool.ts';

export async function warmUp(ctx: StageContext, opts: { namespace: string; objects: number }): Promise<void> {
  const base = `/api/v1/namespaces/${opts.namespace}/configmaps`;
  const started = performance.now();
  const each = (task: (i: number) => Promise<unknown>) => runPool({ count: opts.objects, concurrency: 8, deadlineMs: 20_000 }, task);
  await each((i) => ctx.client.expectOk('POST', base, { body: configMap(`warm-${i}`) }));
  await each((i) => ctx.client.expectOk('GET', `${base}/warm-${i}`));
  await each((i) => ctx.client.expectOk('PATCH', `${base}/warm-${i}`, { body: { data: { key: 'warm' } }, contentType: 'application/merge-patch+json' }));
  ctx.progress(`warm-up: ${opts.objects} creates, GETs and PATCHes in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
