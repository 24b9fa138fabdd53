// The usage model: what kubelite's simulated containers "use", since no container runs. It is
// data a user can drive and see, read from the objects the API server already holds:
//
//   pod annotation  kubelite.dev/cpu-usage: "250m"            the pod's total, split over its containers
//   pod annotation  kubelite.dev/cpu-usage.<container>: "50m"  one container's own usage (wins)
//   (the same with kubelite.dev/memory-usage; put them in a workload's pod template to drive
//    an HPA, or `kubectl annotate pod` to change one pod's usage on the fly)
//   node annotation kubelite.dev/cpu-usage / memory-usage      the node's system overhead
//
// Without annotations a container uses a fraction of its request (or a small constant when
// it requests nothing), varied by a deterministic ±jitter per pod and container, so numbers
// look alive but repeat. As metrics-server reports them: usage only for Running pods, node
// usage = its Running pods plus system overhead, and only for Ready nodes.
import type { Container, Node, Pod } from './core-v1.ts';
import { parseBytes, parseNanocores } from './metrics-quantity.ts';

export type UsageResource = 'cpu' | 'memory';

export const usageAnnotations: Record<UsageResource, string> = {
  cpu: 'kubelite.dev/cpu-usage',
  memory: 'kubelite.dev/memory-usage',
};

export interface UsageModel {
  /** metrics-server's --metric-resolution: samples are this many seconds apart, and it is their window. */
  resolutionSeconds: number;
  /** A container without an annotation uses request × fractionOfRequest, or withoutRequest when it has none. */
  defaults: Record<UsageResource, { fractionOfRequest: number; withoutRequest: string }>;
  /** Unannotated amounts vary by up to ± this fraction, fixed per pod, container and resource. */
  jitter: number;
  /** A node's own use (kubelet, runtime, system daemons) when the node has no annotation. */
  nodeOverhead: Record<UsageResource, string>;
}

export const defaultUsageModel: UsageModel = {
  resolutionSeconds: 15,
  defaults: {
    cpu: { fractionOfRequest: 0.1, withoutRequest: '2m' },
    memory: { fractionOfRequest: 0.5, withoutRequest: '16Mi' },
  },
  jitter: 0.1,
  nodeOverhead: { cpu: '100m', memory: '512Mi' },
};

/** One container's usage: cpu in nanocores, memory in bytes. */
export interface ContainerUsage {
  name: string;
  cpu: number;
  memory: number;
}

const parsers: Record<UsageResource, (q: unknown) => number | undefined> = { cpu: parseNanocores, memory: parseBytes };

/** The containers that run for the pod's life: regular ones and restartable (sidecar) init containers. */
export function runningContainers(pod: Pod): Container[] {
  const sidecars = (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  return [...(pod.spec?.containers ?? []), ...sidecars];
}

export function isNodeReady(node: Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** A stable number in [0, 1) for a string (FNV-1a), the seed of the jitter. */
function unitHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) / 2 ** 32;
}

function jittered(amount: number, seed: string, model: UsageModel): number {
  return amount * (1 + model.jitter * (2 * unitHash(seed) - 1));
}

/** Memory is reported in whole KiB, as the kubelet's working set usually is. */
function roundUsage(resource: UsageResource, amount: number): number {
  return resource === 'memory' ? Math.round(amount / 1024) * 1024 : Math.round(amount);
}

/** One resource's usage per container, in the order of `containers`. */
function resourceUsage(pod: Pod, containers: Container[], resource: UsageResource, model: UsageModel): number[] {
  const annotations = pod.metadata.annotations ?? {};
  const parse = parsers[resource];
  const key = usageAnnotations[resource];
  const own = containers.map((c) => parse(annotations[`${key}.${c.name}`]));
  const podTotal = parse(annotations[key]);
  const request = (c: Container) => parse(c.resources?.requests?.[resource]) ?? 0;
  const rest = containers.filter((_, i) => own[i] === undefined);
  // The pod's annotated total goes to the containers without their own, by request when all have one.
  const byRequest = rest.every((c) => request(c) > 0);
  const weightSum = rest.reduce((sum, c) => sum + (byRequest ? request(c) : 1), 0);
  const { fractionOfRequest, withoutRequest } = model.defaults[resource];
  return containers.map((c, i) => {
    const value = own[i] ?? (podTotal !== undefined
      ? podTotal * (byRequest ? request(c) : 1) / weightSum
      : jittered(request(c) > 0 ? request(c) * fractionOfRequest : parse(withoutRequest)!, `${pod.metadata.uid ?? pod.metadata.name}/${c.name}/${resource}`, model));
    return roundUsage(resource, value);
  });
}

/** A pod's usage per container, or undefined when it has none to report (not Running). */
export function podUsage(pod: Pod, model: UsageModel = defaultUsageModel): ContainerUsage[] | undefined {
  if (pod.status?.phase !== 'Running') return undefined;
  const containers = runningContainers(pod);
  const cpu = resourceUsage(pod, containers, 'cpu', model);
  const memory = resourceUsage(pod, containers, 'memory', model);
  return containers.map((c, i) => ({ name: c.name, cpu: cpu[i], memory: memory[i] }));
}

/** A node's usage: its system overhead plus its Running pods', or undefined when it is not Ready. */
export function nodeUsage(node: Node, pods: Pod[], model: UsageModel = defaultUsageModel): { cpu: number; memory: number } | undefined {
  if (!isNodeReady(node)) return undefined;
  const total = { cpu: 0, memory: 0 };
  for (const resource of ['cpu', 'memory'] as const) {
    const annotated = parsers[resource](node.metadata.annotations?.[usageAnnotations[resource]]);
    const overhead = annotated ?? jittered(parsers[resource](model.nodeOverhead[resource])!, `${node.metadata.name}/${resource}`, model);
    total[resource] = roundUsage(resource, overhead);
  }
  for (const pod of pods) {
    for (const c of podUsage(pod, model) ?? []) {
      total.cpu += c.cpu;
      total.memory += c.memory;
    }
  }
  return total;
}
