// Stage 1: spawn → /readyz 200, on an empty store and on a store of 50,000 ConfigMaps
// (filled through the API, then the server restarted on the same directory), started as
// users start it: `node bin/kubelite.js`, which runs the bundle `npm run build` wrote to dist/.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { progress } from '../lib/context.ts';
import { HttpClient } from '../lib/http.ts';
import { configMap, createNamespace } from '../lib/objects.ts';
import { ratePerSecond, runPool } from '../lib/pool.ts';
import { ServerProcess } from '../lib/server-process.ts';
import { summarize } from '../lib/stats.ts';
import { formatCount, formatMiB, noBudget, type Row } from '../lib/table.ts';

export interface EmptyStartOptions {
  root: string;
  starts: number;
  /** kubelite's flags, and what they start, for the row's name. */
  flags: string[];
  what: string;
  /** Whether the 300 ms budget applies (it is set for the default start, as `npm start` runs it). */
  budgeted: boolean;
}

export async function startEmpty(opts: EmptyStartOptions): Promise<Row> {
  const { root, starts } = opts;
  const samples: number[] = [];
  const inServer: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < starts; i++) {
    const dataDir = join(root, `empty-${i}`);
    const { server, timings } = await ServerProcess.start({ dataDir, flags: opts.flags });
    samples.push(timings.spawnToReadyMs);
    inServer.push(timings.startApiServerMs);
    cpu.push(await server.cpuSeconds() * 1000);
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
  const s = summarize(samples);
  const own = summarize(inServer).p50;
  const cpuMs = summarize(cpu).p50;
  progress(`stage 1: ${opts.what}, empty store: ready in p50 ${s.p50.toFixed(0)} ms, max ${s.max.toFixed(0)} ms (${starts} starts; startApiServer p50 ${own.toFixed(0)} ms; CPU to ready p50 ${cpuMs.toFixed(0)} ms)`);
  return {
    stage: `1. start-to-ready, empty store, ${opts.what}`, result: `${starts} starts; ${startApiServerShare(own)}; ${cpuShare(cpuMs)}`,
    p50Ms: s.p50, p99Ms: s.p99, budget: opts.budgeted ? 'p50 ≤ 300 ms' : noBudget, holds: opts.budgeted ? s.p50 <= 300 : undefined,
  };
}

/**
 * The server process's CPU time (all its threads) from spawn to the first ready answer: on a
 * shared machine the wall time swings with other load, the CPU time much less.
 */
function cpuShare(ms: number): string {
  return `CPU ${ms.toFixed(0)} ms`;
}

/** How much of a start startApiServer took; the rest is Node and loading the bundle. */
function startApiServerShare(ms: number): string {
  return Number.isNaN(ms) ? 'startApiServer: unknown' : `startApiServer ${ms.toFixed(0)} ms`;
}

export interface FilledStartOptions {
  dataDir: string;
  configMaps: number;
  restarts: number;
  cpuProfDir?: string;
}

export async function startFilled(opts: FilledStartOptions): Promise<Row[]> {
  const fill = await fillConfigMaps(opts.dataDir, opts.configMaps);
  const samples: number[] = [];
  const inServer: number[] = [];
  const cpu: number[] = [];
  let rss = 0;
  for (let i = 0; i < opts.restarts; i++) {
    // Profile only the last restart: its start-up is the one in question.
    const cpuProfDir = i === opts.restarts - 1 ? opts.cpuProfDir : undefined;
    const { server, timings } = await ServerProcess.start({ dataDir: opts.dataDir, cpuProfDir });
    samples.push(timings.spawnToReadyMs);
    inServer.push(timings.startApiServerMs);
    cpu.push(await server.cpuSeconds() * 1000);
    rss = await server.rssBytes();
    await server.stop();
  }
  const s = summarize(samples);
  const own = summarize(inServer).p50;
  progress(`stage 1: ${formatCount(fill.stored)} ConfigMaps ready in p50 ${s.p50.toFixed(0)} ms, max ${s.max.toFixed(0)} ms; RSS ${formatMiB(rss)}`);
  return [
    {
      stage: `1. start-to-ready, ${formatCount(fill.stored)} ConfigMaps`,
      result: `${opts.restarts} restarts; ${startApiServerShare(own)}; ${cpuShare(summarize(cpu).p50)}; RSS ${formatMiB(rss)}`,
      p50Ms: s.p50, p99Ms: s.p99, budget: 'p50 ≤ 1,500 ms', holds: fill.stored >= opts.configMaps && s.p50 <= 1500,
    },
    { stage: '1. fill: ConfigMap creates, 64 clients', result: `${formatCount(fill.rate)}/s`, p50Ms: fill.p50, p99Ms: fill.p99, budget: noBudget },
  ];
}

async function fillConfigMaps(dataDir: string, count: number) {
  const { server } = await ServerProcess.start({ dataDir });
  const client = new HttpClient(server.url);
  try {
    await createNamespace(client, 'bench-fill');
    progress(`stage 1: filling ${formatCount(count)} ConfigMaps`);
    const result = await runPool({ count, concurrency: 64, deadlineMs: 150_000 }, (i) =>
      client.expectOk('POST', '/api/v1/namespaces/bench-fill/configmaps', { body: configMap(`fill-${i}`) }));
    const s = summarize(result.latenciesMs);
    return { stored: result.completed, rate: ratePerSecond(result), p50: s.p50, p99: s.p99 };
  } finally {
    client.close();
    await server.stop();
  }
}
