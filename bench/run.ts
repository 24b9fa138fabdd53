// `npm run bench`: starts kubelite as a child process on a temporary data directory, runs
// every stage over loopback and prints one table (`--json`: the same rows as JSON).
// The headline rows measure what users run: the default `npm start` (scheduler, kubelets and
// controllers on) over HTTPS with the admin's client certificate, so RBAC and admission are
// on every request. The rows marked "insecure port, API server alone" load the plain-HTTP port
// of a server without scheduler and kubelets: what TLS, authentication and the workers cost.
// Budgets live here, never in tests. Flags: --json, --storage=etcd (every server on one
// single-member etcd on loopback), --server-cpu-prof DIR (a V8 profile of
// the headline server, started as `npm start` and loaded over HTTPS).
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
import { renderJson, renderTable, type Row } from './lib/table.ts';
import { fastifyCeiling } from './stages/ceiling.ts';
import { configMapCreates, createdName } from './stages/creates.ts';
import { footprint } from './stages/footprint.ts';
import { configMapGets } from './stages/get.ts';
import { deploymentRollout } from './stages/deployment.ts';
import { createPods, listPods } from './stages/list-pods.ts';
import { podsToRunning } from './stages/pods-running.ts';
import { slowWatcher } from './stages/slow-watcher.ts';
import { startEmpty, startFilled } from './stages/startup.ts';
import { userPath } from './stages/user-path.ts';
import { warmUp } from './stages/warm-up.ts';
import { watchLatency } from './stages/watch-latency.ts';

const runLimitMs = 8 * 60 * 1000;
const pods = 10_000;
const warmUpObjects = 1500;
const createsPerLevel = 2000;
const createLevels = [1, 8, 64];

let etcd: TestEtcd | undefined;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { json: { type: 'boolean' }, 'server-cpu-prof': { type: 'string' }, storage: { type: 'string', default: 'leveldb' } } });
  if (values.storage !== 'leveldb' && values.storage !== 'etcd') throw new Error(`--storage: leveldb or etcd, not ${values.storage}`);
  // With etcd: one single-member etcd on loopback for the run, each server under its own key prefix.
  etcd = values.storage === 'etcd' ? await startEtcd() : undefined;
  if (etcd) {
    let servers = 0;
    const url = etcd.url;
    setStorageFlags(() => ['--storage', 'etcd', '--etcd-servers', url, '--etcd-prefix', `/bench-${++servers}`]);
    progress(`storage: etcd at ${etcd.url}`);
  }
  const cpuProfDir = values['server-cpu-prof'] ? resolve(values['server-cpu-prof']) : undefined;
  const machine = machineInfo();
  progress(`machine: ${machine.nproc} CPUs (${machine.cpu}), ${machine.memory}, Node ${machine.node}, load average ${machine.loadAverage}`);
  if (machine.loadAverage > machine.nproc / 2) progress('warning: the machine is busy; client and server share its cores with other work');
  const root = await mkdtemp(join(tmpdir(), 'kubelite-bench-'));
  const watchdog = setTimeout(() => void abort(root, new Error(`run exceeded ${runLimitMs / 1000} s`)), runLimitMs);
  watchdog.unref();
  process.once('SIGINT', () => void abort(root, new Error('interrupted')));
  try {
    const started = performance.now();
    const busy0 = await machineBusySeconds();
    const rows = await runStages(root, cpuProfDir);
    const wall = (performance.now() - started) / 1000;
    const client = process.cpuUsage();
    const own = ServerProcess.stoppedCpuSeconds + (client.user + client.system) / 1e6;
    const otherCores = Math.max(0, (await machineBusySeconds()) - busy0 - own) / wall;
    progress(`done in ${wall.toFixed(0)} s; other processes used ${otherCores.toFixed(2)} of ${machine.nproc} cores meanwhile`);
    const context = { ...machine, runSeconds: Math.round(wall), otherProcessesCores: Number(otherCores.toFixed(2)) };
    process.stdout.write(values.json ? renderJson(rows, context) : renderTable(rows));
  } finally {
    clearTimeout(watchdog);
    await stopAllServers();
    await etcd?.stop();
    await rm(root, { recursive: true, force: true });
  }
}

async function runStages(root: string, cpuProfDir: string | undefined): Promise<Row[]> {
  const emptyStarts = [
    await startEmpty({ root, starts: 5, flags: [], what: 'default npm start (scheduler, 3 kubelets, controllers)', budgeted: true }),
    await startEmpty({ root, starts: 3, flags: apiServerOnly, what: 'API server alone', budgeted: false }),
  ];
  const ceiling = await fastifyCeiling({ count: 20_000, clients: 64 });
  const user = await userPath({ root, perLevel: 3000, cpuProfDir });
  const mainDir = join(root, 'main');
  const { server } = await ServerProcess.start({ dataDir: mainDir });
  const client = new HttpClient(server.url, 1100);
  const ctx: StageContext = { server, client, progress };
  let mainRows: Row[];
  try {
    for (const ns of ['bench-warmup', 'bench', 'bench-pods', 'bench-watch', 'bench-slow']) await createNamespace(client, ns);
    await warmUp(ctx, { namespace: 'bench-warmup', objects: warmUpObjects });
    const half = ceiling.ratePerSecond / 2;
    const creates = await configMapCreates(ctx, {
      namespace: 'bench', perLevel: createsPerLevel, levels: createLevels, path: 'insecure port, API server alone',
      budgets: { 64: { text: `≥ 50% of the no-op ceiling (${Math.round(half).toLocaleString('en-US')}/s)`, holds: (rate) => rate >= half } },
    });
    const get = await configMapGets(ctx, { namespace: 'bench', name: createdName(1, 0), count: 5000 });
    const podCreates = await createPods(ctx, { namespace: 'bench-pods', pods });
    // Before the LISTs, whose 20 MiB responses would leave garbage in the heap.
    const configMaps = warmUpObjects + createsPerLevel * createLevels.length;
    const memory = await footprint(ctx, { dataDir: mainDir, holding: `and ${configMaps.toLocaleString('en-US')} ConfigMaps` });
    const lists = await listPods(ctx, { namespace: 'bench-pods', pods });
    const watches = await watchLatency(ctx, { namespace: 'bench-watch', objects: 1000, watcherCounts: [1, 1000] });
    const slow = await slowWatcher(ctx, { namespace: 'bench-slow', objectBytes: 512 * 1024, totalBytes: 100 * 1024 * 1024 });
    mainRows = [...creates, { ...get, stage: `${get.stage}, insecure port` }, podCreates, ...lists, ...watches, ...slow, ...memory];
  } finally {
    client.close();
    await server.stop();
  }
  const filledStart = await startFilled({ dataDir: join(root, 'filled'), configMaps: 50_000, restarts: 3 });
  const cluster = await podsToRunning({ root, pods: 1000, nodes: 10, variant: 'default' });
  const clusterFast = await podsToRunning({ root, pods: 1000, nodes: 10, variant: 'fast' });
  const deployment = await deploymentRollout({ root, replicas: 1000, nodes: 10 });
  return [...emptyStarts, ceiling.row, ...user, ...filledStart, ...mainRows, ...cluster, ...clusterFast, ...deployment];
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
