// Proportional scaling, as kube's DeploymentController.scale: when spec.replicas changes in
// the middle of a rollout, the difference to replicas+maxSurge is shared among the active
// ReplicaSets in proportion to their size over the max-replicas each was sized for
// (the `deployment.kubernetes.io/max-replicas` annotation); the largest takes the rounding
// leftovers. Scaling up favours newer sets among equals, scaling down older ones.
import { maxReplicasAnnotation } from './revisions.ts';
import { bySizeNewer, bySizeOlder, desiredReplicas, maxSurge, specReplicaSum, specReplicas } from './replicas.ts';
import type { Deployment, ReplicaSet } from './types.ts';

/** integer.RoundToInt32: halves away from zero. */
function roundHalfAway(x: number): number {
  return x < 0 ? Math.ceil(x - 0.5) : Math.floor(x + 0.5);
}

/** getReplicaSetFraction: the replicas this set would gain (or lose, negative) at the new size. */
export function replicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  const desired = desiredReplicas(d);
  if (desired === 0) return -specReplicas(rs);
  const deploymentReplicas = desired + maxSurge(d);
  // Without the annotation, the Deployment's current size is the best guess.
  const annotated = maxReplicasAnnotation(rs) ?? d.status?.replicas ?? 0;
  if (annotated === 0) return 0;
  return roundHalfAway((specReplicas(rs) * deploymentReplicas) / annotated) - specReplicas(rs);
}

/** GetProportion: the fraction, bounded by what is still to be added or removed. */
export function proportion(rs: ReplicaSet, d: Deployment, toAdd: number, added: number): number {
  if (specReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/** The new size of each active ReplicaSet, in the order they are to be scaled. */
export function proportionalSizes(d: Deployment, active: ReplicaSet[]): { rs: ReplicaSet; size: number }[] {
  const allowedSize = desiredReplicas(d) > 0 ? desiredReplicas(d) + maxSurge(d) : 0;
  const toAdd = allowedSize - specReplicaSum(active);
  const ordered = toAdd > 0 ? [...active].sort(bySizeNewer) : toAdd < 0 ? [...active].sort(bySizeOlder) : [...active];
  let added = 0;
  const plan = ordered.map((rs) => {
    if (toAdd === 0) return { rs, size: specReplicas(rs) };
    const p = proportion(rs, d, toAdd, added);
    added += p;
    return { rs, size: specReplicas(rs) + p };
  });
  if (plan.length && toAdd !== 0) plan[0]!.size = Math.max(0, plan[0]!.size + toAdd - added);
  return plan;
}
