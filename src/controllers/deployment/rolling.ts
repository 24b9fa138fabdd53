// The RollingUpdate strategy, as kube's rolling.go: scale the new ReplicaSet up as far as
// replicas+maxSurge allows; else scale old ones down as far as replicas−maxUnavailable
// allows (unhealthy replicas first, as they cost no availability); once complete, clean up
// old revisions. Every step ends with syncRolloutStatus.
import { deploymentComplete } from './conditions.ts';
import { scaleReplicaSetAndRecordEvent, type SyncContext } from './context.ts';
import { getAllReplicaSetsAndSyncRevision } from './new-replicaset.ts';
import { activeReplicaSets, byCreationTimestamp, desiredReplicas, maxUnavailable, newRSNewReplicas, specReplicaSum, specReplicas, statusSum } from './replicas.ts';
import { syncRolloutStatus } from './status.ts';
import { cleanupDeployment } from './cleanup.ts';
import type { ReplicaSet } from './types.ts';

export async function rolloutRolling(c: SyncContext, rsList: ReplicaSet[]): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(c, rsList, true);
  const allRSs = [...oldRSs, ...(newRS ? [newRS] : [])];
  if (newRS && (await reconcileNewReplicaSet(c, allRSs, newRS))) return syncRolloutStatus(c, allRSs, newRS);
  if (newRS && (await reconcileOldReplicaSets(c, allRSs, activeReplicaSets(oldRSs), newRS))) return syncRolloutStatus(c, allRSs, newRS);
  if (deploymentComplete(c.d, c.d.status ?? {})) await cleanupDeployment(c, oldRSs);
  return syncRolloutStatus(c, allRSs, newRS);
}

async function reconcileNewReplicaSet(c: SyncContext, allRSs: ReplicaSet[], newRS: ReplicaSet): Promise<boolean> {
  const desired = desiredReplicas(c.d);
  if (specReplicas(newRS) === desired) return false;
  if (specReplicas(newRS) > desired) return (await scaleReplicaSetAndRecordEvent(c, newRS, desired)).scaled;
  return (await scaleReplicaSetAndRecordEvent(c, newRS, newRSNewReplicas(c.d, allRSs, newRS))).scaled;
}

/**
 * reconcileOldReplicaSets: scale down at most allPods − minAvailable − (new replicas not yet
 * available), so that unavailability never exceeds maxUnavailable.
 */
async function reconcileOldReplicaSets(c: SyncContext, allRSs: ReplicaSet[], oldRSs: ReplicaSet[], newRS: ReplicaSet): Promise<boolean> {
  if (specReplicaSum(oldRSs) === 0) return false;
  const minAvailable = desiredReplicas(c.d) - maxUnavailable(c.d);
  const newRSUnavailable = specReplicas(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = specReplicaSum(allRSs) - minAvailable - newRSUnavailable;
  if (maxScaledDown <= 0) return false;
  const cleaned = await cleanupUnhealthyReplicas(c, oldRSs, maxScaledDown);
  const scaledDown = await scaleDownOldReplicaSetsForRollingUpdate(c, [...cleaned.oldRSs, newRS], cleaned.oldRSs);
  return cleaned.count + scaledDown > 0;
}

/** cleanupUnhealthyReplicas: takes the unavailable replicas off old ReplicaSets, oldest first. */
async function cleanupUnhealthyReplicas(c: SyncContext, oldRSs: ReplicaSet[], maxCleanupCount: number): Promise<{ oldRSs: ReplicaSet[]; count: number }> {
  const sorted = [...oldRSs].sort(byCreationTimestamp);
  let total = 0;
  for (let i = 0; i < sorted.length && total < maxCleanupCount; i++) {
    const rs = sorted[i]!;
    const unhealthy = specReplicas(rs) - (rs.status?.availableReplicas ?? 0);
    if (specReplicas(rs) === 0 || unhealthy <= 0) continue;
    const count = Math.min(maxCleanupCount - total, unhealthy);
    sorted[i] = (await scaleReplicaSetAndRecordEvent(c, rs, specReplicas(rs) - count)).rs;
    total += count;
  }
  return { oldRSs: sorted, count: total };
}

/** scaleDownOldReplicaSetsForRollingUpdate: only as many as are available beyond minAvailable. */
async function scaleDownOldReplicaSetsForRollingUpdate(c: SyncContext, allRSs: ReplicaSet[], oldRSs: ReplicaSet[]): Promise<number> {
  const minAvailable = desiredReplicas(c.d) - maxUnavailable(c.d);
  const available = statusSum(allRSs, 'availableReplicas');
  if (available <= minAvailable) return 0;
  const toScaleDown = available - minAvailable;
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreationTimestamp)) {
    if (total >= toScaleDown) break;
    if (specReplicas(rs) === 0) continue;
    const count = Math.min(specReplicas(rs), toScaleDown - total);
    await scaleReplicaSetAndRecordEvent(c, rs, specReplicas(rs) - count);
    total += count;
  }
  return total;
}
