// A simulated node's Node object and its heartbeats, as the kubelet's node status manager
// keeps it: register (create, or adopt an existing Node and update its labels), then post
// NodeStatus with fresh lastHeartbeatTime periodically. The Lease is node-lease.ts.
import { createHash, randomUUID } from 'node:crypto';
import { release } from 'node:os';
import type { KubeObject } from '../api/types.ts';
import { isAlreadyExists, isConflict, resources, type ApiClient } from '../client/index.ts';
import { nodePodCIDR } from './pod-ip.ts';
import { rfc3339, runtimeName } from './pod-functions.ts';

export interface NodeTaint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

export interface NodeConfig {
  name: string;
  /** Quantities as in Node.status.capacity: cpu '4', memory '16Gi', pods '110'. */
  cpu?: string;
  memory?: string;
  pods?: string | number;
  ephemeralStorage?: string;
  labels?: Record<string, string>;
  taints?: NodeTaint[];
  /** The address the node's kubelet API listens on (default 127.0.0.1: every simulated node runs on this host). */
  internalIP?: string;
  /** Default derived from the node's position: 10.244.n.0/24. */
  podCIDR?: string;
  /** The kubelet API's port, advertised as status.daemonEndpoints.kubeletEndpoint.Port. */
  kubeletPort?: number;
}

export const kubeletVersion = 'v1.32.0';

export function goArch(arch: string = process.arch): string {
  return ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[arch] ?? arch;
}

/** Addresses and CIDR of the n-th node, unless its config names them. */
export function resolveNode(config: NodeConfig, index: number): Required<Pick<NodeConfig, 'internalIP' | 'podCIDR'>> & NodeConfig {
  return { ...config, internalIP: config.internalIP ?? '127.0.0.1', podCIDR: config.podCIDR ?? nodePodCIDR(index) };
}

const stableId = (seed: string) => createHash('sha256').update(seed).digest('hex').slice(0, 32);

function uuidOf(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

const bootID = randomUUID();

export function nodeLabels(config: NodeConfig): Record<string, string> {
  const arch = goArch();
  return {
    'beta.kubernetes.io/arch': arch,
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': arch,
    'kubernetes.io/hostname': config.name,
    'kubernetes.io/os': 'linux',
    'node.kubernetes.io/instance-type': 'kubelite',
    ...config.labels,
  };
}

export function nodeCapacity(config: NodeConfig): Record<string, string> {
  return {
    cpu: config.cpu ?? '4',
    'ephemeral-storage': config.ephemeralStorage ?? '100Gi',
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: config.memory ?? '16Gi',
    pods: String(config.pods ?? 110),
  };
}

function conditions(now: string, old: any[] = []): any[] {
  const make = (type: string, status: string, reason: string, message: string) => {
    const prev = old.find((c) => c?.type === type);
    const lastTransitionTime = prev?.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : now;
    return { type, status, lastHeartbeatTime: now, lastTransitionTime, reason, message };
  };
  return [
    make('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    make('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    make('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    make('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
  ];
}

/** The Node.status the kubelet posts. */
export function nodeStatus(config: ReturnType<typeof resolveNode>, now: Date, old?: any): Record<string, unknown> {
  const capacity = nodeCapacity(config);
  const id = stableId(config.name);
  return {
    capacity,
    allocatable: { ...capacity },
    conditions: conditions(rfc3339(now), old?.conditions),
    addresses: [{ type: 'InternalIP', address: config.internalIP }, { type: 'Hostname', address: config.name }],
    // Where the API server reaches this node's kubelet API (kube-apiserver dials InternalIP:Port).
    daemonEndpoints: { kubeletEndpoint: { Port: config.kubeletPort ?? 10250 } },
    nodeInfo: {
      machineID: id,
      systemUUID: uuidOf(stableId(`uuid:${config.name}`)),
      bootID,
      kernelVersion: release(),
      osImage: 'kubelite simulated node',
      containerRuntimeVersion: `${runtimeName}://0.1.0`,
      kubeletVersion,
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: goArch(),
    },
  };
}

export function nodeObject(config: ReturnType<typeof resolveNode>, now: Date): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: config.name,
      labels: nodeLabels(config),
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
    },
    spec: { podCIDR: config.podCIDR, podCIDRs: [config.podCIDR], ...(config.taints?.length ? { taints: config.taints } : {}) },
    status: nodeStatus(config, now),
  };
}

/**
 * Creates the Node with its status, or adopts an existing one (labels and taints merged in,
 * its podCIDR kept) and posts its status. Returns the podCIDR the node uses and the Node's uid.
 */
export async function registerNode(client: ApiClient, config: ReturnType<typeof resolveNode>): Promise<{ podCIDR: string; uid?: string }> {
  const desired = nodeObject(config, new Date());
  let node: KubeObject;
  try {
    // A new Node carries its status (the kubelet's initialNode sets it): nothing to post after.
    node = await client.create(resources.nodes, desired);
    return { podCIDR: node.spec?.podCIDR ?? config.podCIDR, uid: node.metadata.uid };
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    node = await updateWithRetry(client, config.name, (existing) => {
      existing.metadata.labels = { ...existing.metadata.labels, ...desired.metadata.labels };
      existing.spec ??= {};
      if (!existing.spec.podCIDR) Object.assign(existing.spec, { podCIDR: config.podCIDR, podCIDRs: [config.podCIDR] });
      for (const t of config.taints ?? []) {
        const taints: NodeTaint[] = (existing.spec.taints ??= []);
        if (!taints.some((x) => x.key === t.key && x.effect === t.effect)) taints.push(t);
      }
    });
  }
  await postNodeStatus(client, config);
  return { podCIDR: node.spec?.podCIDR ?? config.podCIDR, uid: node.metadata.uid };
}

async function updateWithRetry(client: ApiClient, name: string, mutate: (node: KubeObject) => void): Promise<KubeObject> {
  for (let attempt = 0; ; attempt++) {
    const node = await client.get(resources.nodes, name);
    mutate(node);
    try {
      return await client.update(resources.nodes, node);
    } catch (err) {
      if (!isConflict(err) || attempt >= 5) throw err;
    }
  }
}

/** PUT nodes/status with fresh heartbeats (the kubelet's tryUpdateNodeStatus). */
export async function postNodeStatus(client: ApiClient, config: ReturnType<typeof resolveNode>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const node = await client.get(resources.nodes, config.name);
    node.status = { ...node.status, ...nodeStatus(config, new Date(), node.status) };
    try {
      await client.updateStatus(resources.nodes, node);
      return;
    } catch (err) {
      if (!isConflict(err) || attempt >= 5) throw err;
    }
  }
}
