// syncDeployment, as kube's deployment controller: a Deployment that selects everything is
// refused; otherwise it claims its ReplicaSets, then — in this order — only writes status
// while being deleted, notes pausing/resuming in the Progressing condition, only scales
// while paused or when spec.replicas changed (a "scaling event"), and else rolls out by its
// strategy. Also here: scale(), proportional when several ReplicaSets are active.
import { cleanupDeployment } from './cleanup.ts';
import { claimReplicaSets, podMapFor } from './claim.ts';
import { getCondition, hasProgressDeadline, newCondition, setCondition } from './conditions.ts';
import { event, scaleReplicaSet, scaleReplicaSetAndRecordEvent, updateDeploymentStatus, type SyncContext } from './context.ts';
import { getAllReplicaSetsAndSyncRevision } from './new-replicaset.ts';
import { proportionalSizes } from './proportion.ts';
import { rolloutRecreate } from './recreate.ts';
import { activeReplicaSets, byCreationTimestamp, desiredReplicas, isRollingUpdate, specReplicas } from './replicas.ts';
import { desiredReplicasAnnotation } from './revisions.ts';
import { rolloutRolling } from './rolling.ts';
import { syncDeploymentStatus } from './status.ts';
import { reasons, type ReplicaSet } from './types.ts';

export async function syncDeployment(c: SyncContext): Promise<void> {
  const { d } = c;
  const selector = d.spec.selector;
  if (selector && !Object.keys(selector.matchLabels ?? {}).length && !selector.matchExpressions?.length) {
    event(c, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
    if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) {
      d.status = { ...d.status, observedGeneration: d.metadata.generation };
      await updateDeploymentStatus(c);
    }
    return;
  }
  const rsList = await claimReplicaSets(c);
  if (d.metadata.deletionTimestamp) return syncStatusOnly(c, rsList);
  await checkPausedConditions(c);
  if (c.d.spec.paused) return sync(c, rsList);
  if (await isScalingEvent(c, rsList)) return sync(c, rsList);
  if (isRollingUpdate(c.d)) return rolloutRolling(c, rsList);
  // Only Recreate reads the pods (are old ones still there?): no need to group them otherwise.
  return rolloutRecreate(c, rsList, podMapFor(c, rsList));
}

async function syncStatusOnly(c: SyncContext, rsList: ReplicaSet[]): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(c, rsList, false);
  await syncDeploymentStatus(c, [...oldRSs, ...(newRS ? [newRS] : [])], newRS);
}

/**
 * checkPausedConditions: Progressing=Unknown DeploymentPaused / DeploymentResumed, so that
 * time spent paused never counts against the progress deadline.
 */
async function checkPausedConditions(c: SyncContext): Promise<void> {
  const { d } = c;
  if (!hasProgressDeadline(d)) return;
  const cond = getCondition(d.status, 'Progressing');
  if (cond?.reason === reasons.timedOut) return; // a reported timeout is not overwritten
  const pausedCondExists = cond?.reason === reasons.paused;
  let condition;
  if (d.spec.paused && !pausedCondExists) condition = newCondition('Progressing', 'Unknown', reasons.paused, 'Deployment is paused', c.now());
  else if (!d.spec.paused && pausedCondExists) condition = newCondition('Progressing', 'Unknown', reasons.resumed, 'Deployment is resumed', c.now());
  if (!condition) return;
  setCondition((d.status ??= {}), condition);
  await updateDeploymentStatus(c);
}

/** isScalingEvent: an active ReplicaSet was sized for another spec.replicas. */
async function isScalingEvent(c: SyncContext, rsList: ReplicaSet[]): Promise<boolean> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(c, rsList, false);
  return activeReplicaSets([...oldRSs, newRS]).some((rs) => {
    const desired = desiredReplicasAnnotation(rs);
    return desired !== undefined && desired !== desiredReplicas(c.d);
  });
}

/** sync: scaling only (paused, or spec.replicas changed), then status. */
async function sync(c: SyncContext, rsList: ReplicaSet[]): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(c, rsList, false);
  await scale(c, newRS, oldRSs);
  if (c.d.spec.paused) await cleanupDeployment(c, oldRSs);
  await syncDeploymentStatus(c, [...oldRSs, ...(newRS ? [newRS] : [])], newRS);
}

/** scale: one active ReplicaSet takes spec.replicas; several share the change in proportion. */
async function scale(c: SyncContext, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): Promise<void> {
  const { d } = c;
  const desired = desiredReplicas(d);
  const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
  if (activeOrLatest) {
    if (specReplicas(activeOrLatest) !== desired) await scaleReplicaSetAndRecordEvent(c, activeOrLatest, desired);
    return;
  }
  // A saturated new ReplicaSet (e.g. after adopting old ones): the old ones go to zero.
  if (isSaturated(c, newRS)) {
    for (const old of activeReplicaSets(oldRSs)) await scaleReplicaSetAndRecordEvent(c, old, 0);
    return;
  }
  if (!isRollingUpdate(d)) return;
  for (const { rs, size } of proportionalSizes(d, activeReplicaSets([...oldRSs, newRS]))) await scaleReplicaSet(c, rs, size);
}

/** FindActiveOrLatest: the only active ReplicaSet; with none, the new one or else the newest old one. */
function findActiveOrLatest(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && !oldRSs.length) return undefined;
  const newestFirst = [...oldRSs].sort((a, b) => byCreationTimestamp(b, a));
  const active = activeReplicaSets([...newestFirst, newRS]);
  if (active.length === 0) return newRS ?? newestFirst[0];
  return active.length === 1 ? active[0] : undefined;
}

/** IsSaturated: the new ReplicaSet has every replica, sized for this spec.replicas, all available. */
function isSaturated(c: SyncContext, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const desired = desiredReplicas(c.d);
  return specReplicas(rs) === desired && desiredReplicasAnnotation(rs) === desired && (rs.status?.availableReplicas ?? 0) === desired;
}
