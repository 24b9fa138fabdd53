// rollingUpdate, as kube's daemon update.go. Without surge, old pods are deleted — unavailable
// ones at once, available ones only while fewer than maxUnavailable nodes are unavailable —
// and manage() creates their replacements. With maxSurge, a new pod is created beside an old
// one (at once where the old pod is unavailable, else up to maxSurge nodes at a time), and the
// old pod is deleted when the new one is available. Both budgets are scaled from the number of
// nodes that should run the daemon, rounding up.
import type { Node, Pod } from '../../api/core-v1.ts';
import { isPodAvailable, nodesToDaemonPods, surgeAllowed, syncNodes, type ManageDeps } from './manage.ts';
import { isPodUpdated, nodeShouldRunDaemonPod, templateGeneration } from './predicates.ts';
import type { DaemonSet } from './types.ts';

/** GetScaledValueFromIntOrPercent with roundUp. */
export function scaledValue(value: number | string | undefined, total: number): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(value);
  return m ? Math.ceil((Number(m[1]) * total) / 100) : Number.parseInt(value, 10) || 0;
}

/** updatedDesiredNodeCounts: the budgets, and every node that should run the daemon listed (maybe empty). */
function desiredNodeCounts(ds: DaemonSet, nodes: Node[], byNode: Map<string, Pod[]>): { maxSurge: number; maxUnavailable: number } {
  let desired = 0;
  for (const node of nodes) {
    if (!nodeShouldRunDaemonPod(node, ds).shouldRun) continue;
    desired++;
    if (!byNode.has(node.metadata.name!)) byNode.set(node.metadata.name!, []);
  }
  const ru = ds.spec.updateStrategy?.rollingUpdate;
  let maxUnavailable = scaledValue(ru?.maxUnavailable, desired);
  const maxSurge = surgeAllowed(ds) ? scaledValue(ru?.maxSurge, desired) : 0;
  // An impossible configuration falls back to accepting one unavailable node, as kube does.
  if (desired > 0 && maxUnavailable === 0 && maxSurge === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}

/** findUpdatedPodsOnNode: the node's one new and one old live pod; ok false when it has two of a kind. */
function updatedPodsOnNode(pods: Pod[], hash: string, generation: number | undefined): { ok: boolean; newPod?: Pod; oldPod?: Pod } {
  let newPod: Pod | undefined, oldPod: Pod | undefined;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    if (isPodUpdated(pod, hash, generation)) {
      if (newPod) return { ok: false };
      newPod = pod;
    } else {
      if (oldPod) return { ok: false };
      oldPod = pod;
    }
  }
  return { ok: true, newPod, oldPod };
}

export async function rollingUpdate(deps: ManageDeps, ds: DaemonSet, nodes: Node[], pods: Pod[], hash: string): Promise<void> {
  const byNode = nodesToDaemonPods(pods);
  const { maxSurge, maxUnavailable } = desiredNodeCounts(ds, nodes, byNode);
  const generation = templateGeneration(ds);
  const minReadySeconds = ds.spec.minReadySeconds ?? 0;
  const now = Date.now();
  const available = (pod: Pod) => isPodAvailable(pod, minReadySeconds, now);

  if (maxSurge === 0) {
    let numUnavailable = 0;
    const replacements: Pod[] = [];
    const candidates: Pod[] = [];
    for (const onNode of byNode.values()) {
      const { ok, newPod, oldPod } = updatedPodsOnNode(onNode, hash, generation);
      if (!ok || (!oldPod && !newPod) || (oldPod && newPod)) {
        numUnavailable++; // manage() settles this node; count it unavailable meanwhile
      } else if (newPod) {
        if (!available(newPod)) numUnavailable++;
      } else if (oldPod && !available(oldPod)) {
        replacements.push(oldPod);
      } else if (oldPod && numUnavailable < maxUnavailable) {
        candidates.push(oldPod);
      }
    }
    const remaining = Math.min(Math.max(0, maxUnavailable - numUnavailable), candidates.length);
    return syncNodes(deps, ds, [...replacements, ...candidates.slice(0, remaining)], [], hash);
  }

  const oldPodsToDelete: Pod[] = [];
  const candidateNodes: string[] = [];
  const allowedNodes: string[] = [];
  let numSurge = 0;
  for (const [nodeName, onNode] of byNode) {
    const { ok, newPod, oldPod } = updatedPodsOnNode(onNode, hash, generation);
    if (!ok || !oldPod) continue;
    if (!newPod) {
      if (!available(oldPod)) allowedNodes.push(nodeName);
      else if (numSurge < maxSurge) candidateNodes.push(nodeName);
    } else if (!available(newPod)) {
      numSurge++; // waiting for this one to become available
    } else {
      oldPodsToDelete.push(oldPod);
    }
  }
  const remaining = Math.min(Math.max(0, maxSurge - numSurge), candidateNodes.length);
  return syncNodes(deps, ds, oldPodsToDelete, [...allowedNodes, ...candidateNodes.slice(0, remaining)], hash);
}
