// A StatefulSet's pods as kube's stateful_set_utils.go sees them: each has an identity (name
// `<set>-<ordinal>`, hostname, subdomain = serviceName, the pod-name and pod-index labels) and
// storage (one PVC `<claim>-<set>-<ordinal>` per volumeClaimTemplate, mounted under the
// template's name), and was made from one revision (the controller-revision-hash label).
import type { KubeObject } from '../../api/types.ts';
import { controllerRefTo, type ControllerRevision, applyRevision } from '../history.ts';
import {
  controllerKind, initAnnotation, podIndexLabel, podNameLabel, revisionLabel,
  type PersistentVolumeClaim, type StatefulPod, type StatefulSet, type Volume,
} from './types.ts';

const statefulPodName = /^(.*)-([0-9]+)$/;

/** getParentNameAndOrdinal: ordinal -1 when the name does not end in `-<number>`. */
export function parentAndOrdinal(pod: KubeObject): { parent: string; ordinal: number } {
  const m = statefulPodName.exec(pod.metadata.name ?? '');
  if (!m) return { parent: '', ordinal: -1 };
  const ordinal = Number(m[2]);
  return { parent: m[1], ordinal: Number.isSafeInteger(ordinal) && ordinal <= 0x7fffffff ? ordinal : -1 };
}

export const ordinalOf = (pod: KubeObject) => parentAndOrdinal(pod).ordinal;

/** isMemberOf: a pod named after the set. */
export const isMemberOf = (set: StatefulSet, pod: KubeObject) => parentAndOrdinal(pod).parent === set.metadata.name;

export const startOrdinal = (set: StatefulSet) => set.spec.ordinals?.start ?? 0;
export const replicasOf = (set: StatefulSet) => set.spec.replicas ?? 1;

/** podInOrdinalRange: start <= ordinal < start + replicas. */
export function inOrdinalRange(pod: KubeObject, set: StatefulSet): boolean {
  const ordinal = ordinalOf(pod);
  return ordinal >= startOrdinal(set) && ordinal < startOrdinal(set) + replicasOf(set);
}

export const podName = (set: StatefulSet, ordinal: number) => `${set.metadata.name}-${ordinal}`;
export const claimName = (set: StatefulSet, claim: PersistentVolumeClaim, ordinal: number) => `${claim.metadata.name}-${set.metadata.name}-${ordinal}`;

/** identityMatches. */
export function identityMatches(set: StatefulSet, pod: StatefulPod): boolean {
  const { parent, ordinal } = parentAndOrdinal(pod);
  return ordinal >= 0 && parent === set.metadata.name && pod.metadata.name === podName(set, ordinal)
    && pod.metadata.namespace === set.metadata.namespace && pod.metadata.labels?.[podNameLabel] === pod.metadata.name;
}

/** storageMatches: every claim template mounted from its own PVC. */
export function storageMatches(set: StatefulSet, pod: StatefulPod): boolean {
  const ordinal = ordinalOf(pod);
  if (ordinal < 0) return false;
  const volumes = new Map((pod.spec?.volumes ?? []).map((v) => [v.name, v]));
  return (set.spec.volumeClaimTemplates ?? []).every((claim) =>
    volumes.get(claim.metadata.name!)?.persistentVolumeClaim?.claimName === claimName(set, claim, ordinal));
}

/** getPersistentVolumeClaims: the pod's claims, by template name, labelled with the set's matchLabels. */
export function claimsFor(set: StatefulSet, pod: KubeObject): Map<string, PersistentVolumeClaim> {
  const ordinal = ordinalOf(pod);
  const claims = new Map<string, PersistentVolumeClaim>();
  for (const template of set.spec.volumeClaimTemplates ?? []) {
    const { status: _status, ...claim } = structuredClone(template);
    claim.apiVersion = 'v1';
    claim.kind = 'PersistentVolumeClaim';
    claim.metadata = {
      ...claim.metadata,
      name: claimName(set, template, ordinal),
      namespace: set.metadata.namespace,
      labels: { ...claim.metadata.labels, ...set.spec.selector?.matchLabels },
    };
    delete claim.metadata.creationTimestamp;
    claims.set(template.metadata.name!, claim);
  }
  return claims;
}

/** updateIdentity: name, namespace and the identity labels. */
function updateIdentity(set: StatefulSet, pod: StatefulPod): void {
  const ordinal = ordinalOf(pod);
  pod.metadata.name = podName(set, ordinal);
  pod.metadata.namespace = set.metadata.namespace;
  pod.metadata.labels = { ...pod.metadata.labels, [podNameLabel]: pod.metadata.name, [podIndexLabel]: String(ordinal) };
}

/** updateStorage: the claims' volumes, then the template's other volumes. */
function updateStorage(set: StatefulSet, pod: StatefulPod): void {
  const claims = claimsFor(set, pod);
  const volumes: Volume[] = [...claims].map(([name, claim]) => ({ name, persistentVolumeClaim: { claimName: claim.metadata.name! } }));
  for (const v of pod.spec?.volumes ?? []) if (!claims.has(v.name)) volumes.push(v);
  pod.spec = { ...pod.spec, volumes };
}

/** newStatefulSetPod: controller.GetPodFromTemplate, then identity (hostname, subdomain once) and storage. */
export function newStatefulSetPod(set: StatefulSet, ordinal: number): StatefulPod {
  const template = set.spec.template ?? {};
  const pod: StatefulPod = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name: podName(set, ordinal),
      generateName: `${set.metadata.name}-`,
      labels: { ...template.metadata?.labels },
      annotations: { ...template.metadata?.annotations },
      ...(template.metadata?.finalizers?.length ? { finalizers: [...template.metadata.finalizers] } : {}),
      ownerReferences: [controllerRefTo(set, controllerKind)],
    },
    spec: structuredClone(template.spec ?? {}) as StatefulPod['spec'],
  };
  updateIdentity(set, pod);
  pod.spec!.hostname = pod.metadata.name;
  if (set.spec.serviceName) pod.spec!.subdomain = set.spec.serviceName;
  updateStorage(set, pod);
  return pod;
}

/**
 * newVersionedStatefulSetPod: below the partition (or, without a rollingUpdate, below the
 * current replica count) a pod is made at the current revision, otherwise at the update revision.
 * The condition keeps kube's grouping: the partition applies whatever the strategy type.
 */
export function newVersionedStatefulSetPod(opts: {
  currentSet: StatefulSet; updateSet: StatefulSet; currentRevision: string; updateRevision: string; ordinal: number;
}): StatefulPod {
  const { currentSet, updateSet, ordinal } = opts;
  const strategy = currentSet.spec.updateStrategy;
  const start = startOrdinal(currentSet);
  const current = (strategy?.type === 'RollingUpdate' && !strategy.rollingUpdate && ordinal < start + (currentSet.status?.currentReplicas ?? 0))
    || (!!strategy?.rollingUpdate && ordinal < start + (strategy.rollingUpdate.partition ?? 0));
  const pod = newStatefulSetPod(current ? currentSet : updateSet, ordinal);
  pod.metadata.labels![revisionLabel] = current ? opts.currentRevision : opts.updateRevision;
  return pod;
}

/** The set as it was at a revision (applyRevision): its template put back. */
export const setAtRevision = (set: StatefulSet, revision: ControllerRevision) => applyRevision(set, revision);

export const podRevision = (pod: KubeObject) => pod.metadata.labels?.[revisionLabel] ?? '';

// ---- pod states (isCreated, isRunningAndReady, ...) ----

export const isCreated = (pod: StatefulPod) => !!pod.status?.phase;
export const isFailed = (pod: StatefulPod) => pod.status?.phase === 'Failed';
export const isSucceeded = (pod: StatefulPod) => pod.status?.phase === 'Succeeded';
export const isPending = (pod: StatefulPod) => pod.status?.phase === 'Pending';
export const isTerminating = (pod: KubeObject) => !!pod.metadata.deletionTimestamp;

function readyCondition(pod: StatefulPod) {
  return pod.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True');
}

/** isRunningAndReady, honouring `pod.alpha.kubernetes.io/initialized: "false"`. */
export function isRunningAndReady(pod: StatefulPod): boolean {
  if (pod.status?.phase !== 'Running' || !readyCondition(pod)) return false;
  return pod.metadata.annotations?.[initAnnotation]?.toLowerCase() !== 'false';
}

/** isRunningAndAvailable: ready for at least minReadySeconds (podutil.IsPodAvailable). */
export function isRunningAndAvailable(pod: StatefulPod, minReadySeconds: number, now = Date.now()): boolean {
  if (!isRunningAndReady(pod)) return false;
  if (!minReadySeconds) return true;
  const since = Date.parse(readyCondition(pod)?.lastTransitionTime ?? '');
  return Number.isFinite(since) && since + minReadySeconds * 1000 <= now;
}

export const isHealthy = (pod: StatefulPod) => isRunningAndReady(pod) && !isTerminating(pod);
