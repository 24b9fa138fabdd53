// updateStatefulSet, as kube's defaultStatefulSetControl: one pass over a set's pods. Replicas
// are the ordinals [start, start+replicas); anything above (or below) is condemned. In
// OrderedReady (monotonic) mode the pass walks ordinals upward and stops at the first pod it
// creates or that is not yet Running, Ready and Available, then deletes condemned pods from the
// highest ordinal, one at a time; in Parallel mode it creates and deletes all at once in slow-
// start batches. A RollingUpdate then deletes the highest-ordinal pod (at or above the
// partition) not at the update revision, one at a time, waiting for each replacement to be
// healthy; OnDelete leaves that to the user. Failed and Succeeded pods are deleted to be made again.
import type { ControllerRevision } from '../history.ts';
import { slowStartBatch } from '../replicaset.ts';
import type { StatefulPodControl } from './pod-control.ts';
import {
  inOrdinalRange, isCreated, isFailed, isHealthy, isPending, isRunningAndAvailable, isRunningAndReady, isSucceeded, isTerminating,
  newVersionedStatefulSetPod, ordinalOf, podRevision, replicasOf, setAtRevision, startOrdinal,
} from './pods.ts';
import type { StatefulPod, StatefulSet, StatefulSetStatus } from './types.ts';

export interface UpdateInput {
  set: StatefulSet;
  pods: StatefulPod[];
  current: ControllerRevision;
  update: ControllerRevision;
  collisionCount: number;
  control: StatefulPodControl;
}

/** computeReplicaStatus over pods (those not yet created count for nothing). */
export function replicaStatus(set: StatefulSet, pods: StatefulPod[], current: string, update: string, now = Date.now()) {
  const minReadySeconds = set.spec.minReadySeconds ?? 0;
  const s = { replicas: 0, readyReplicas: 0, availableReplicas: 0, currentReplicas: 0, updatedReplicas: 0 };
  for (const pod of pods) {
    if (isCreated(pod)) s.replicas++;
    if (isRunningAndReady(pod)) {
      s.readyReplicas++;
      if (isRunningAndAvailable(pod, minReadySeconds, now)) s.availableReplicas++;
    }
    if (isCreated(pod) && !isTerminating(pod)) {
      if (podRevision(pod) === current) s.currentReplicas++;
      if (podRevision(pod) === update) s.updatedReplicas++;
    }
  }
  return s;
}

/** runForAll: in order, stopping at the first that says so; or all at once in slow-start batches. */
async function runForAll(count: number, fn: (i: number) => Promise<boolean>, monotonic: boolean): Promise<boolean> {
  if (monotonic) {
    for (let i = 0; i < count; i++) if (await fn(i)) return true;
    return false;
  }
  let next = 0;
  const result = await slowStartBatch(count, async () => {
    await fn(next++);
  });
  if (result.error) throw result.error;
  return false;
}

/**
 * One pass; the status is returned even when a write failed (with the error), so that it is
 * still recorded, as kube's performUpdate does.
 */
export async function updateStatefulSet(input: UpdateInput): Promise<{ status: StatefulSetStatus; error?: unknown }> {
  const status = initialStatus(input);
  try {
    await managePods(input, status);
    return { status };
  } catch (error) {
    return { status, error };
  }
}

function initialStatus({ set, pods, current, update, collisionCount }: UpdateInput): StatefulSetStatus {
  return {
    observedGeneration: set.metadata.generation,
    currentRevision: current.metadata.name,
    updateRevision: update.metadata.name,
    collisionCount,
    ...replicaStatus(set, pods, current.metadata.name!, update.metadata.name!),
  };
}

async function managePods(input: UpdateInput, status: StatefulSetStatus): Promise<void> {
  const { set, pods, current, update, control } = input;
  const currentSet = setAtRevision(set, current);
  const updateSet = setAtRevision(set, update);
  const monotonic = set.spec.podManagementPolicy !== 'Parallel';
  const minReadySeconds = set.spec.minReadySeconds ?? 0;
  const start = startOrdinal(set);

  const replicas: StatefulPod[] = new Array(replicasOf(set));
  const condemned: StatefulPod[] = [];
  for (const pod of pods) {
    if (inOrdinalRange(pod, set)) replicas[ordinalOf(pod) - start] = pod;
    else if (ordinalOf(pod) >= 0) condemned.push(pod);
  }
  for (let i = 0; i < replicas.length; i++) {
    replicas[i] ??= newVersionedStatefulSetPod({
      currentSet, updateSet, currentRevision: current.metadata.name!, updateRevision: update.metadata.name!, ordinal: start + i,
    });
  }
  condemned.sort((a, b) => ordinalOf(b) - ordinalOf(a));
  const firstUnhealthy = replicas.find((p) => !isHealthy(p)) ?? [...condemned].reverse().find((p) => !isHealthy(p));

  const done = () => void Object.assign(status, replicaStatus(set, [...replicas, ...condemned], current.metadata.name!, update.metadata.name!));
  if (set.metadata.deletionTimestamp) return;

  // processReplica: returns true when this pass must stop here.
  const processReplica = async (i: number): Promise<boolean> => {
    const pod = replicas[i];
    if (isFailed(pod) || isSucceeded(pod)) {
      if (!isTerminating(pod)) await control.deletePod(set, pod);
      return true; // made again once the informer has seen it go
    }
    if (!isCreated(pod)) {
      await control.createPod(set, pod);
      return monotonic;
    }
    if (isPending(pod)) await control.createMissingClaims(set, pod);
    if (isTerminating(pod) && monotonic) return true;
    if (!isRunningAndReady(pod) && monotonic) return true;
    if (!isRunningAndAvailable(pod, minReadySeconds) && monotonic) return true;
    if (!control.claimsMatchRetentionPolicy(updateSet, pod)) await control.updateClaimsForRetentionPolicy(updateSet, pod);
    await control.updatePod(set, pod);
    return false;
  };
  try {
    if (await runForAll(replicas.length, processReplica, monotonic)) return done();
  } catch (err) {
    done();
    throw err;
  }

  // Condemned pods get the claim owners whenScaled asks for before they go.
  for (const pod of condemned) {
    if (!control.claimsMatchRetentionPolicy(updateSet, pod)) await control.updateClaimsForRetentionPolicy(updateSet, pod);
  }

  // processCondemned: in monotonic mode one at a time, from the highest ordinal, predecessors healthy.
  const processCondemned = async (i: number): Promise<boolean> => {
    const pod = condemned[i];
    if (isTerminating(pod)) return monotonic;
    if (monotonic && pod !== firstUnhealthy && !isRunningAndAvailable(pod, minReadySeconds)) return true;
    await control.deletePod(set, pod);
    return true;
  };
  try {
    if (await runForAll(condemned.length, processCondemned, monotonic)) return done();
  } finally {
    done();
  }

  if (set.spec.updateStrategy?.type === 'OnDelete') return;
  const updateMin = set.spec.updateStrategy?.rollingUpdate?.partition ?? 0;
  for (let target = replicas.length - 1; target >= updateMin; target--) {
    const pod = replicas[target];
    if (podRevision(pod) !== update.metadata.name && !isTerminating(pod)) {
      await control.deletePod(set, pod);
      status.currentReplicas = (status.currentReplicas ?? 0) - 1;
      return;
    }
    if (!isHealthy(pod)) return; // wait for the replacement
  }
}
