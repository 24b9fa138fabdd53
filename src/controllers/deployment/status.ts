// The Deployment's status, as kube's calculateStatus / syncDeploymentStatus (sync.go) and
// syncRolloutStatus (progress.go): counts summed over the ReplicaSets, Available while at
// least replicas−maxUnavailable are available, Progressing judged against
// progressDeadlineSeconds (with a requeue for the moment the deadline passes), and the
// ReplicaFailure condition of the new (else any) ReplicaSet carried over.
import {
  deploymentComplete, deploymentProgressing, deploymentTimedOut, getCondition, hasProgressDeadline, newCondition,
  removeCondition, setCondition,
} from './conditions.ts';
import { updateDeploymentStatus, type SyncContext } from './context.ts';
import { desiredReplicas, maxUnavailable, specReplicaSum, statusSum } from './replicas.ts';
import { semanticEqual } from './revisions.ts';
import { reasons, type DeploymentCondition, type DeploymentStatus, type ReplicaSet } from './types.ts';

/** calculateStatus. Zero counters are left out, as the omitempty JSON of apps/v1 DeploymentStatus. */
export function calculateStatus(c: SyncContext, allRSs: ReplicaSet[], newRS: ReplicaSet | undefined): DeploymentStatus {
  const { d } = c;
  const available = statusSum(allRSs, 'availableReplicas');
  const status: DeploymentStatus = {};
  const counters: [keyof DeploymentStatus, number | undefined][] = [
    ['observedGeneration', d.metadata.generation],
    ['replicas', statusSum(allRSs, 'replicas')],
    ['updatedReplicas', statusSum([newRS], 'replicas')],
    ['readyReplicas', statusSum(allRSs, 'readyReplicas')],
    ['availableReplicas', available],
    // Negative while scaling down (more available than desired): none unavailable then.
    ['unavailableReplicas', Math.max(0, specReplicaSum(allRSs) - available)],
    ['collisionCount', d.status?.collisionCount],
  ];
  for (const [key, value] of counters) if (value) (status as Record<string, number>)[key] = value;
  if (d.status?.collisionCount === 0) status.collisionCount = 0;
  status.conditions = (d.status?.conditions ?? []).map((cond) => ({ ...cond }));
  if (available >= desiredReplicas(d) - maxUnavailable(d)) {
    setCondition(status, newCondition('Available', 'True', reasons.minimumReplicasAvailable, 'Deployment has minimum availability.', c.now()));
  } else {
    setCondition(status, newCondition('Available', 'False', reasons.minimumReplicasUnavailable, 'Deployment does not have minimum availability.', c.now()));
  }
  return status;
}

/** syncDeploymentStatus: writes the calculated status when it differs. */
export async function syncDeploymentStatus(c: SyncContext, allRSs: ReplicaSet[], newRS: ReplicaSet | undefined): Promise<void> {
  await writeStatus(c, calculateStatus(c, allRSs, newRS));
}

async function writeStatus(c: SyncContext, status: DeploymentStatus): Promise<boolean> {
  if (!status.conditions?.length) delete status.conditions;
  if (semanticEqual(c.d.status ?? {}, status)) return false;
  c.d = { ...c.d, status };
  await updateDeploymentStatus(c);
  return true;
}

/** syncRolloutStatus: the status plus the Progressing and ReplicaFailure conditions. */
export async function syncRolloutStatus(c: SyncContext, allRSs: ReplicaSet[], newRS: ReplicaSet | undefined): Promise<void> {
  const { d } = c;
  const status = calculateStatus(c, allRSs, newRS);
  if (!hasProgressDeadline(d)) removeCondition(status, 'Progressing');
  const current = getCondition(d.status, 'Progressing');
  // One active ReplicaSet, fully rolled out: a resync, nothing to estimate.
  const isCompleteDeployment = status.replicas === status.updatedReplicas && current?.reason === reasons.newRSAvailable;
  if (hasProgressDeadline(d) && !isCompleteDeployment) setProgressing(c, status, newRS);

  const failure = replicaFailures(allRSs, newRS)[0];
  if (failure) setCondition(status, failure);
  else removeCondition(status, 'ReplicaFailure');

  const previous = d.status;
  if (!(await writeStatus(c, status))) requeueStuckDeployment(c, previous, status);
}

function setProgressing(c: SyncContext, status: DeploymentStatus, newRS: ReplicaSet | undefined): void {
  const { d } = c;
  const rsName = newRS?.metadata.name;
  if (deploymentComplete(d, status)) {
    const msg = rsName ? `ReplicaSet "${rsName}" has successfully progressed.` : `Deployment "${d.metadata.name}" has successfully progressed.`;
    setCondition(status, newCondition('Progressing', 'True', reasons.newRSAvailable, msg, c.now()));
  } else if (deploymentProgressing(d, status)) {
    const msg = rsName ? `ReplicaSet "${rsName}" is progressing.` : `Deployment "${d.metadata.name}" is progressing.`;
    const condition = newCondition('Progressing', 'True', reasons.replicaSetUpdated, msg, c.now());
    // Progress refreshes lastUpdateTime even when the reason stays the same, unlike setCondition.
    const current = getCondition(d.status, 'Progressing');
    if (current) {
      if (current.status === 'True') condition.lastTransitionTime = current.lastTransitionTime;
      removeCondition(status, 'Progressing');
    }
    setCondition(status, condition);
  } else if (deploymentTimedOut(d, status, c.now())) {
    const msg = rsName ? `ReplicaSet "${rsName}" has timed out progressing.` : `Deployment "${d.metadata.name}" has timed out progressing.`;
    setCondition(status, newCondition('Progressing', 'False', reasons.timedOut, msg, c.now()));
  }
}

/** getReplicaFailures: the new ReplicaSet's ReplicaFailure conditions, else the old ones'. */
function replicaFailures(allRSs: ReplicaSet[], newRS: ReplicaSet | undefined): DeploymentCondition[] {
  const of = (rs: ReplicaSet | undefined) => ((rs?.status?.conditions ?? []) as DeploymentCondition[])
    .filter((cond) => cond.type === 'ReplicaFailure')
    .map((cond) => ({ type: cond.type, status: cond.status, lastUpdateTime: cond.lastTransitionTime, lastTransitionTime: cond.lastTransitionTime, reason: cond.reason, message: cond.message }));
  const fromNew = of(newRS);
  return fromNew.length ? fromNew : allRSs.flatMap(of);
}

/**
 * requeueStuckDeployment: with no sign of progress the Deployment is looked at again when
 * its Progressing condition's lastUpdateTime plus the deadline has passed.
 */
function requeueStuckDeployment(c: SyncContext, previous: DeploymentStatus | undefined, status: DeploymentStatus): void {
  const { d } = c;
  const current = getCondition(previous, 'Progressing');
  if (!hasProgressDeadline(d) || !current) return;
  if (deploymentComplete(d, status) || current.reason === reasons.timedOut) return;
  const after = (Date.parse(current.lastUpdateTime ?? '') || 0) + d.spec.progressDeadlineSeconds! * 1000 - c.now();
  c.requeueAfter = after < 1000 ? 1000 : after + 1000;
}
