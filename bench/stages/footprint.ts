// Stage 7: the server's resident memory and the size of its data directory.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { StageContext } from '../lib/context.ts';
import { formatMiB, noBudget, type Row } from '../lib/table.ts';

const budgetBytes = 350 * 1024 * 1024;

export async function footprint(ctx: StageContext, opts: { dataDir: string; holding: string }): Promise<Row[]> {
  const rss = await ctx.server.rssBytes();
  const disk = await diskUsageBytes(opts.dataDir);
  ctx.progress(`stage 7: RSS ${formatMiB(rss)}, data dir ${formatMiB(disk)}`);
  return [
    { stage: '7. server RSS after 10,000 pods, API server alone', result: `${formatMiB(rss)} (${opts.holding})`, budget: '≤ 350 MiB', holds: rss <= budgetBytes },
    { stage: '7. data dir size (du)', result: formatMiB(disk), budget: noBudget },
  ];
}

async function diskUsageBytes(dir: string): Promise<number> {
  const { stdout } = await promisify(execFile)('du', ['-sk', dir]);
  return Number(stdout.split(/\s/)[0]) * 1024;
}
