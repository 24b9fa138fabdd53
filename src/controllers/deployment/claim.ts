// Which ReplicaSets and pods a Deployment owns, as kube's getReplicaSetsForDeployment
// (ReplicaSetControllerRefManager.ClaimReplicaSets) and getPodMapForDeployment: it keeps the
// ReplicaSets it controls that its selector still matches, releases the others, and adopts
// matching orphans once a fresh read shows the Deployment is the same one and not being deleted.
import type { OwnerReference } from '../../api/types.ts';
import { controllerIndex, resources } from '../../client/index.ts';
import type { Pod } from '../../api/core-v1.ts';
import { claimObjects, selectorMatcher } from '../controller-ref-manager.ts';
import { controllerRefTo as ownerRefTo } from '../history.ts';
import type { SyncContext } from './context.ts';
import type { Deployment, ReplicaSet } from './types.ts';

const deploymentKind = { apiVersion: 'apps/v1', kind: 'Deployment' };

export function controllerRefTo(d: Deployment): OwnerReference {
  return ownerRefTo(d, deploymentKind);
}

export function claimReplicaSets(c: SyncContext): Promise<ReplicaSet[]> {
  const matches = selectorMatcher(c.d.spec.selector);
  return claimObjects(c.replicaSets.store.byNamespace(c.d.metadata.namespace!), {
    client: c.client, resource: resources.replicaSets, owner: c.d, ownerKind: deploymentKind, ownerResource: resources.deployments,
    matches: (rs) => matches(rs.metadata.labels),
  });
}

/** getPodMapForDeployment: the Deployment's pods (terminating ones too) by the uid of their ReplicaSet. */
export function podMapFor(c: SyncContext, rss: ReplicaSet[]): Map<string, Pod[]> {
  const matches = selectorMatcher(c.d.spec.selector);
  return new Map(rss.map((rs) => [rs.metadata.uid!, c.pods.store.byIndex(controllerIndex, rs.metadata.uid!).filter((p) => matches(p.metadata.labels))]));
}
