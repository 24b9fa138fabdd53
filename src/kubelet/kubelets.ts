// startKubelets: any number of simulated nodes in one process, sharing one pod informer, one
// stage engine, one log store and one container runtime. Each node serves its kubelet API on
// its own port (one HTTPS server behind them all: api/server.ts), registers (advertising that
// address and port), then keeps its Lease and NodeStatus fresh as kube's kubelet does: the
// Lease every 10 s, the status when it changed (checked every 10 s) or every 5 min
// (node-status.ts; kubelite posted it every minute, 17 writes/s at 1,000 nodes).
import type { Logger } from 'pino';
import { retryReporter, type ApiClient, type RetryReporter } from '../client/index.ts';
import { createLogger } from '../log.ts';
import { RestartBackoff } from './container-restarts.ts';
import { LogStore } from './logs.ts';
import { nodeCapacity, registerNode, resolveNode, type NodeConfig } from './node.ts';
import { NodeStatusManager } from './node-status.ts';
import { NodeLease } from './node-lease.ts';
import { ConfigObjects } from './config-objects.ts';
import { PodController, type SimulatedNode } from './pod-controller.ts';
import { PodIPAllocator } from './pod-ip.ts';
import type { ContainerRuntime } from './container-runtime.ts';
import { SimulatedRuntime } from './runtime/index.ts';
import { startKubeletServer } from './api/server.ts';
import { selfSignedServingCert } from './api/serving-cert.ts';
import { StageEngine } from './stage-engine.ts';
import { loadStageBundle } from './stage-load.ts';
import type { Stage } from './stage-types.ts';

export interface KubeletsOptions {
  client: ApiClient;
  nodes: NodeConfig[];
  log?: Logger;
  /** The pod stages (default: stages/pod-default.yaml). */
  stages?: Stage[];
  /** Index of nodes[0] for default addresses and podCIDRs, when several kubelet processes share a cluster. */
  firstNodeIndex?: number;
  /** Lease renewal (the kubelet's 10 s: a quarter of the 40 s lease). */
  leaseRenewIntervalMs?: number;
  /** NodeStatus posts when nothing changed (the kubelet's nodeStatusReportFrequency, 5 min). */
  nodeStatusIntervalMs?: number;
  /** How often each node checks whether its status changed (the kubelet's nodeStatusUpdateFrequency, 10 s). */
  nodeStatusUpdateFrequencyMs?: number;
  /** Concurrent pod syncs. */
  workers?: number;
  /** The container restart back-off: first delay and cap (the kubelet's 10 s and 5 min). */
  backOffPeriodSeconds?: number;
  maxContainerBackOffSeconds?: number;
  /** Where container logs are kept, as a kubelet's /var/log/pods (`<data-dir>/pods`); default a temporary directory. */
  podLogsDir?: string;
  /** Size at which a container's log file is rotated (the kubelet's containerLogMaxSize, 10Mi). */
  containerLogMaxBytes?: number;
  /** Where every node's kubelet API listens and what its Node advertises as InternalIP (default 127.0.0.1). */
  address?: string;
  /** The kubelet API's serving certificate (PEM); without one, a self-signed one, as a kubelet without --tls-cert-file. */
  servingCert?: { cert: string; key: string };
  /** CAs whose client certificates the kubelet API accepts (--client-ca-file); default: the CA the client trusts. */
  clientCA?: string;
}

export interface RunningKubelets {
  /** The registered node names. */
  nodes: string[];
  /** Each node's kubelet API port (on `address`). */
  ports: Record<string, number>;
  logs: LogStore;
  /** The simulated container runtime of these nodes' pods. */
  containers: SimulatedRuntime;
  stop(): Promise<void>;
}

/** Registers many nodes without flooding the server: this many at a time. */
const registerConcurrency = 20;

export async function startKubelets(opts: KubeletsOptions): Promise<RunningKubelets> {
  const log = opts.log ?? createLogger();
  const { client } = opts;
  const engine = new StageEngine(opts.stages ?? loadStageBundle());
  const logs = new LogStore({ dir: opts.podLogsDir, maxBytes: opts.containerLogMaxBytes });
  const address = opts.address ?? '127.0.0.1';
  const configs = opts.nodes.map((n, i) => resolveNode({ internalIP: address, ...n }, (opts.firstNodeIndex ?? 0) + i));
  const nodes = new Map<string, SimulatedNode>();
  const backoff = new RestartBackoff((opts.backOffPeriodSeconds ?? 10) * 1000, (opts.maxContainerBackOffSeconds ?? 300) * 1000);
  const configObjects = new ConfigObjects(client);
  const containers = new SimulatedRuntime({ client, config: configObjects, logs, log });
  const runtime: ContainerRuntime = containers;
  const pods = new PodController({ client, engine, nodes, logs, log, workers: opts.workers, backoff, runtime: containers, config: configObjects });
  const names = configs.map((c) => c.name);
  const serving = opts.servingCert ?? await selfSignedServingCert(names[0] ?? 'kubelite-node', [address, 'localhost', ...names]);
  const server = await startKubeletServer({
    nodeNames: names, address, tls: { ...serving, clientCA: opts.clientCA ?? client.config.ca },
    client, runtime, pods: pods.informer.store, log,
  });
  for (const config of configs) config.kubeletPort = server.ports.get(config.name)!;
  const leases = new Map<string, NodeLease>();
  const statuses = new NodeStatusManager(client, opts.nodeStatusIntervalMs ?? 5 * 60_000);
  for (let i = 0; i < configs.length; i += registerConcurrency) {
    await Promise.all(configs.slice(i, i + registerConcurrency).map(async (config) => {
      const { podCIDR, uid } = await registerNode(client, config);
      nodes.set(config.name, { name: config.name, internalIP: config.internalIP, podCIDR, ips: new PodIPAllocator(podCIDR), allocatable: nodeCapacity(config) });
      const lease = new NodeLease(client, config.name, uid);
      leases.set(config.name, lease);
      statuses.registered(config.name);
      await lease.renew();
    }));
  }
  log.info({ nodes: configs.length }, 'kubelet: nodes registered');
  await statuses.start();

  const timers: NodeJS.Timeout[] = [];
  let stopped = false;
  const failures = new Map<string, RetryReporter>();
  const every = (ms: number, fn: () => Promise<void>, what: string, node: string) => {
    let busy = false;
    if (!failures.has(what)) failures.set(what, retryReporter(log, `kubelet: ${what} failed`));
    const reporter = failures.get(what)!;
    const tick = () => {
      if (busy || stopped) return;
      busy = true;
      fn().then(() => reporter.succeeded(), (err) => reporter.failed(err, { node })).finally(() => (busy = false));
    };
    // Spread the nodes' timers over the period, as real kubelets start at different times.
    const first = setTimeout(() => {
      tick();
      timers.push(setInterval(tick, ms));
    }, Math.random() * ms);
    timers.push(first);
  };
  for (const config of configs) {
    const lease = leases.get(config.name)!;
    every(opts.leaseRenewIntervalMs ?? 10_000, () => lease.renew(), 'lease renewal', config.name);
    every(opts.nodeStatusUpdateFrequencyMs ?? 10_000, () => statuses.sync(config), 'node status update', config.name);
  }

  await pods.start();
  return {
    nodes: configs.map((c) => c.name),
    ports: Object.fromEntries(server.ports),
    logs,
    containers,
    async stop() {
      stopped = true;
      for (const t of timers) {
        clearTimeout(t);
        clearInterval(t);
      }
      await server.close();
      await pods.stop();
      await statuses.stop();
      await configObjects.stop();
      containers.stopAll();
      logs.dispose();
    },
  };
}

/** `--nodes N` as node configs: kubelite-node-1..N (or a prefix of choice) with one capacity. */
export function defaultNodes(count: number, template: Omit<NodeConfig, 'name'> = {}, prefix = 'kubelite-node'): NodeConfig[] {
  return Array.from({ length: count }, (_, i) => ({ ...template, name: `${prefix}-${i + 1}` }));
}
