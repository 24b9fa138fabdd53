// What one sync of one Deployment works with: the clients and caches it shares with every
// sync, and the working copy of the Deployment it writes back. kube's controller mutates a
// deep copy of the cached object; here that copy also takes the resourceVersion of each of
// our own status writes, so several writes in one sync do not conflict with each other.
import type { ApiClient, EventRecorder, SharedInformer } from '../../client/index.ts';
import { isConflict, referenceTo, resources } from '../../client/index.ts';
import type { Pod } from '../../api/core-v1.ts';
import type { ControllerLog } from '../types.ts';
import { desiredReplicas, maxSurge, specReplicas } from './replicas.ts';
import { replicasAnnotationsNeedUpdate, setReplicasAnnotations } from './revisions.ts';
import type { Deployment, ReplicaSet } from './types.ts';

export const controllerName = 'deployment-controller';

export interface DeploymentDeps {
  client: ApiClient;
  recorder: EventRecorder;
  replicaSets: SharedInformer<ReplicaSet>;
  pods: SharedInformer<Pod>;
  log: ControllerLog;
  now(): number;
}

export interface SyncContext extends DeploymentDeps {
  /** The Deployment being synced (a copy: the cache's objects are read-only). */
  d: Deployment;
  /** Set when the Deployment must be looked at again after this many ms. */
  requeueAfter?: number;
}

export function event(c: SyncContext, type: 'Normal' | 'Warning', reason: string, message: string): void {
  c.recorder.event(referenceTo(c.d, 'Deployment', 'apps/v1'), type, reason, message);
}

/** UpdateStatus of the working copy (status and, as kube's status strategy allows, annotations). */
export async function updateDeploymentStatus(c: SyncContext): Promise<void> {
  const updated = await c.client.updateStatus(resources.deployments, c.d) as Deployment;
  c.d = { ...c.d, metadata: { ...c.d.metadata, resourceVersion: updated.metadata.resourceVersion } };
}

export async function updateReplicaSet(c: SyncContext, rs: ReplicaSet): Promise<ReplicaSet> {
  return await c.client.update(resources.replicaSets, rs) as ReplicaSet;
}

/**
 * Writes `change` applied to `rs`. The replicaset controller writes status all through a
 * rollout, so a PUT from the cache often meets a newer resourceVersion: when the fresh copy
 * differs only in status (same generation, same annotations), the change is applied to it
 * once more, as client-go's RetryOnConflict; anything else is left to the next sync.
 */
async function updateReplicaSetWith(c: SyncContext, rs: ReplicaSet, change: (copy: ReplicaSet) => void): Promise<ReplicaSet> {
  const copy = structuredClone(rs);
  change(copy);
  try {
    return await updateReplicaSet(c, copy);
  } catch (err) {
    if (!isConflict(err)) throw err;
    const fresh = await c.client.get(resources.replicaSets, rs.metadata.name!, { namespace: rs.metadata.namespace }) as ReplicaSet;
    const specUnchanged = fresh.metadata.uid === rs.metadata.uid && fresh.metadata.generation === rs.metadata.generation
      && JSON.stringify(fresh.metadata.annotations ?? {}) === JSON.stringify(rs.metadata.annotations ?? {});
    if (!specUnchanged) throw err;
    change(fresh);
    return updateReplicaSet(c, fresh);
  }
}

/** scaleReplicaSet: sets spec.replicas and the desired/max-replicas annotations; events a size change. */
export async function scaleReplicaSet(c: SyncContext, rs: ReplicaSet, newScale: number): Promise<{ scaled: boolean; rs: ReplicaSet }> {
  const desired = desiredReplicas(c.d);
  const max = desired + maxSurge(c.d);
  const oldScale = specReplicas(rs);
  const sizeNeedsUpdate = oldScale !== newScale;
  if (!sizeNeedsUpdate && !replicasAnnotationsNeedUpdate(rs, desired, max)) return { scaled: false, rs };
  const updated = await updateReplicaSetWith(c, rs, (copy) => {
    copy.spec = { ...copy.spec, replicas: newScale };
    setReplicasAnnotations(copy, desired, max);
  });
  if (sizeNeedsUpdate) {
    event(c, 'Normal', 'ScalingReplicaSet', `Scaled ${oldScale < newScale ? 'up' : 'down'} replica set ${updated.metadata.name} from ${oldScale} to ${newScale}`);
  }
  return { scaled: sizeNeedsUpdate, rs: updated };
}

/** scaleReplicaSetAndRecordEvent: nothing to do when the size is already right. */
export async function scaleReplicaSetAndRecordEvent(c: SyncContext, rs: ReplicaSet, newScale: number): Promise<{ scaled: boolean; rs: ReplicaSet }> {
  if (specReplicas(rs) === newScale) return { scaled: false, rs };
  return scaleReplicaSet(c, rs, newScale);
}
