// Stage 11: what one more object of each common kind costs the server in resident memory,
// against the size of its JSON as the server answers a GET of it (managed fields included).
// Each kind gets a fresh API server (no workers: the store and the watch cache alone, the
// part every object pays whoever watches it), a warm-up of the same kind, then `count`
// creates; the row is the RSS growth divided by `count`. RSS moves with the garbage
// collector's timing, so small kinds swing more than large ones.
import { join } from 'node:path';
import { progress, sleep } from '../lib/context.ts';
import { createNamespace } from '../lib/objects.ts';
import { runPool } from '../lib/pool.ts';
import { ServerProcess } from '../lib/server-process.ts';
import { formatCount, formatMiB, type Row } from '../lib/table.ts';
import { kindSamples, type KindSample } from './kind-samples.ts';

export interface MemoryPerKindOptions {
  root: string;
  /** Objects created per kind after the warm-up (default 5,000). */
  count?: number;
  storageFlags?: string[];
}

const warmUp = 500;
const ratioBudget = 4;

export async function memoryPerKind(opts: MemoryPerKindOptions): Promise<Row[]> {
  const count = opts.count ?? 5000;
  const rows: Row[] = [];
  for (const sample of kindSamples) rows.push(await measureKind(opts, sample, count));
  return rows;
}

async function measureKind(opts: MemoryPerKindOptions, sample: KindSample, count: number): Promise<Row> {
  const flags = ['--no-scheduler', '--no-kubelet', '--no-controllers'];
  const { server } = await ServerProcess.start({ dataDir: join(opts.root, `kind-${sample.kind}`), flags, storageFlags: opts.storageFlags });
  const client = server.client(32);
  try {
    if (sample.namespaced) await createNamespace(client, 'kinds');
    const path = sample.namespaced ? sample.path.replace('{ns}', 'kinds') : sample.path;
    const create = (from: number, n: number) => runPool({ count: n, concurrency: 32, deadlineMs: 120_000 }, (i) =>
      client.expectOk('POST', path, { body: sample.object(from + i) }));
    await create(0, warmUp);
    await sleep(1000);
    const before = await server.rssBytes();
    const made = await create(warmUp, count);
    await sleep(2000);
    const after = await server.rssBytes();
    const json = (await client.expectOk('GET', `${path}/${sample.name(warmUp)}`)).bytes;
    const perObject = (after - before) / made.completed;
    const ratio = perObject / json;
    progress(`stage 11: ${sample.kind}: ${formatCount(made.completed)} created, RSS ${formatMiB(before)} → ${formatMiB(after)}, ${formatCount(perObject)} B per object, JSON ${formatCount(json)} B (${ratio.toFixed(1)}×)`);
    return {
      stage: `11. RSS growth per ${sample.kind}, API server alone`,
      result: `${formatCount(perObject)} B per object, JSON ${formatCount(json)} B: ${ratio.toFixed(1)}× (${formatCount(made.completed)} objects, +${formatMiB(after - before)})`,
      budget: `≤ ${ratioBudget}× its JSON`, holds: made.completed === count && ratio <= ratioBudget,
    };
  } finally {
    client.close();
    await server.stop();
  }
}
