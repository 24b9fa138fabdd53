// `npm run bench`: starts kubelite as a child process on a temporary data directory, runs
// every stage over loopback and prints one table (`--json`: the same rows as JSON).
// The headline rows measure what users run: the default `npm start` (scheduler, kubelets and
// controllers on) over HTTPS with the admin's client certificate, so RBAC and admission are
// on every request. The rows marked "insecure port, API server alone" load the plain-HTTP port
// of a server without scheduler and kubelets: what TLS, authentication and the workers cost.
// Budgets live here, never in tests. Flags: --json, --stages LIST (numbers or names, `all`
// adds the opt-in scale stage; --help lists them), --storage=etcd (every server on one
// single-member etcd on loopback), --compare-etcd (the same run on LevelDB, plus the creates
// and pods-Running rows again on etcd), --server-cpu-prof DIR (a V8 profile of the headline
// server, started as `npm start` and loaded over HTTPS).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { machineBusySeconds, progress, type StageContext } from './lib/context.ts';
import { HttpClient } from './lib/http.ts';
import { machineInfo } from './lib/machine.ts';
import { createNamespace } from './lib/objects.ts';
import { startEtcd, type TestEtcd } from '../test/support/etcd.ts';
import { apiServerOnly, ServerProcess, setStorageFlags, stopAllServers } from './lib/server-process.ts';
import { StageSelection, stageHelp } from './lib/selection.ts';
import { renderJson, renderTable, type Row } from './lib/table.ts';
import { fastifyCeiling } from './stages/ceiling.ts';
import { configMapCreates, createdName } from './stages/creates.ts';
import { footprint } from './stages/footprint.ts';
import { etcdComparison } from './stages/etcd-compare.ts';
import { memoryPerKind } from './stages/memory-per-kind.ts';
import { scale } from './stages/scale.ts';
import { configMapGets } from './stages/get.ts';
import { deploymentRollout } from './stages/deployment.ts';
import { createPods, listPods } from './stages/list-pods.ts';
import { podsToRunning } from './stages/pods-running.ts';
import { slowWatcher } from './stages/slow-watcher.ts';
import { startEmpty, startFilled } from './stages/startup.ts';
import { userPath } from './stages/user-path.ts';
import { warmUp } from './stages/warm-up.ts';
import { watchLatency } from './stages/watch-latency.ts';

/** The default run; the scale stage and the etcd comparison extend it by their own bounds. */
const runLimitMs = 8 * 60 * 1000;
const scaleLimitMs = 30 * 60 * 1000;
const etcdLimitMs = 4 * 60 * 1000;
const pods = 10_000;
const warmUpObjects = 1500;
const createsPerLevel = 2000;
const createLevels = [1, 8, 64];

let etcd: TestEtcd | undefined;

interface RunOptions {
  root: string;
  cpuProfDir?: string;
  stages: StageSelection;
  /** Flags for servers on etcd (`--compare-etcd`). */
  etcdFlags?: () => string[];
  scaleNodes: number;
  scalePods: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean' }, help: { type: 'boolean' }, 'server-cpu-prof': { type: 'string' }, storage: { type: 'string', default: 'leveldb' },
      stages: { type: 'string' }, 'compare-etcd': { type: 'boolean' }, 'scale-nodes': { type: 'string', default: '1000' }, 'scale-pods': { type: 'string', default: '100000' },
    },
  });
  if (values.help) {
    process.stdout.write(`npm run bench -- [--stages LIST] [--json] [--storage leveldb|etcd] [--compare-etcd] [--scale-nodes N] [--scale-pods N] [--server-cpu-prof DIR]\nStages (default: all but opt-in; \`all\` for every one):\n${stageHelp()}\n`);
    return;
  }
  const stages = StageSelection.parse(values.stages);
  if (values.storage !== 'leveldb' && values.storage !== 'etcd') throw new Error(`--storage: leveldb or etcd, not ${values.storage}`);
  if (values['compare-etcd'] && values.storage === 'etcd') throw new Error('--compare-etcd compares with LevelDB: leave --storage at leveldb');
  const scaleNodes = positive('scale-nodes', values['scale-nodes']!);
  const scalePods = positive('scale-pods', values['scale-pods']!);
  // With etcd: one single-member etcd on loopback for the run, each server under its own key prefix.
  etcd = values.storage === 'etcd' || values['compare-etcd'] ? await startEtcd() : undefined;
  let etcdFlags: (() => string[]) | undefined;
  if (etcd) {
    let servers = 0;
    const url = etcd.url;
    etcdFlags = () => ['--storage', 'etcd', '--etcd-servers', url, '--etcd-prefix', `/bench-${++servers}`];
    if (values.storage === 'etcd') setStorageFlags(etcdFlags);
    progress(`storage: ${values.storage === 'etcd' ? 'etcd' : 'LevelDB, with etcd rows'} at ${etcd.url}`);
  }
  const cpuProfDir = values['server-cpu-prof'] ? resolve(values['server-cpu-prof']) : undefined;
  const machine = machineInfo();
  progress(`machine: ${machine.nproc} CPUs (${machine.cpu}), ${machine.memory}, Node ${machine.node}, load average ${machine.loadAverage}`);
  progress(`stages: ${stages.describe()}${values['compare-etcd'] ? '; and the etcd comparison' : ''}`);
  if (machine.loadAverage > machine.nproc / 2) progress('warning: the machine is busy; client and server share its cores with other work');
  const root = await mkdtemp(join(tmpdir(), 'kubelite-bench-'));
  const limitMs = runLimitMs + (stages.has(10) ? scaleLimitMs : 0) + (values['compare-etcd'] ? etcdLimitMs : 0);
  const watchdog = setTimeout(() => void abort(root, new Error(`run exceeded ${limitMs / 1000} s`)), limitMs);
  watchdog.unref();
  process.once('SIGINT', () => void abort(root, new Error('interrupted')));
  try {
    const started = performance.now();
    const busy0 = await machineBusySeconds();
    const rows = await runStages({ root, cpuProfDir, stages, etcdFlags: values['compare-etcd'] ? etcdFlags : undefined, scaleNodes, scalePods });
    const wall = (performance.now() - started) / 1000;
    const client = process.cpuUsage();
    const own = ServerProcess.stoppedCpuSeconds + (client.user + client.system) / 1e6;
    const otherCores = Math.max(0, (await machineBusySeconds()) - busy0 - own) / wall;
    progress(`done in ${wall.toFixed(0)} s; other processes used ${otherCores.toFixed(2)} of ${machine.nproc} cores meanwhile`);
    const context = { ...machine, runSeconds: Math.round(wall), otherProcessesCores: Number(otherCores.toFixed(2)), stages: stages.describe() };
    process.stdout.write(values.json ? renderJson(rows, context) : renderTable(rows));
  } finally {
    clearTimeout(watchdog);
    await stopAllServers();
    await etcd?.stop();
    await rm(root, { recursive: true, force: true });
  }
}

function positive(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${flag}: a positive integer, not ${JSON.stringify(value)}`);
  return n;
}

async function runStages(opts: RunOptions): Promise<Row[]> {
  const { root, cpuProfDir, stages } = opts;
  const rows: Row[] = [];
  if (stages.has(1)) {
    rows.push(
      await startEmpty({ root, starts: 5, flags: [], what: 'default npm start (scheduler, 3 kubelets, controllers)', budgeted: true }),
      await startEmpty({ root, starts: 3, flags: apiServerOnly, what: 'API server alone', budgeted: false }),
    );
  }
  // Stage 2's insecure budget is half the ceiling measured in the same run.
  const ceiling = stages.has(0, 2) ? await fastifyCeiling({ count: 20_000, clients: 64 }) : undefined;
  if (ceiling) rows.push(ceiling.row);
  if (stages.has(2, 3, 7)) rows.push(...await userPath({ root, perLevel: 3000, cpuProfDir }));
  if (stages.has(1)) rows.push(...await startFilled({ dataDir: join(root, 'filled'), configMaps: 50_000, restarts: 3 }));
  if (stages.has(2, 3, 4, 5, 6, 7)) rows.push(...await mainServerStages(root, stages, ceiling?.ratePerSecond));
  if (stages.has(8)) {
    rows.push(...await podsToRunning({ root, pods: 1000, nodes: 10, variant: 'default' }));
    rows.push(...await podsToRunning({ root, pods: 1000, nodes: 10, variant: 'fast' }));
  }
  if (stages.has(9)) rows.push(...await deploymentRollout({ root, replicas: 1000, nodes: 10 }));
  if (stages.has(11)) rows.push(...await memoryPerKind({ root }));
  if (stages.has(10)) rows.push(...await scale({ root, nodes: opts.scaleNodes, pods: opts.scalePods }));
  if (opts.etcdFlags) rows.push(...await etcdComparison({ root, storageFlags: opts.etcdFlags }));
  return rows;
}

/** Stages 2–7 on one API server reached over its insecure port (warm-up first). */
async function mainServerStages(root: string, stages: StageSelection, ceilingRate: number | undefined): Promise<Row[]> {
  const mainDir = join(root, 'main');
  const { server } = await ServerProcess.start({ dataDir: mainDir });
  const client = new HttpClient(server.url, 1100);
  const ctx: StageContext = { server, client, progress };
  const rows: Row[] = [];
  try {
    for (const ns of ['bench-warmup', 'bench', 'bench-pods', 'bench-watch', 'bench-slow']) await createNamespace(client, ns);
    await warmUp(ctx, { namespace: 'bench-warmup', objects: warmUpObjects });
    if (stages.has(2)) {
      const half = (ceilingRate ?? NaN) / 2;
      rows.push(...await configMapCreates(ctx, {
        namespace: 'bench', perLevel: createsPerLevel, levels: createLevels, path: 'insecure port, API server alone',
        budgets: { 64: { text: `≥ 50% of the no-op ceiling (${Math.round(half).toLocaleString('en-US')}/s)`, holds: (rate) => rate >= half } },
      }));
    }
    if (stages.has(3)) {
      const get = await configMapGets(ctx, stages.has(2) ? { namespace: 'bench', name: createdName(1, 0), count: 5000 } : { namespace: 'bench-warmup', name: 'warm-0', count: 5000 });
      rows.push({ ...get, stage: `${get.stage}, insecure port` });
    }
    if (stages.has(4, 7)) {
      const podCreates = await createPods(ctx, { namespace: 'bench-pods', pods });
      if (stages.has(4)) rows.push(podCreates);
    }
    // Before the LISTs, whose 20 MiB responses would leave garbage in the heap.
    const configMaps = warmUpObjects + (stages.has(2) ? createsPerLevel * createLevels.length : 0);
    const memory = stages.has(7) ? await footprint(ctx, { dataDir: mainDir, holding: `and ${configMaps.toLocaleString('en-US')} ConfigMaps` }) : [];
    if (stages.has(4)) rows.push(...await listPods(ctx, { namespace: 'bench-pods', pods }));
    if (stages.has(5)) rows.push(...await watchLatency(ctx, { namespace: 'bench-watch', objects: 1000, watcherCounts: [1, 1000] }));
    if (stages.has(6)) rows.push(...await slowWatcher(ctx, { namespace: 'bench-slow', objectBytes: 512 * 1024, totalBytes: 100 * 1024 * 1024 }));
    rows.push(...memory);
  } finally {
    client.close();
    await server.stop();
  }
  return rows;
}

async function abort(root: string, err: Error): Promise<void> {
  progress(`aborting: ${err.message}`);
  await stopAllServers();
  await etcd?.stop();
  await rm(root, { recursive: true, force: true });
  process.exit(1);
}

main().catch((err: unknown) => {
  progress(`failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  process.exitCode = 1;
});
