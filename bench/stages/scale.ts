// Stage 10 (opt-in: `--stages scale`): kubelite as `npm start` runs it, with `--nodes 1000`
// simulated nodes in its kubelet worker thread, takes 100,000 pods created directly by the
// bench over HTTPS with the admin's certificate (64 clients; kube's density tests create pods
// directly, as kwok's scale runs do, so the figure is the API server, scheduler and kubelets,
// not the ReplicaSet controller's slow start). Measured: the nodes' registration and their
// idle cost, creates per second, time until every pod is bound and Running, a GET probe and a
// watch-delivery probe during all of it, RSS at the end, then LIST of every pod paginated by
// 500 (as kubectl's --chunk-size) and a label-selected LIST of 100.
// The pods run the fast stage bundle (stages/pod-fast.yaml: one status write per transition,
// no events, as kwok's default pod stages) unless `stages: 'default'`.
import { join } from 'node:path';
import { cpuMeter, progress, sleep, type StageContext } from '../lib/context.ts';
import type { HttpClient } from '../lib/http.ts';
import { createNamespace } from '../lib/objects.ts';
import { getProbe, watchProbe, type Probe } from '../lib/probes.ts';
import { ratePerSecond, runPool } from '../lib/pool.ts';
import { ServerProcess } from '../lib/server-process.ts';
import { summarize } from '../lib/stats.ts';
import { formatCount, formatMiB, noBudget, type Row } from '../lib/table.ts';
import { paginatedList, selectedLists } from './scale-lists.ts';

export interface ScaleOptions {
  root: string;
  nodes: number;
  pods: number;
  /** `fast` (default): stages/pod-fast.yaml; `default`: the default bundle, events included. */
  stages?: 'fast' | 'default';
  /** Creation to all Running is abandoned after this long (default 20 min); the rows then say how far it got. */
  deadlineMs?: number;
  storageFlags?: string[];
}

const namespace = 'scale';
const gib = 1024 ** 3;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** A pod of the scale run: `app` picks 1% of the pods, `shard` 0.1% (100 of 100,000). */
export function scalePod(i: number) {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: `scale-${i}`, labels: { app: `a${i % 100}`, shard: `s${i % 1000}` } },
    spec: { containers: [{ name: 'c', image: 'busybox' }] },
  };
}

export async function scale(opts: ScaleOptions): Promise<Row[]> {
  const flags = ['--nodes', String(opts.nodes), ...(opts.stages === 'default' ? [] : ['--stages', 'stages/pod-fast.yaml'])];
  const t0 = performance.now();
  const { server } = await ServerProcess.start({ dataDir: join(opts.root, 'scale'), flags, access: 'user', storageFlags: opts.storageFlags, timeoutMs: 120_000 });
  const client = server.client(64);
  const ctx: StageContext = { server, client, progress };
  const scope = `${formatCount(opts.nodes)} nodes, ${formatCount(opts.pods)} pods`;
  const label = (what: string) => `10. ${what}`;
  try {
    // On a busy machine registration can take minutes; the run goes on with the nodes that made it.
    const ready = await waitForReadyNodes(client, opts.nodes, 600_000);
    const registeredMs = performance.now() - t0;
    const registered = ready === opts.nodes ? seconds(registeredMs) : `${formatCount(ready)} of ${formatCount(opts.nodes)} after ${seconds(registeredMs)}`;
    const idle = await idleCost(ctx, 20_000);
    progress(`stage 10: ${registered} nodes Ready after spawn; idle: ${idle.text}`);
    await createNamespace(client, namespace);
    await createNamespace(client, 'scale-probe');
    const probes = await startProbes(server, client);
    let run: RunResult;
    try {
      run = await createAndWait(ctx, opts);
    } catch (err) {
      await Promise.all([probes.get.stop(), probes.watch.stop()]);
      throw err;
    }
    const [gets, watches] = await Promise.all([probes.get.stop(), probes.watch.stop()]);
    const rss = await server.rssBytes();
    const g = summarize(gets);
    const w = summarize(watches);
    progress(`stage 10: during the run: GET p50 ${g.p50.toFixed(2)} ms, p99 ${g.p99.toFixed(2)} ms (${g.count}); watch p50 ${w.p50.toFixed(1)} ms, p99 ${w.p99.toFixed(1)} ms (${w.count}); RSS ${formatMiB(rss)}`);
    const list = await paginatedList(client, '/api/v1/pods', 500);
    const selected = await selectedLists(client, `/api/v1/namespaces/${namespace}/pods?labelSelector=shard%3Ds7`, 50);
    progress(`stage 10: LIST by 500: ${formatCount(list.items)} pods (${formatCount(list.running)} Running) in ${list.totalMs.toFixed(0)} ms, ${list.pages} pages; selected ${selected.items}: p50 ${selected.p50.toFixed(2)} ms`);
    const expectedSelected = Math.ceil(opts.pods / 1000);
    // The budgets are set for the full size; a smaller run reports without judging.
    const full = opts.nodes >= 1000 && opts.pods >= 100_000;
    const budget = (text: string, holds: boolean) => (full ? { budget: text, holds } : { budget: `${text} (at 1,000 nodes, 100,000 pods)`, holds: undefined });
    return [
      { stage: label(`${formatCount(opts.nodes)} simulated nodes registered and Ready, then idle`), result: `${registered} from spawn; idle ${idle.text}`, budget: noBudget },
      { stage: label(`pods created (64 clients, HTTPS), ${scope}`), result: `${formatCount(run.createRate)}/s (${formatCount(run.created)})${client.tooManyRequests ? `; ${formatCount(client.tooManyRequests)} 429s waited out` : ''}`, p50Ms: run.createP50, p99Ms: run.createP99, budget: noBudget },
      { stage: label('scheduler: all pods bound'), result: Number.isNaN(run.boundMs) ? `not all bound in ${seconds(run.deadlineMs)}` : `${seconds(run.boundMs)}, ${formatCount(opts.pods / (run.boundMs / 1000))} pods/s`, budget: noBudget },
      {
        stage: label(`create → all Running, ${scope}, ${opts.stages === 'default' ? 'default' : 'fast'} stages`),
        result: Number.isNaN(run.runningMs) ? `${formatCount(list.running)} Running after ${seconds(run.deadlineMs)}` : `${seconds(run.runningMs)}, ${formatCount(opts.pods / (run.runningMs / 1000))} pods/s`,
        ...budget('≤ 120 s', run.runningMs <= 120_000),
      },
      { stage: label('GET probe during the run (1 every 50 ms)'), result: `${formatCount(g.count)} GETs${probes.get.errors() ? `, ${probes.get.errors()} failed` : ''}`, p50Ms: g.p50, p99Ms: g.p99, ...budget('p99 ≤ 5 ms', g.p99 <= 5) },
      { stage: label('watch probe during the run (1 PATCH every 100 ms)'), result: `${formatCount(w.count)}/${formatCount(probes.patches())} events${probes.watch.errors() ? `, ${probes.watch.errors()} PATCHes failed` : ''}${probes.tooMany() ? `; probes waited out ${probes.tooMany()} 429s` : ''}`, p50Ms: w.p50, p99Ms: w.p99, ...budget('p99 ≤ 100 ms', w.p99 <= 100) },
      { stage: label(`server RSS at ${formatCount(opts.pods)} pods, ${formatCount(opts.nodes)} nodes`), result: formatMiB(rss), ...budget('≤ 2.5 GiB', rss <= 2.5 * gib) },
      {
        stage: label(`LIST ${formatCount(list.items)} pods, paginated by 500`), result: `${formatCount(list.pages)} pages in ${formatCount(list.totalMs)} ms, ${formatMiB(list.bytes)}`,
        p50Ms: list.pageP50, p99Ms: list.pageP99, ...budget('≤ 1.5 s in all', list.items >= opts.pods && list.totalMs <= 1500),
      },
      {
        stage: label(`LIST ${formatCount(list.items)} pods, labelSelector`), result: `${formatCount(selected.items)} items`,
        p50Ms: selected.p50, p99Ms: selected.p99, ...budget('p50 ≤ 10 ms', selected.items === expectedSelected && selected.p50 <= 10),
      },
    ];
  } finally {
    client.close();
    await server.stop();
  }
}

interface RunResult {
  created: number;
  createRate: number;
  createP50: number;
  createP99: number;
  boundMs: number;
  runningMs: number;
  deadlineMs: number;
}

/** Creates the pods, then polls (one cheap field-selected LIST of one item) until none is unbound, then none is not Running. */
async function createAndWait(ctx: StageContext, opts: ScaleOptions): Promise<RunResult> {
  const deadlineMs = opts.deadlineMs ?? 20 * 60_000;
  const path = `/api/v1/namespaces/${namespace}/pods`;
  const cpu = await cpuMeter(ctx.server);
  const t0 = performance.now();
  let lastReport = t0;
  const created = await runPool({ count: opts.pods, concurrency: 64, deadlineMs }, async (i) => {
    await ctx.client.retrying('POST', path, { body: scalePod(i) });
    if (performance.now() - lastReport > 15_000) {
      lastReport = performance.now();
      ctx.progress(`stage 10: ${formatCount(i)} pods created after ${((lastReport - t0) / 1000).toFixed(0)} s`);
    }
  });
  const s = summarize(created.latenciesMs);
  ctx.progress(`stage 10: ${formatCount(created.completed)} pods created in ${(created.elapsedMs / 1000).toFixed(1)} s (${formatCount(ratePerSecond(created))}/s); ${await cpu()}`);
  const none = async (selector: string) => {
    const res = await ctx.client.expectOk('GET', `${path}?limit=1&fieldSelector=${encodeURIComponent(selector)}`);
    return (JSON.parse(res.body) as { items: unknown[] }).items.length === 0;
  };
  let boundMs = NaN;
  let runningMs = NaN;
  while (performance.now() - t0 < deadlineMs && created.completed === opts.pods) {
    if (Number.isNaN(boundMs) && await none('spec.nodeName=')) boundMs = performance.now() - t0;
    if (!Number.isNaN(boundMs) && await none('status.phase!=Running')) {
      runningMs = performance.now() - t0;
      break;
    }
    await sleep(500);
  }
  ctx.progress(`stage 10: bound ${(boundMs / 1000).toFixed(1)} s, Running ${(runningMs / 1000).toFixed(1)} s after the first create; ${await cpu()}`);
  return { created: created.completed, createRate: ratePerSecond(created), createP50: s.p50, createP99: s.p99, boundMs, runningMs, deadlineMs };
}

async function startProbes(server: ServerProcess, client: HttpClient): Promise<{ get: Probe; watch: Probe; patches(): number; tooMany(): number }> {
  await client.expectOk('POST', '/api/v1/namespaces/scale-probe/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'get-probe' }, data: { key: 'value' } } });
  // Their own connections: the create load's 64 sockets must not queue them.
  const getClient = server.client(1);
  const watchClient = server.client(1);
  const get = getProbe(getClient, '/api/v1/namespaces/scale-probe/configmaps/get-probe', 50);
  const watch = await watchProbe(server, watchClient, 'scale-probe', 100);
  return {
    get: { stop: () => get.stop().finally(() => getClient.close()), errors: get.errors },
    watch: { stop: () => watch.stop().finally(() => watchClient.close()), errors: watch.errors },
    patches: () => watch.sent(),
    tooMany: () => getClient.tooManyRequests + watchClient.tooManyRequests,
  };
}

/** Server CPU (cores) and RSS of the nodes alone, over `ms`. */
async function idleCost(ctx: StageContext, ms: number): Promise<{ text: string }> {
  const c0 = await ctx.server.cpuSeconds();
  const rv0 = await storeRevision(ctx.client);
  const w0 = performance.now();
  await sleep(ms);
  const wall = (performance.now() - w0) / 1000;
  const cores = ((await ctx.server.cpuSeconds()) - c0) / wall;
  const writes = ((await storeRevision(ctx.client)) - rv0) / wall;
  return { text: `${cores.toFixed(2)} cores, ${writes.toFixed(0)} writes/s, RSS ${formatMiB(await ctx.server.rssBytes())}` };
}

async function storeRevision(client: HttpClient): Promise<number> {
  const res = await client.expectOk('GET', '/api/v1/namespaces?limit=1');
  return Number((JSON.parse(res.body) as { metadata: { resourceVersion: string } }).metadata.resourceVersion);
}

/** Polls until `nodes` Nodes are Ready or `timeoutMs` passed; answers how many were. */
export async function waitForReadyNodes(client: HttpClient, nodes: number, timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  let ready = 0;
  while (performance.now() < deadline) {
    const list = JSON.parse((await client.expectOk('GET', '/api/v1/nodes')).body) as { items: { status?: { conditions?: { type: string; status: string }[] } }[] };
    ready = list.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
    if (ready >= nodes) break;
    await sleep(2000);
  }
  if (ready < nodes) progress(`stage 10: warning: only ${ready} of ${nodes} nodes Ready within ${timeoutMs / 1000} s`);
  return ready;
}
