// The Recreate strategy, as kube's recreate.go: scale every old ReplicaSet to zero, wait
// until none of their pods is left (terminating ones count, terminal ones do not), and only
// then create or scale up the new ReplicaSet to spec.replicas.
import type { Pod } from '../../api/core-v1.ts';
import { deploymentComplete } from './conditions.ts';
import { scaleReplicaSetAndRecordEvent, type SyncContext } from './context.ts';
import { getAllReplicaSetsAndSyncRevision } from './new-replicaset.ts';
import { activeReplicaSets, desiredReplicas, statusSum } from './replicas.ts';
import { syncRolloutStatus } from './status.ts';
import { cleanupDeployment } from './cleanup.ts';
import type { ReplicaSet } from './types.ts';

export async function rolloutRecreate(c: SyncContext, rsList: ReplicaSet[], podMap: Map<string, Pod[]>): Promise<void> {
  // No new ReplicaSet yet: creating it now would scale up before the old ones are down.
  let { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(c, rsList, false);
  let allRSs = [...oldRSs, ...(newRS ? [newRS] : [])];
  let scaledDown = false;
  for (const rs of activeReplicaSets(oldRSs)) if ((await scaleReplicaSetAndRecordEvent(c, rs, 0)).scaled) scaledDown = true;
  if (scaledDown) return syncRolloutStatus(c, allRSs, newRS);
  if (oldPodsRunning(newRS, oldRSs, podMap)) return syncRolloutStatus(c, allRSs, newRS);
  if (!newRS) {
    ({ newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(c, rsList, true));
    allRSs = [...oldRSs, ...(newRS ? [newRS] : [])];
  }
  if (newRS) await scaleReplicaSetAndRecordEvent(c, newRS, desiredReplicas(c.d));
  if (deploymentComplete(c.d, c.d.status ?? {})) await cleanupDeployment(c, oldRSs);
  return syncRolloutStatus(c, allRSs, newRS);
}

/** oldPodsRunning: old ReplicaSets still count pods, or a pod of theirs is not terminal. */
function oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[], podMap: Map<string, Pod[]>): boolean {
  if (statusSum(oldRSs, 'replicas') > 0) return true;
  for (const [uid, pods] of podMap) {
    if (uid === newRS?.metadata.uid) continue;
    if (pods.some((p) => p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded')) return true;
  }
  return false;
}
