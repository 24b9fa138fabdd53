// Old revisions beyond spec.revisionHistoryLimit, as kube's cleanupDeployment.
import { isNotFound, resources } from '../../client/index.ts';
import type { SyncContext } from './context.ts';
import { specReplicas } from './replicas.ts';
import { byRevision } from './revisions.ts';
import type { ReplicaSet } from './types.ts';

/**
 * cleanupDeployment: beyond revisionHistoryLimit, deletes the oldest old ReplicaSets that
 * are scaled to zero, have no pods left and whose last change their controller has seen.
 */
export async function cleanupDeployment(c: SyncContext, oldRSs: ReplicaSet[]): Promise<void> {
  const limit = c.d.spec.revisionHistoryLimit;
  if (limit === undefined || limit === 2 ** 31 - 1) return;
  const cleanable = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp).sort(byRevision);
  const diff = cleanable.length - limit;
  for (const rs of cleanable.slice(0, Math.max(0, diff))) {
    if ((rs.status?.replicas ?? 0) !== 0 || specReplicas(rs) !== 0 || (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
    try {
      await c.client.delete(resources.replicaSets, rs.metadata.name!, { namespace: rs.metadata.namespace });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
