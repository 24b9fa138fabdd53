// The kubelite command line: `kubelite` starts the API server on ./data with the controllers,
// a scheduler and simulated kubelets in worker threads; `kubelite kubelet|scheduler|controllers
// --kubeconfig F` runs one worker as its own process against any API server.
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Logger } from 'pino';
import { parseQuantity } from './api/quantity.ts';
import { startApiServer } from './apiserver.ts';
import { goDurationSeconds, serviceAccountOptionsFromFlags } from './auth/serviceaccount/index.ts';
import { adminKubeconfig } from './kubeconfig-command.ts';
import { controllerManagerFlags, controllerOptionsFromFlags } from './controllers/flags.ts';
import { createLogger } from './log.ts';
import type { StorageBackendOptions } from './storage/open.ts';
import { awaitKubeconfig, awaitServer } from './workers/await-connection.ts';
import { runWorkerInProcess, startWorker, type WorkerHandle } from './workers/index.ts';
import type { RunningWorker } from './workers/index.ts';

const usage = `Usage: kubelite [flags]                       API server + controllers + scheduler + kubelets
       kubelite kubelet --kubeconfig F [--nodes N] [--node-prefix P]
       kubelite scheduler --kubeconfig F
       kubelite controllers --kubeconfig F
       kubelite kubeconfig [--data-dir DIR] [--server URL]   print the admin kubeconfig

Starts a Kubernetes API server (v1.32) on an embedded LevelDB store, with a scheduler and
simulated nodes that run pods without containers.

Flags:
  --data-dir DIR     where the store and the kubeconfig live (default ./data)
  --host ADDR        address to listen on (default 127.0.0.1)
  --port N           port to listen on (default 6443; 0 picks a free one)
  --nodes N          simulated nodes (default 3; 0 for none)
  --node-cpu Q       cpu of each node (default 4)
  --node-memory Q    memory of each node (default 16Gi)
  --node-pods N      pods per node (default 110)
  --stages FILE      the kubelet's pod lifecycle stages (default stages/pod-default.yaml)
  --container-log-max-size Q   a container's log file is rotated past this size (default 10Mi); logs live in <data-dir>/pods
  --tls-cert-file F --tls-private-key-file F   serve with this certificate (default: <data-dir>/pki)
  --client-ca-file F trust client certificates signed by these CAs (default: <data-dir>/pki/ca.crt)
  --advertise-address ADDR   the address clients reach (a SAN of the generated certificate)
  --token-auth-file F  static bearer tokens, CSV: token,user,uid,"group1,group2"
  --anonymous-auth B   let requests without credentials in as system:anonymous (default true)
  --service-account-issuer URL   the iss of ServiceAccount tokens; repeat to accept older issuers too
                     (default https://kubernetes.default.svc.cluster.local)
  --api-audiences A,B  audiences a token must be for to authenticate here (default: the issuers)
  --service-account-signing-key-file F  key that signs ServiceAccount tokens (default <data-dir>/pki/sa.key)
  --service-account-key-file F   more public keys that verify ServiceAccount tokens (repeatable)
  --service-account-max-token-expiration D   longest token a TokenRequest gets, e.g. 48h (default none)
  --service-account-extend-token-expiration B  pod-bound 3607 s tokens live a year (default true)
  --max-requests-inflight N  --max-mutating-requests-inflight N
                     requests served at once before 429 (default 400, 200; 0 = no limit)
  --request-timeout D  how long a request (reading its body included) may take before 504, e.g. 2m
                     (default 1m0s, as kube-apiserver); headers must arrive within 32 s
  --insecure-port N  also serve plain HTTP on 127.0.0.1:N, with no authentication (default off)
  --storage KIND     leveldb (default: in --data-dir) or etcd (several servers may share it)
  --etcd-servers URLS  with --storage=etcd: comma-separated etcd client URLs
  --etcd-prefix P    with --storage=etcd: put every key under this prefix (default none)
  --leader-elect-lease-duration S  --leader-elect-renew-deadline S  --leader-elect-retry-period S
                     the scheduler's and controllers' leader election (default 15, 10, 2)
  --controllers LIST, --concurrent-gc-syncs N, --horizontal-pod-autoscaler-sync-period D, …
                     kube-controller-manager's flags for the controllers (names, worker counts,
                     periods as Go durations such as 15s; the list is in docs/workloads.md)
  --watch-cache-events N   events kept per resource for watches to resume from (default 10000)
  --watch-cache-bytes Q    and at most this much of their objects' JSON per resource (default 64Mi)
  --watch-cache-window S   and none older than S seconds (default 300)
  --service-cluster-ip-range CIDR   ClusterIPs of Services (default 10.96.0.0/12)
  --service-node-port-range MIN-MAX NodePorts of Services (default 30000-32767)
  --no-scheduler     do not start the scheduler
  --no-controllers   do not start the controller manager
  --cluster-signing-cert-file F --cluster-signing-key-file F   the CA the CSR signers issue from
                     (default <data-dir>/pki/ca.crt and ca.key; controllers: none unless given)
  --no-kubelet       do not start the simulated kubelets
  --no-ui            do not serve the browser console at /ui/
  --kubeconfig F     (kubelet, scheduler) the API server to work against
  --server URL       (kubeconfig) the API server address to print (default: the one in DIR/kubeconfig)
  --log-level LEVEL  fatal|error|warn|info|debug|trace (default warn, or LOG_LEVEL)
  --v                verbose: same as --log-level info (--v --v for debug)
  -h, --help         this text
`;

const options = {
  'data-dir': { type: 'string', default: './data' },
  host: { type: 'string', default: '127.0.0.1' },
  port: { type: 'string', default: '6443' },
  nodes: { type: 'string', default: '3' },
  'container-log-max-size': { type: 'string', default: '10Mi' },
  'node-cpu': { type: 'string', default: '4' },
  'node-memory': { type: 'string', default: '16Gi' },
  'node-pods': { type: 'string', default: '110' },
  'node-prefix': { type: 'string', default: 'node' },
  stages: { type: 'string' },
  'tls-cert-file': { type: 'string' },
  'tls-private-key-file': { type: 'string' },
  'client-ca-file': { type: 'string' },
  'advertise-address': { type: 'string' },
  'token-auth-file': { type: 'string' },
  'anonymous-auth': { type: 'string', default: 'true' },
  'service-account-issuer': { type: 'string', multiple: true },
  'api-audiences': { type: 'string' },
  'service-account-key-file': { type: 'string', multiple: true },
  'service-account-signing-key-file': { type: 'string' },
  'service-account-max-token-expiration': { type: 'string' },
  'service-account-extend-token-expiration': { type: 'string', default: 'true' },
  'insecure-port': { type: 'string' },
  'request-timeout': { type: 'string', default: '1m0s' },
  'max-requests-inflight': { type: 'string', default: '400' },
  'max-mutating-requests-inflight': { type: 'string', default: '200' },
  storage: { type: 'string', default: 'leveldb' },
  'etcd-servers': { type: 'string' },
  'etcd-prefix': { type: 'string' },
  'leader-elect-lease-duration': { type: 'string', default: '15' },
  'leader-elect-renew-deadline': { type: 'string', default: '10' },
  'leader-elect-retry-period': { type: 'string', default: '2' },
  'watch-cache-events': { type: 'string', default: '10000' },
  'watch-cache-bytes': { type: 'string', default: '64Mi' },
  'watch-cache-window': { type: 'string', default: '300' },
  'service-cluster-ip-range': { type: 'string', default: '10.96.0.0/12' },
  'service-node-port-range': { type: 'string', default: '30000-32767' },
  'no-scheduler': { type: 'boolean' },
  'no-controllers': { type: 'boolean' },
  'cluster-signing-cert-file': { type: 'string' },
  'cluster-signing-key-file': { type: 'string' },
  'no-kubelet': { type: 'boolean' },
  'no-ui': { type: 'boolean' },
  kubeconfig: { type: 'string' },
  server: { type: 'string' },
  'log-level': { type: 'string' },
  v: { type: 'boolean', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

/** kube-controller-manager's flags (controllers/flags.ts), read as text and checked there. */
const controllerFlagOptions = Object.fromEntries(
  Object.keys(controllerManagerFlags).map((flag) => [flag, { type: 'string' as const, multiple: true as const }]),
);

type Values = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>['values'];

function integer(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${flag}: not a non-negative integer: ${value}`);
  return n;
}

/** A byte size as a Kubernetes quantity (64Mi, 1G, 1048576). */
function byteQuantity(flag: string, value: string | undefined): number {
  const n = parseQuantity(value);
  if (n === undefined || n <= 0) throw new Error(`--${flag}: not a positive quantity of bytes (such as 64Mi): ${value}`);
  return Math.floor(n);
}

function kubeletOptions(values: Values): Record<string, unknown> {
  return {
    nodes: integer('nodes', values.nodes),
    namePrefix: values['node-prefix'],
    nodeTemplate: { cpu: values['node-cpu'], memory: values['node-memory'], pods: integer('node-pods', values['node-pods']) },
    stagesFile: values.stages ? resolve(values.stages) : undefined,
    podLogsDir: resolve(values['data-dir']!, 'pods'),
    containerLogMaxBytes: byteSize('container-log-max-size', values['container-log-max-size']),
  };
}

/** A size flag as the kubelet's resource.Quantity: 10Mi, 500Ki, 1G, 1048576. */
function byteSize(flag: string, value: string | undefined): number {
  const m = /^(\d+)(Ki|Mi|Gi|K|k|M|G)?$/.exec(value ?? '');
  if (!m) throw new Error(`--${flag}: not a size: ${value}`);
  const unit = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, K: 1e3, k: 1e3, M: 1e6, G: 1e9 }[m[2] as 'Ki'] ?? 1;
  return Number(m[1]) * unit;
}

function leaderElectionTimes(values: Values) {
  const seconds = (flag: 'leader-elect-lease-duration' | 'leader-elect-renew-deadline' | 'leader-elect-retry-period') => {
    const n = Number(values[flag]);
    if (!(n > 0)) throw new Error(`--${flag}: not a positive number of seconds: ${values[flag]}`);
    return n;
  };
  const times = {
    leaseDurationSeconds: seconds('leader-elect-lease-duration'),
    renewDeadlineSeconds: seconds('leader-elect-renew-deadline'),
    retryPeriodSeconds: seconds('leader-elect-retry-period'),
  };
  // client-go's validation of the same three.
  if (times.leaseDurationSeconds <= times.renewDeadlineSeconds) throw new Error('--leader-elect-lease-duration must be greater than --leader-elect-renew-deadline');
  if (times.renewDeadlineSeconds <= times.retryPeriodSeconds) throw new Error('--leader-elect-renew-deadline must be greater than --leader-elect-retry-period');
  return times;
}

function storageOptions(values: Values): StorageBackendOptions {
  if (values.storage === 'leveldb') return { kind: 'leveldb' };
  if (values.storage !== 'etcd') throw new Error(`--storage: unknown backend "${values.storage}" (leveldb or etcd)`);
  const servers = (values['etcd-servers'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (servers.length === 0) throw new Error('--storage=etcd needs --etcd-servers (e.g. http://127.0.0.1:2379)');
  return { kind: 'etcd', servers, prefix: values['etcd-prefix'] };
}

function stopOnSignals(log: Logger, stop: () => Promise<void>): void {
  const handler = async (signal: string) => {
    log.info({ signal }, 'stopping');
    await stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void handler('SIGINT'));
  process.once('SIGTERM', () => void handler('SIGTERM'));
}

async function serve(values: Values, log: Logger): Promise<void> {
  // Files LevelDB and the PKI create later are private too (the store holds Secrets), as etcd's.
  process.umask(0o077);
  const port = integer('port', values.port);
  const controllerOptions = controllerOptionsFromFlags(values); // a bad flag fails before anything starts
  const started = Date.now();
  const server = await startApiServer({
    dataDir: resolve(values['data-dir']!), host: values.host, port, logger: log, storage: storageOptions(values),
    secureServing: {
      certFile: values['tls-cert-file'], keyFile: values['tls-private-key-file'], clientCAFile: values['client-ca-file'],
      advertiseAddress: values['advertise-address'], tokenAuthFile: values['token-auth-file'],
      anonymousAuth: values['anonymous-auth'] !== 'false',
    },
    serviceAccounts: serviceAccountOptionsFromFlags(values),
    maxInFlight: {
      readOnly: integer('max-requests-inflight', values['max-requests-inflight']),
      mutating: integer('max-mutating-requests-inflight', values['max-mutating-requests-inflight']),
    },
    requestTimeoutMs: goDurationSeconds(values['request-timeout']!, '--request-timeout') * 1000,
    insecurePort: values['insecure-port'] !== undefined ? integer('insecure-port', values['insecure-port']) : undefined,
    watchCache: {
      eventsPerResource: Math.max(1, integer('watch-cache-events', values['watch-cache-events'])),
      maxEventAgeMs: integer('watch-cache-window', values['watch-cache-window']) * 1000,
      maxEventBytes: byteQuantity('watch-cache-bytes', values['watch-cache-bytes']),
    },
    serviceNetwork: { clusterIPRange: values['service-cluster-ip-range'], nodePortRange: values['service-node-port-range'] },
    ui: !values['no-ui'],
  });
  // Each worker connects as its own user, as kube's components do (kubeadm's *.conf files).
  const as = (kubeconfigPath: string) => ({ kubeconfigPath });
  const workers: WorkerHandle[] = [];
  if (!values['no-kubelet'] && integer('nodes', values.nodes) > 0) {
    // kubelite's own kubelets serve their API with a certificate from the cluster CA.
    const options = { ...kubeletOptions(values), servingCert: server.kubeletServingCert };
    workers.push(await startWorker('kubelet', { connection: as(server.kubeconfigs.kubelet), options, log, waitForReady: false }));
  }
  // Scheduler and controllers elect a leader, as kube's do: with several servers on one etcd,
  // one of each runs. The identity is stable per data dir, so a restarted server takes its own
  // Lease back at once instead of waiting for it to expire.
  const leaderElection = {
    ...leaderElectionTimes(values),
    identity: `${hostname()}_${createHash('sha256').update(resolve(values['data-dir']!)).digest('hex').slice(0, 12)}`,
  };
  if (!values['no-scheduler']) workers.push(await startWorker('scheduler', { connection: as(server.kubeconfigs.scheduler), options: { leaderElection }, log, waitForReady: false }));
  // The CSR signers issue from the cluster CA, as kubeadm points kube-controller-manager's --cluster-signing-*-file at it.
  const signing = clusterSigning(values, join(resolve(values['data-dir']!), 'pki'));
  if (!values['no-controllers']) workers.push(await startWorker('controllers', { connection: as(server.kubeconfigs.controllerManager), options: { ...controllerOptions, leaderElection, ...signing }, log, waitForReady: false }));
  log.info({ url: server.url, ms: Date.now() - started }, 'kubelite ready');
  if (server.insecureUrl) process.stdout.write(`kubelite insecure port (plain HTTP, no authentication): ${server.insecureUrl}\n`);
  process.stdout.write(`kubelite is serving the Kubernetes API at ${server.url} (ready in ${Date.now() - started} ms)\n` +
    `  export KUBECONFIG=${server.kubeconfigPath}\n  kubectl get namespaces\n` +
    (server.consoleLoginUrl ? `  console (logs the admin in once): ${server.consoleLoginUrl}\n` : ''));
  stopOnSignals(log, async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await server.close();
  });
}

async function runOne(name: 'kubelet' | 'scheduler' | 'controllers', values: Values, log: Logger): Promise<void> {
  if (!values.kubeconfig) throw new Error(`${name}: --kubeconfig is required`);
  const options = name === 'kubelet' ? kubeletOptions(values)
    : name === 'controllers' ? { ...controllerOptionsFromFlags(values), leaderElection: leaderElectionTimes(values) }
      : { leaderElection: leaderElectionTimes(values) };
  // Started beside (or before) its server, as in docs/scaling-out.md: wait for both, saying so once.
  const waitLog = log.child({ worker: name });
  await awaitServer(await awaitKubeconfig(values.kubeconfig, waitLog), waitLog);
  const running: RunningWorker = await runWorkerInProcess(name, {
    connection: { kubeconfigPath: resolve(values.kubeconfig) },
    // As kube-scheduler and kube-controller-manager, elect a leader (--leader-elect defaults to true).
    options: name === 'controllers' ? { ...options, ...clusterSigning(values) } : options,
    log,
  });
  process.stdout.write(`kubelite ${name} is running against ${values.kubeconfig}\n`);
  stopOnSignals(log, () => running.stop());
}

/** --cluster-signing-cert-file/--cluster-signing-key-file, defaulting to the CA in `pkiDir` when one is given. */
function clusterSigning(values: Values, pkiDir?: string): { clusterSigningCertFile?: string; clusterSigningKeyFile?: string } {
  const cert = values['cluster-signing-cert-file'] ?? (pkiDir && join(pkiDir, 'ca.crt'));
  const key = values['cluster-signing-key-file'] ?? (pkiDir && join(pkiDir, 'ca.key'));
  return { clusterSigningCertFile: cert ? resolve(cert) : undefined, clusterSigningKeyFile: key ? resolve(key) : undefined };
}

/** `kubelite kubeconfig`: reads the data dir only; starts nothing. */
function printKubeconfig(values: Values): void {
  const { yaml, warnings } = adminKubeconfig({ dataDir: resolve(values['data-dir']!), server: values.server });
  for (const w of warnings) process.stderr.write(`kubelite: warning: ${w}\n`);
  process.stdout.write(yaml);
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ options: { ...options, ...controllerFlagOptions }, allowPositionals: true }) as { values: Values; positionals: string[] };
  if (values.help) {
    process.stdout.write(usage);
    return;
  }
  const verbosity = values.v?.length ?? 0;
  const level = values['log-level'] ?? (verbosity >= 2 ? 'debug' : verbosity === 1 ? 'info' : undefined);
  const log = createLogger(level);
  const command = positionals[0] ?? 'serve';
  if (command === 'serve') return serve(values, log);
  if (command === 'kubelet' || command === 'scheduler' || command === 'controllers') return runOne(command, values, log);
  if (command === 'kubeconfig') return printKubeconfig(values);
  throw new Error(`unknown command "${command}" (see kubelite --help)`);
}

main().catch((err) => {
  process.stderr.write(`kubelite: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
