// NodeResourcesFit: Filter checks the pod's requests (cpu, memory, ephemeral-storage,
// extended resources) and the pod count against the node's allocatable, counting pods bound,
// assumed, and nominated there with at least this pod's priority. Score is kube's default
// LeastAllocated strategy over cpu and memory (weight 1). NodeResourcesBalancedAllocation
// (weight 1) prefers nodes whose cpu and memory fractions stay close.
import { maxNodeScore, unschedulable, type FilterPlugin, type ScorePlugin, type Status } from '../framework.ts';
import type { NodeInfo, PodInfo } from '../node-info.ts';
import { addResources, cloneResources, isZero, type Resources } from '../../api/pod-resources.ts';

export interface InsufficientResource {
  resourceName: string;
  reason: string;
  requested: number;
  used: number;
  capacity: number;
}

/** fitsRequest: every resource the pod lacks on this node, in kube's order. */
export function insufficientResources(pod: PodInfo, node: NodeInfo, nominated: PodInfo[] = []): InsufficientResource[] {
  let requested: Resources = node.requested;
  if (nominated.length) {
    requested = cloneResources(requested);
    for (const p of nominated) addResources(requested, p.requests);
  }
  const out: InsufficientResource[] = [];
  const podCount = node.pods.size + nominated.length;
  if (podCount + 1 > node.allowedPodNumber) {
    out.push({ resourceName: 'pods', reason: 'Too many pods', requested: 1, used: podCount, capacity: node.allowedPodNumber });
  }
  const want = pod.requests;
  if (isZero(want)) return out;
  const check = (resourceName: string, req: number, used: number, capacity: number) => {
    if (req > 0 && req > capacity - used) out.push({ resourceName, reason: `Insufficient ${resourceName}`, requested: req, used, capacity });
  };
  check('cpu', want.milliCPU, requested.milliCPU, node.allocatable.milliCPU);
  check('memory', want.memory, requested.memory, node.allocatable.memory);
  check('ephemeral-storage', want.ephemeralStorage, requested.ephemeralStorage, node.allocatable.ephemeralStorage);
  for (const [name, q] of Object.entries(want.scalar)) check(name, q, requested.scalar[name] ?? 0, node.allocatable.scalar[name] ?? 0);
  return out;
}

export function fitStatus(pod: PodInfo, node: NodeInfo, nominated: PodInfo[] = []): Status | undefined {
  const lacking = insufficientResources(pod, node, nominated);
  // 1.32 answers Unschedulable even when the node is too small altogether (preemption is tried).
  return lacking.length ? unschedulable('NodeResourcesFit', ...lacking.map((r) => r.reason)) : undefined;
}

/** Pods nominated to the node that count against it for this pod (RunFilterPluginsWithNominatedPods). */
export function nominatedFor(pod: PodInfo, node: NodeInfo, nominated: PodInfo[]): PodInfo[] {
  return nominated.filter((p) => p.key !== pod.key && p.priority >= pod.priority && !node.pods.has(p.key));
}

export const nodeResourcesFit: FilterPlugin & ScorePlugin = {
  name: 'NodeResourcesFit',
  weight: 1,
  preFilter({ pod, snapshot }) {
    return (node) => fitStatus(pod, node, nominatedFor(pod, node, snapshot.nominatedPods(node.name)));
  },
  preScore({ pod }) {
    return { score: (node) => leastAllocatedScore(pod, node) };
  },
};

function leastRequested(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * maxNodeScore) / capacity);
}

/** LeastAllocated over cpu and memory (weight 1 each), with 100m / 200Mi for missing requests. */
export function leastAllocatedScore(pod: PodInfo, node: NodeInfo): number {
  let sum = 0;
  let weights = 0;
  const pairs: [number, number][] = [
    [node.nonZeroRequested.milliCPU + pod.nonZero.milliCPU, node.allocatable.milliCPU],
    [node.nonZeroRequested.memory + pod.nonZero.memory, node.allocatable.memory],
  ];
  for (const [requested, allocatable] of pairs) {
    if (allocatable === 0) continue;
    sum += leastRequested(requested, allocatable);
    weights += 1;
  }
  return weights === 0 ? 0 : Math.trunc(sum / weights);
}

export const nodeResourcesBalancedAllocation: ScorePlugin = {
  name: 'NodeResourcesBalancedAllocation',
  weight: 1,
  preScore({ pod }) {
    // A best-effort pod is not scored, so that such pods are not all piled onto one node.
    if (pod.requests.milliCPU === 0 && pod.requests.memory === 0) return undefined;
    return {
      score(node) {
        const fractions: number[] = [];
        const add = (requested: number, allocatable: number) => {
          if (allocatable > 0) fractions.push(Math.min(1, requested / allocatable));
        };
        add(node.requested.milliCPU + pod.requests.milliCPU, node.allocatable.milliCPU);
        add(node.requested.memory + pod.requests.memory, node.allocatable.memory);
        let std = 0;
        if (fractions.length === 2) std = Math.abs(fractions[0] - fractions[1]) / 2;
        else if (fractions.length > 2) {
          const mean = fractions.reduce((a, b) => a + b, 0) / fractions.length;
          std = Math.sqrt(fractions.reduce((a, f) => a + (f - mean) ** 2, 0) / fractions.length);
        }
        return Math.trunc((1 - std) * maxNodeScore);
      },
    };
  },
};
