// What kube's disruption controller computes for one PodDisruptionBudget
// (pkg/controller/disruption/disruption.go: getExpectedPodCount, countHealthyPods,
// buildDisruptedPodMap, updatePdbStatus), as pure functions of the budget, its pods and the
// replica counts of their controllers, so they can be tested without a server.
import type { KubeObject } from '../../api/types.ts';
import type { Pod } from '../../api/core-v1.ts';

/** kube's DeletionTimeout: a pod the eviction API disrupted counts as gone this long. */
export const deletionTimeoutMs = 2 * 60_000;

export interface PodDisruptionBudget extends KubeObject {
  spec?: { minAvailable?: number | string; maxUnavailable?: number | string; selector?: unknown; unhealthyPodEvictionPolicy?: string };
  status?: PdbStatus;
}

export interface PdbCondition {
  type: string;
  status: 'True' | 'False';
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime: string;
}

export interface PdbStatus {
  observedGeneration?: number;
  disruptedPods?: Record<string, string>;
  disruptionsAllowed: number;
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  conditions?: PdbCondition[];
}

/** intstr.GetScaledValueFromIntOrPercent(value, total, roundUp=true). */
export function scaledValue(value: number | string, total: number): number {
  if (typeof value === 'number') return value;
  const match = /^(\d+)%$/.exec(value);
  if (!match) throw new Error(`invalid value for IntOrString: invalid value "${value}"`);
  return Math.ceil((Number(match[1]) * total) / 100);
}

/**
 * The scale a budget is measured against: for an integer minAvailable the pods themselves, else
 * the summed replicas of the pods' controllers. `scaleOf` gives a pod's controller as
 * `{uid, replicas}` or throws kube's "found no controller…" error (the caller fails safe).
 */
export function expectedAndDesired(pdb: PodDisruptionBudget, pods: Pod[], scaleOf: (pod: Pod) => { uid: string; replicas: number }): { expected: number; desired: number } {
  const { minAvailable, maxUnavailable } = pdb.spec ?? {};
  const controllersScale = () => {
    const seen = new Map<string, number>();
    for (const pod of pods) {
      const { uid, replicas } = scaleOf(pod);
      seen.set(uid, replicas);
    }
    return [...seen.values()].reduce((a, b) => a + b, 0);
  };
  if (maxUnavailable != null) {
    const expected = controllersScale();
    return { expected, desired: Math.max(0, expected - scaledValue(maxUnavailable, expected)) };
  }
  if (typeof minAvailable === 'number') return { expected: pods.length, desired: minAvailable };
  if (typeof minAvailable === 'string') {
    const expected = controllersScale();
    return { expected, desired: scaledValue(minAvailable, expected) };
  }
  return { expected: 0, desired: 0 };
}

/**
 * buildDisruptedPodMap: the disrupted pods still expected to go (listed, not yet deleting,
 * within DeletionTimeout), and when the earliest of them expires (to look again then).
 */
export function liveDisruptedPods(pdb: PodDisruptionBudget, pods: Pod[], now: number): { disrupted: Record<string, string>; recheckAt?: number } {
  const byName = new Map(pods.map((p) => [p.metadata.name!, p]));
  const disrupted: Record<string, string> = {};
  let recheckAt: number | undefined;
  for (const [name, at] of Object.entries(pdb.status?.disruptedPods ?? {})) {
    const pod = byName.get(name);
    if (!pod || pod.metadata.deletionTimestamp) continue;
    const expires = Date.parse(at) + deletionTimeoutMs;
    if (!(expires > now)) continue; // expected to be deleted by now but was not: counts again
    disrupted[name] = at;
    recheckAt = Math.min(recheckAt ?? expires, expires);
  }
  return { disrupted, recheckAt };
}

function isReady(pod: Pod): boolean {
  return !!pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
}

/** countHealthyPods: ready, not being deleted, and not just disrupted. */
export function countHealthy(pods: Pod[], disrupted: Record<string, string>): number {
  return pods.filter((p) => !p.metadata.deletionTimestamp && !(p.metadata.name! in disrupted) && isReady(p)).length;
}

/** The DisruptionAllowed condition as apimeta.SetStatusCondition keeps it: the transition time moves only with the status. */
export function disruptionAllowedCondition(previous: PdbCondition[] | undefined, next: Omit<PdbCondition, 'type' | 'lastTransitionTime'>, now: number): PdbCondition[] {
  const others = (previous ?? []).filter((c) => c.type !== 'DisruptionAllowed');
  const old = previous?.find((c) => c.type === 'DisruptionAllowed');
  const lastTransitionTime = old && old.status === next.status ? old.lastTransitionTime : new Date(Math.floor(now / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  return [...others, { type: 'DisruptionAllowed', ...next, lastTransitionTime }];
}

/** updatePdbStatus: allowed disruptions are the healthy pods above the desired count, never below 0. */
export function computeStatus(pdb: PodDisruptionBudget, counts: { expected: number; desired: number; healthy: number; disrupted: Record<string, string> }, now: number): PdbStatus {
  const allowed = counts.expected <= 0 ? 0 : Math.max(0, counts.healthy - counts.desired);
  const status: PdbStatus = {
    observedGeneration: pdb.metadata.generation,
    disruptionsAllowed: allowed,
    currentHealthy: counts.healthy,
    desiredHealthy: counts.desired,
    expectedPods: counts.expected,
    conditions: disruptionAllowedCondition(pdb.status?.conditions, {
      status: allowed > 0 ? 'True' : 'False', reason: allowed > 0 ? 'SufficientPods' : 'InsufficientPods', message: '', observedGeneration: pdb.metadata.generation,
    }, now),
  };
  if (Object.keys(counts.disrupted).length) status.disruptedPods = counts.disrupted;
  return status;
}

/** failSafe: when the expected count cannot be known, no disruption is allowed (reason SyncFailed). */
export function failSafeStatus(pdb: PodDisruptionBudget, err: unknown, now: number): PdbStatus {
  const previous = pdb.status ?? { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
  return {
    ...previous,
    observedGeneration: pdb.metadata.generation,
    disruptionsAllowed: 0,
    conditions: disruptionAllowedCondition(previous.conditions, {
      status: 'False', reason: 'SyncFailed', message: err instanceof Error ? err.message : String(err), observedGeneration: pdb.metadata.generation,
    }, now),
  };
}
