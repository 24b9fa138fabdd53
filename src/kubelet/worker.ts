// The kubelet as a worker (src/workers/): `kubelite kubelet --nodes N` and the kubelet thread
// of `kubelite` both come here with a client and JSON options.
import type { RunningWorker, WorkerContext } from '../workers/types.ts';
import { defaultNodes, startKubelets } from './kubelets.ts';
import type { NodeConfig } from './node.ts';
import { loadStageBundle } from './stage-load.ts';

export interface KubeletWorkerOptions {
  /** How many nodes (named `<namePrefix>-1..N`, default 3), or each node spelled out. */
  nodes?: number | NodeConfig[];
  /** Capacity, labels and taints of every node when `nodes` is a number. */
  nodeTemplate?: Omit<NodeConfig, 'name'>;
  namePrefix?: string;
  /** A stage bundle to use instead of stages/pod-default.yaml (`--stages FILE`). */
  stagesFile?: string;
  firstNodeIndex?: number;
  workers?: number;
  /** The container restart back-off's first delay and cap (the kubelet's 10 s and 300 s); small in tests. */
  backOffPeriodSeconds?: number;
  maxContainerBackOffSeconds?: number;
  /** The kubelet API's serving certificate (PEM); without it each kubelet process makes a self-signed one. */
  servingCert?: { cert: string; key: string };
  /** The address every node's kubelet API listens on and advertises (default 127.0.0.1). */
  address?: string;
  /** Container logs' directory (`<data-dir>/pods`) and rotation size (--container-log-max-size). */
  podLogsDir?: string;
  containerLogMaxBytes?: number;
}

export async function start(ctx: WorkerContext): Promise<RunningWorker> {
  const options = ctx.options as KubeletWorkerOptions;
  const nodes = Array.isArray(options.nodes) ? options.nodes : defaultNodes(options.nodes ?? 3, options.nodeTemplate, options.namePrefix);
  const kubelets = await startKubelets({
    client: ctx.client,
    nodes,
    log: ctx.log,
    stages: options.stagesFile ? loadStageBundle(options.stagesFile) : undefined,
    firstNodeIndex: options.firstNodeIndex,
    workers: options.workers,
    backOffPeriodSeconds: options.backOffPeriodSeconds,
    maxContainerBackOffSeconds: options.maxContainerBackOffSeconds,
    servingCert: options.servingCert,
    address: options.address,
    podLogsDir: options.podLogsDir,
    containerLogMaxBytes: options.containerLogMaxBytes,
  });
  return { stop: () => kubelets.stop() };
}
