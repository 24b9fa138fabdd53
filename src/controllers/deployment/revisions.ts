// Which ReplicaSet is the new one and what each has been: kube's FindNewReplicaSet /
// FindOldReplicaSets (the oldest ReplicaSet whose template equals the Deployment's, the
// pod-template-hash label aside), the `deployment.kubernetes.io/revision` bookkeeping of
// SetNewReplicaSetAnnotations (a reused template moves its old revision to `revision-history`),
// and the desired/max-replicas annotations proportional scaling reads back.
import { byCreationTimestamp, desiredReplicas, maxSurge } from './replicas.ts';
import {
  annotations, annotationsToSkip, maxRevisionHistoryLengthInChars, podTemplateHashLabel,
  type Deployment, type PodTemplateSpec, type ReplicaSet,
} from './types.ts';

/** Revision(): the revision annotation as a number (0 when missing or not a number). */
export function revisionOf(obj: { metadata: { annotations?: Record<string, string> } }): number {
  const v = obj.metadata.annotations?.[annotations.revision];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : 0;
}

export function maxRevision(rss: ReplicaSet[]): number {
  return rss.reduce((max, rs) => Math.max(max, revisionOf(rs)), 0);
}

/** ReplicaSetsByRevision: lowest revision first, creation time among equals. */
export function byRevision(a: ReplicaSet, b: ReplicaSet): number {
  return revisionOf(a) - revisionOf(b) || byCreationTimestamp(a, b);
}

/** apimachinery's Semantic.DeepEqual for JSON: a missing field, null, [] and {} are all "empty". */
export function semanticEqual(a: unknown, b: unknown): boolean {
  const empty = (v: unknown) => v === undefined || v === null || (Array.isArray(v) && !v.length)
    || (typeof v === 'object' && !Array.isArray(v) && !Object.keys(v as object).length);
  if (empty(a) && empty(b)) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => semanticEqual(x, b[i]));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!semanticEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
    return true;
  }
  return a === b;
}

/** EqualIgnoreHash: the templates are equal once the pod-template-hash label is set aside. */
export function equalIgnoreHash(t1: PodTemplateSpec | undefined, t2: PodTemplateSpec | undefined): boolean {
  const strip = (t: PodTemplateSpec | undefined) => {
    const labels = { ...t?.metadata?.labels };
    delete labels[podTemplateHashLabel];
    return { ...t, metadata: { ...t?.metadata, labels } };
  };
  return semanticEqual(strip(t1), strip(t2));
}

/** FindNewReplicaSet: the oldest ReplicaSet with the Deployment's template, if any. */
export function findNewReplicaSet(d: Deployment, rss: ReplicaSet[]): ReplicaSet | undefined {
  return [...rss].sort(byCreationTimestamp).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec.template));
}

/** FindOldReplicaSets' second result: every ReplicaSet but the new one. */
export function findOldReplicaSets(d: Deployment, rss: ReplicaSet[]): ReplicaSet[] {
  const newRS = findNewReplicaSet(d, rss);
  return rss.filter((rs) => rs.metadata.uid !== newRS?.metadata.uid);
}

/** SetReplicasAnnotations: true when either annotation changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = (rs.metadata.annotations ??= {});
  const changed = a[annotations.desiredReplicas] !== String(desired) || a[annotations.maxReplicas] !== String(max);
  a[annotations.desiredReplicas] = String(desired);
  a[annotations.maxReplicas] = String(max);
  return changed;
}

export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = rs.metadata.annotations ?? {};
  return a[annotations.desiredReplicas] !== String(desired) || a[annotations.maxReplicas] !== String(max);
}

/** The desired-replicas annotation, when it is a number. */
export function desiredReplicasAnnotation(rs: ReplicaSet): number | undefined {
  const v = rs.metadata.annotations?.[annotations.desiredReplicas];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
}

export function maxReplicasAnnotation(rs: ReplicaSet): number | undefined {
  const v = rs.metadata.annotations?.[annotations.maxReplicas];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
}

/**
 * SetNewReplicaSetAnnotations: copies the Deployment's annotations (but the skipped ones),
 * raises the revision to `newRevision` when it is lower (keeping the old one in
 * revision-history: a rollback to this template), and on a ReplicaSet about to be created
 * sets desired/max replicas. Mutates `rs`; true when anything changed.
 */
export function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: number, exists: boolean): boolean {
  const a = (rs.metadata.annotations ??= {});
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (annotationsToSkip.has(k) || a[k] === v) continue;
    a[k] = v;
    changed = true;
  }
  const oldText = a[annotations.revision];
  if (oldText !== undefined && !/^\d+$/.test(oldText)) return false; // kube gives up on a malformed revision
  const oldRevision = oldText === undefined ? 0 : Number(oldText);
  if (oldRevision < newRevision) {
    a[annotations.revision] = String(newRevision);
    changed = true;
    if (oldText !== undefined) appendRevisionHistory(a, oldText);
  }
  if (!exists && setReplicasAnnotations(rs, desiredReplicas(d), desiredReplicas(d) + maxSurge(d))) changed = true;
  return changed;
}

/** Appends to revision-history, dropping the oldest entries past the length limit. */
function appendRevisionHistory(a: Record<string, string>, oldRevision: string): void {
  const history = a[annotations.revisionHistory] ?? '';
  if (!history) {
    a[annotations.revisionHistory] = oldRevision;
    return;
  }
  const old = history.split(',');
  let total = history.length + oldRevision.length + 1;
  let start = 0;
  while (total > maxRevisionHistoryLengthInChars && start < old.length) total -= old[start++]!.length + 1;
  if (total <= maxRevisionHistoryLengthInChars) a[annotations.revisionHistory] = [...old.slice(start), oldRevision].join(',');
}

/** SetDeploymentRevision: true when the Deployment's revision annotation changed. */
export function setDeploymentRevision(d: Deployment, revision: string): boolean {
  const a = (d.metadata.annotations ??= {});
  if (a[annotations.revision] === revision) return false;
  a[annotations.revision] = revision;
  return true;
}
