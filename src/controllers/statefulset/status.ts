// updateStatefulSetStatus: a rolling update whose pods are all updated and ready is complete
// (the update revision becomes the current one), and the status is written through /status
// only when it differs from what the set shows (inconsistentStatus), retrying a conflict once
// on a fresh read as kube's status updater does.
import { isConflict, isNotFound, resources, type ApiClient } from '../../client/index.ts';
import type { StatefulSet, StatefulSetStatus } from './types.ts';

/** completeRollingUpdate. */
export function completeRollingUpdate(set: StatefulSet, status: StatefulSetStatus): void {
  if (set.spec.updateStrategy?.type === 'RollingUpdate' && status.updatedReplicas === status.replicas && status.readyReplicas === status.replicas) {
    status.currentReplicas = status.updatedReplicas;
    status.currentRevision = status.updateRevision;
  }
}

const compared = ['replicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas', 'currentRevision', 'updateRevision', 'collisionCount'] as const;

/** inconsistentStatus: a newer generation observed, or any counter or revision differing. */
export function inconsistentStatus(set: StatefulSet, status: StatefulSetStatus): boolean {
  const have = set.status;
  if (have?.observedGeneration === undefined || (status.observedGeneration ?? 0) > have.observedGeneration) return true;
  return compared.some((f) => (have[f] ?? 0) !== (status[f] ?? 0));
}

export async function updateStatefulSetStatus(client: ApiClient, set: StatefulSet, status: StatefulSetStatus): Promise<void> {
  completeRollingUpdate(set, status);
  if (!inconsistentStatus(set, status)) return;
  let current = set;
  for (let attempt = 0; ; attempt++) {
    try {
      await client.updateStatus(resources.statefulSets, { ...current, status: { ...current.status, ...status } });
      return;
    } catch (err) {
      if (isNotFound(err)) return;
      if (!isConflict(err) || attempt >= 1) throw err;
      current = await client.get(resources.statefulSets, set.metadata.name!, { namespace: set.metadata.namespace }) as StatefulSet;
      if (current.metadata.uid !== set.metadata.uid) return;
    }
  }
}
