// updateDaemonSetStatus: per node that should run the daemon, whether its oldest pod exists,
// is ready, available and up to date; per node that should not, whether a pod is there anyway
// (misscheduled). Written through /status only when something changed (storeDaemonSetStatus).
import { isConflict, isNotFound, resources, type ApiClient } from '../../client/index.ts';
import type { Node, Pod } from '../../api/core-v1.ts';
import { byCreation, isPodAvailable, isPodReady, nodesToDaemonPods } from './manage.ts';
import { isPodUpdated, nodeShouldRunDaemonPod, templateGeneration } from './predicates.ts';
import type { DaemonSet, DaemonSetStatus } from './types.ts';

export function calculateStatus(ds: DaemonSet, nodes: Node[], pods: Pod[], hash: string, updateObservedGeneration: boolean, now = Date.now()): DaemonSetStatus {
  const byNode = nodesToDaemonPods(pods);
  const generation = templateGeneration(ds);
  const minReadySeconds = ds.spec.minReadySeconds ?? 0;
  let desired = 0, current = 0, misscheduled = 0, ready = 0, available = 0, updated = 0;
  for (const node of nodes) {
    const onNode = byNode.get(node.metadata.name!) ?? [];
    if (!nodeShouldRunDaemonPod(node, ds).shouldRun) {
      if (onNode.length) misscheduled++;
      continue;
    }
    desired++;
    if (!onNode.length) continue;
    current++;
    const pod = [...onNode].sort(byCreation)[0];
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReadySeconds, now)) available++;
    }
    if (isPodUpdated(pod, hash, generation)) updated++;
  }
  return {
    ...ds.status,
    observedGeneration: updateObservedGeneration ? ds.metadata.generation : ds.status?.observedGeneration,
    desiredNumberScheduled: desired,
    currentNumberScheduled: current,
    numberMisscheduled: misscheduled,
    numberReady: ready,
    updatedNumberScheduled: updated,
    numberAvailable: available,
    numberUnavailable: desired - available,
  };
}

const counters = ['desiredNumberScheduled', 'currentNumberScheduled', 'numberMisscheduled', 'numberReady', 'updatedNumberScheduled',
  'numberAvailable', 'numberUnavailable', 'observedGeneration'] as const;

/** storeDaemonSetStatus: writes when any counter differs, retrying a conflict on a fresh read. */
export async function storeDaemonSetStatus(client: ApiClient, ds: DaemonSet, status: DaemonSetStatus): Promise<void> {
  let current = ds;
  for (let attempt = 0; ; attempt++) {
    if (counters.every((f) => (current.status?.[f] ?? 0) === (status[f] ?? 0))) return;
    try {
      await client.updateStatus(resources.daemonSets, { ...current, status: { ...current.status, ...pick(status) } });
      return;
    } catch (err) {
      if (isNotFound(err)) return;
      if (!isConflict(err) || attempt >= 2) throw err;
      current = await client.get(resources.daemonSets, ds.metadata.name!, { namespace: ds.metadata.namespace }) as DaemonSet;
      if (current.metadata.uid !== ds.metadata.uid) return;
    }
  }
}

function pick(status: DaemonSetStatus): Partial<DaemonSetStatus> {
  return Object.fromEntries(counters.map((f) => [f, status[f]]));
}
