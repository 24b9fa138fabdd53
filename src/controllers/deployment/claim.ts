// Which ReplicaSets and pods a Deployment owns, as kube's getReplicaSetsForDeployment
// (ReplicaSetControllerRefManager.ClaimReplicaSets) and getPodMapForDeployment: it keeps the
// ReplicaSets it controls that its selector still matches, releases the others, and adopts
// matching orphans once a fresh read shows the Deployment is the same one and not being deleted.
import type { OwnerReference } from '../../api/types.ts';
import { controllerIndex, isNotFound, labelMatcher, resources, type LabelSelector } from '../../client/index.ts';
import type { Pod } from '../../scheduler/types.ts';
import type { SyncContext } from './context.ts';
import type { Deployment, ReplicaSet } from './types.ts';

export function controllerRefOf(obj: { metadata: { ownerReferences?: OwnerReference[] } }): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((o) => o.controller);
}

/** An empty selector matches nothing here (syncDeployment refuses it before claiming). */
export function selectorMatches(selector: LabelSelector | undefined): (labels: Record<string, string> | undefined) => boolean {
  if (!selector || (!Object.keys(selector.matchLabels ?? {}).length && !selector.matchExpressions?.length)) return () => false;
  return labelMatcher(selector);
}

export function controllerRefTo(d: Deployment): OwnerReference {
  return { apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name!, uid: d.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

export async function claimReplicaSets(c: SyncContext): Promise<ReplicaSet[]> {
  const { d } = c;
  const uid = d.metadata.uid!;
  const matches = selectorMatches(d.spec.selector);
  const claimed: ReplicaSet[] = [];
  let canAdopt: boolean | undefined;
  for (const rs of c.replicaSets.store.byNamespace(d.metadata.namespace!)) {
    const ref = controllerRefOf(rs);
    if (ref?.uid === uid) {
      if (matches(rs.metadata.labels)) claimed.push(rs);
      else if (!d.metadata.deletionTimestamp) await patchOwners(c, rs, (rs.metadata.ownerReferences ?? []).filter((o) => o.uid !== uid));
      continue;
    }
    if (ref || d.metadata.deletionTimestamp || rs.metadata.deletionTimestamp || !matches(rs.metadata.labels)) continue;
    canAdopt ??= await recheckDeletionTimestamp(c);
    if (!canAdopt) continue;
    const adopted = await patchOwners(c, rs, [...(rs.metadata.ownerReferences ?? []), controllerRefTo(d)]);
    if (adopted) claimed.push(adopted);
  }
  return claimed;
}

/** RecheckDeletionTimestamp: adopt only for the same Deployment, read fresh, not being deleted. */
async function recheckDeletionTimestamp(c: SyncContext): Promise<boolean> {
  try {
    const fresh = await c.client.get(resources.deployments, c.d.metadata.name!, { namespace: c.d.metadata.namespace });
    return fresh.metadata.uid === c.d.metadata.uid && !fresh.metadata.deletionTimestamp;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

/** Sets ownerReferences, conditional on the uid and version judged (a conflict retries the sync). */
async function patchOwners(c: SyncContext, rs: ReplicaSet, ownerReferences: OwnerReference[]): Promise<ReplicaSet | undefined> {
  const { name, namespace, uid, resourceVersion } = rs.metadata;
  try {
    return await c.client.patch(resources.replicaSets, name!, 'merge', { metadata: { uid, resourceVersion, ownerReferences } }, { namespace }) as ReplicaSet;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** getPodMapForDeployment: the Deployment's pods (terminating ones too) by the uid of their ReplicaSet. */
export function podMapFor(c: SyncContext, rss: ReplicaSet[]): Map<string, Pod[]> {
  const matches = selectorMatches(c.d.spec.selector);
  return new Map(rss.map((rs) => [rs.metadata.uid!, c.pods.store.byIndex(controllerIndex, rs.metadata.uid!).filter((p) => matches(p.metadata.labels))]));
}
