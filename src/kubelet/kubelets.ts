// startKubelets: any number of simulated nodes in one process, sharing one pod informer, one
// stage engine and one log store. Each node registers, then keeps its Lease and NodeStatus fresh.
import type { Logger } from 'pino';
import { retryReporter, type ApiClient, type RetryReporter } from '../client/index.ts';
import { createLogger } from '../log.ts';
import { RestartBackoff } from './container-restarts.ts';
import { LogStore } from './logs.ts';
import { nodeCapacity, postNodeStatus, registerNode, renewLease, resolveNode, type NodeConfig } from './node.ts';
import { PodController, type SimulatedNode } from './pod-controller.ts';
import { PodIPAllocator } from './pod-ip.ts';
import { LocalPodRuntime, type PodRuntime } from './runtime.ts';
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
  /** NodeStatus posts (the kubelet reports at least every 5 min; kubelite every minute). */
  nodeStatusIntervalMs?: number;
  /** Concurrent pod syncs. */
  workers?: number;
  /** The container restart back-off: first delay and cap (the kubelet's 10 s and 5 min). */
  backOffPeriodSeconds?: number;
  maxContainerBackOffSeconds?: number;
}

export interface RunningKubelets {
  /** The registered node names. */
  nodes: string[];
  /** pods/log and pods/exec for pods on these nodes. */
  runtime: PodRuntime;
  logs: LogStore;
  stop(): Promise<void>;
}

/** Registers many nodes without flooding the server: this many at a time. */
const registerConcurrency = 20;

export async function startKubelets(opts: KubeletsOptions): Promise<RunningKubelets> {
  const log = opts.log ?? createLogger();
  const { client } = opts;
  const engine = new StageEngine(opts.stages ?? loadStageBundle());
  const logs = new LogStore();
  const configs = opts.nodes.map((n, i) => resolveNode(n, (opts.firstNodeIndex ?? 0) + i));
  const nodes = new Map<string, SimulatedNode>();
  const uids = new Map<string, string | undefined>();
  for (let i = 0; i < configs.length; i += registerConcurrency) {
    await Promise.all(configs.slice(i, i + registerConcurrency).map(async (config) => {
      const { podCIDR, uid } = await registerNode(client, config);
      nodes.set(config.name, { name: config.name, internalIP: config.internalIP, podCIDR, ips: new PodIPAllocator(podCIDR), allocatable: nodeCapacity(config) });
      uids.set(config.name, uid);
      await renewLease(client, config.name, uid);
    }));
  }
  log.info({ nodes: configs.length }, 'kubelet: nodes registered');

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
    every(opts.leaseRenewIntervalMs ?? 10_000, () => renewLease(client, config.name, uids.get(config.name)), 'lease renewal', config.name);
    every(opts.nodeStatusIntervalMs ?? 60_000, () => postNodeStatus(client, config), 'node status update', config.name);
  }

  const backoff = new RestartBackoff((opts.backOffPeriodSeconds ?? 10) * 1000, (opts.maxContainerBackOffSeconds ?? 300) * 1000);
  const pods = new PodController({ client, engine, nodes, logs, log, workers: opts.workers, backoff });
  await pods.start();
  return {
    nodes: configs.map((c) => c.name),
    runtime: new LocalPodRuntime(pods.informer.store, logs, client),
    logs,
    async stop() {
      stopped = true;
      for (const t of timers) {
        clearTimeout(t);
        clearInterval(t);
      }
      await pods.stop();
    },
  };
}

/** `--nodes N` as node configs: kubelite-node-1..N (or a prefix of choice) with one capacity. */
export function defaultNodes(count: number, template: Omit<NodeConfig, 'name'> = {}, prefix = 'kubelite-node'): NodeConfig[] {
  return Array.from({ length: count }, (_, i) => ({ ...template, name: `${prefix}-${i + 1}` }));
}
