// The new ReplicaSet, as kube's getNewReplicaSet: an existing one with the Deployment's
// template gets its revision raised above every old one (and the Deployment records it);
// otherwise, when asked, one is created named `<deployment>-<pod-template-hash>`, with the
// hash label added to its selector and template. A name already taken by a ReplicaSet with
// another template is a hash collision: status.collisionCount goes up and the sync retries.
import { ApiError, isAlreadyExists, resources } from '../../client/index.ts';
import { controllerRefOf } from '../controller-ref-manager.ts';
import { controllerRefTo } from './claim.ts';
import { getCondition, hasProgressDeadline, newCondition, setCondition } from './conditions.ts';
import { event, updateDeploymentStatus, type SyncContext } from './context.ts';
import { computeHash } from './hash.ts';
import { newRSNewReplicas } from './replicas.ts';
import { equalIgnoreHash, findNewReplicaSet, findOldReplicaSets, maxRevision, setDeploymentRevision, setNewReplicaSetAnnotations } from './revisions.ts';
import { podTemplateHashLabel, reasons, type ReplicaSet } from './types.ts';

/** getAllReplicaSetsAndSyncRevision: the new ReplicaSet (created if asked and missing) and all the old ones. */
export async function getAllReplicaSetsAndSyncRevision(c: SyncContext, rsList: ReplicaSet[], createIfNotExisted: boolean): Promise<{ newRS?: ReplicaSet; oldRSs: ReplicaSet[] }> {
  const oldRSs = findOldReplicaSets(c.d, rsList);
  const newRS = await getNewReplicaSet(c, rsList, oldRSs, createIfNotExisted);
  return { newRS, oldRSs };
}

async function getNewReplicaSet(c: SyncContext, rsList: ReplicaSet[], oldRSs: ReplicaSet[], createIfNotExisted: boolean): Promise<ReplicaSet | undefined> {
  const existing = findNewReplicaSet(c.d, rsList);
  const newRevision = maxRevision(oldRSs) + 1;
  if (existing) return syncExistingNewReplicaSet(c, existing, newRevision);
  if (!createIfNotExisted) return undefined;
  return createNewReplicaSet(c, oldRSs, newRevision);
}

async function syncExistingNewReplicaSet(c: SyncContext, existing: ReplicaSet, newRevision: number): Promise<ReplicaSet> {
  const { d } = c;
  const copy = structuredClone(existing);
  const annotationsUpdated = setNewReplicaSetAnnotations(d, copy, newRevision, true);
  if (annotationsUpdated || (copy.spec?.minReadySeconds ?? 0) !== (d.spec.minReadySeconds ?? 0)) {
    copy.spec = { ...copy.spec, minReadySeconds: d.spec.minReadySeconds ?? 0 };
    return await c.client.update(resources.replicaSets, copy) as ReplicaSet;
  }
  let needsUpdate = setDeploymentRevision(d, copy.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? '');
  // A Deployment that never recorded progress starts counting from the moment its new set is found.
  if (hasProgressDeadline(d) && !getCondition(d.status, 'Progressing')) {
    setCondition((d.status ??= {}), newCondition('Progressing', 'True', reasons.foundNewRS, `Found new replica set "${copy.metadata.name}"`, c.now()));
    needsUpdate = true;
  }
  if (needsUpdate) await updateDeploymentStatus(c);
  return copy;
}

async function createNewReplicaSet(c: SyncContext, oldRSs: ReplicaSet[], newRevision: number): Promise<ReplicaSet | undefined> {
  const { d } = c;
  const template = structuredClone(d.spec.template ?? {});
  const hash = computeHash(template, d.status?.collisionCount);
  template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, [podTemplateHashLabel]: hash } };
  const selector = structuredClone(d.spec.selector ?? {});
  selector.matchLabels = { ...selector.matchLabels, [podTemplateHashLabel]: hash };
  const newRS: ReplicaSet = {
    apiVersion: 'apps/v1', kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name}-${hash}`, namespace: d.metadata.namespace,
      ownerReferences: [controllerRefTo(d)], labels: { ...template.metadata.labels },
    },
    spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
  };
  const replicas = newRSNewReplicas(d, [...oldRSs, newRS], newRS);
  newRS.spec!.replicas = replicas;
  setNewReplicaSetAnnotations(d, newRS, newRevision, false);

  let created: ReplicaSet;
  let alreadyExists = false;
  try {
    created = await c.client.create(resources.replicaSets, newRS) as ReplicaSet;
  } catch (err) {
    if (isAlreadyExists(err)) {
      const rs = c.replicaSets.store.get(`${d.metadata.namespace}/${newRS.metadata.name}`);
      if (!rs) throw err; // not in the cache yet: retry later
      // Ours, with our template: the cache was behind. Anything else is a hash collision.
      if (controllerRefOf(rs)?.uid === d.metadata.uid && equalIgnoreHash(d.spec.template, rs.spec?.template)) {
        created = rs;
        alreadyExists = true;
      } else {
        d.status = { ...d.status, collisionCount: (d.status?.collisionCount ?? 0) + 1 };
        await updateDeploymentStatus(c).catch(() => undefined);
        c.log.info({ deployment: `${d.metadata.namespace}/${d.metadata.name}`, collisionCount: d.status.collisionCount }, 'deployment: hash collision, collisionCount bumped');
        throw err;
      }
    } else {
      if (err instanceof ApiError && err.status.details?.causes?.some((cause) => cause.reason === 'NamespaceTerminating')) throw err;
      const msg = `Failed to create new replica set "${newRS.metadata.name}": ${err instanceof Error ? err.message : String(err)}`;
      if (hasProgressDeadline(d)) {
        setCondition((d.status ??= {}), newCondition('Progressing', 'False', reasons.failedRSCreate, msg, c.now()));
        await updateDeploymentStatus(c).catch(() => undefined); // the bigger problem is reported below
      }
      event(c, 'Warning', reasons.failedRSCreate, msg);
      throw err;
    }
  }
  if (!alreadyExists && replicas > 0) event(c, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} from 0 to ${replicas}`);
  let needsUpdate = setDeploymentRevision(d, String(newRevision));
  if (!alreadyExists && hasProgressDeadline(d)) {
    setCondition((d.status ??= {}), newCondition('Progressing', 'True', reasons.newReplicaSet, `Created new replica set "${created.metadata.name}"`, c.now()));
    needsUpdate = true;
  }
  if (needsUpdate) await updateDeploymentStatus(c);
  return created;
}
