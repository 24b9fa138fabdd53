// DefaultPreemption (PostFilter), as kube-scheduler 1.32: when a pod fits nowhere, find the
// nodes where removing lower-priority pods would make it fit, keep as few victims as
// possible (remove them all, then reprieve the most important ones while the pod still
// fits), and pick the node whose victims matter least. PodDisruptionBudgets are not
// consulted (kubelite has no disruption controller yet), so every candidate violates none.
import { withNodeInfo, type Snapshot } from './cache.ts';
import { unresolvable, type Status } from './framework.ts';
import type { NodeInfo, PodInfo } from './node-info.ts';
import { defaultProfile, type Profile } from './profile.ts';
import { fitErrorMessage, prepareFilters, runFilters, type FitError } from './schedule.ts';

export interface Candidate {
  nodeName: string;
  victims: PodInfo[];
}

export type PreemptionResult =
  | { candidate: Candidate }
  /** No node can be freed: the message for the FitError's postFilterMsg ("preemption: ..."). */
  | { message: string; clearNomination: boolean };

export const noVictimsMsg = 'No preemption victims found for incoming pod';
export const notHelpfulMsg = 'Preemption is not helpful for scheduling';

/** MoreImportantPod: higher priority first, then the one that started earlier. */
export function moreImportant(a: PodInfo, b: PodInfo): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  return a.startTime - b.startTime;
}

/** PodEligibleToPreemptOthers: why this pod may not preempt, if it may not. */
export function notEligibleReason(pod: PodInfo, snapshot: Snapshot): string | undefined {
  if (pod.pod.spec?.preemptionPolicy === 'Never') return 'not eligible due to preemptionPolicy=Never.';
  const nominated = pod.pod.status?.nominatedNodeName;
  const node = nominated ? snapshot.get(nominated) : undefined;
  // Victims of an earlier preemption are still terminating there: wait for them.
  if (node && [...node.pods.values()].some((p) => p.terminating && p.priority < pod.priority)) {
    return 'not eligible due to a terminating pod on the nominated node.';
  }
  return undefined;
}

function rejection(snapshot: Snapshot, pod: PodInfo, node: NodeInfo, profile: Profile): Status | undefined {
  const view = withNodeInfo(snapshot, node);
  const filters = prepareFilters({ pod, snapshot: view }, profile);
  if (!Array.isArray(filters)) return filters;
  return runFilters(filters, node);
}

/** SelectVictimsOnNode: the fewest lower-priority pods whose removal lets the pod fit. */
export function selectVictimsOnNode(snapshot: Snapshot, pod: PodInfo, node: NodeInfo, profile: Profile = defaultProfile): PodInfo[] | Status {
  const potential = [...node.pods.values()].filter((p) => p.priority < pod.priority).sort(moreImportant);
  if (potential.length === 0) return unresolvable('DefaultPreemption', noVictimsMsg);
  const trial = node.clone();
  for (const p of potential) trial.removePod(p.key);
  const status = rejection(snapshot, pod, trial, profile);
  if (status) return status;
  const victims: PodInfo[] = [];
  for (const p of potential) {
    trial.addPod(p);
    if (rejection(snapshot, pod, trial, profile)) {
      trial.removePod(p.key);
      victims.push(p);
    }
  }
  return victims;
}

/**
 * pickOneNodeForPreemption: the lowest highest-victim priority, then the lowest sum of
 * priorities, then the fewest victims, then the latest start of the highest-priority
 * victims, then the first.
 */
export function pickCandidate(candidates: Candidate[]): Candidate {
  const offset = 2 ** 31; // kube adds MaxInt32+1 so that negative priorities sum correctly
  const key = (c: Candidate) => {
    const top = c.victims[0]?.priority ?? -Infinity;
    const earliestTop = Math.min(...c.victims.filter((v) => v.priority === top).map((v) => v.startTime));
    return [top, c.victims.reduce((s, v) => s + v.priority + offset, 0), c.victims.length, -earliestTop];
  };
  let best = candidates[0];
  let bestKey = key(best);
  for (const c of candidates.slice(1)) {
    const k = key(c);
    const i = k.findIndex((v, j) => v !== bestKey[j]);
    if (i >= 0 && k[i] < bestKey[i]) {
      best = c;
      bestKey = k;
    }
  }
  return best;
}

export function preempt(snapshot: Snapshot, pod: PodInfo, fitError: FitError, profile: Profile = defaultProfile): PreemptionResult {
  const reason = notEligibleReason(pod, snapshot);
  if (reason) return { message: `preemption: ${reason}`, clearNomination: false };
  // nodesWherePreemptionMightHelp: only nodes rejected as Unschedulable (not Unresolvable).
  const statuses = new Map<string, Status>();
  const potential: NodeInfo[] = [];
  for (const node of snapshot.nodes) {
    const status = fitError.statuses.get(node.name);
    if (status?.code === 'Unschedulable') potential.push(node);
    else statuses.set(node.name, unresolvable('DefaultPreemption', notHelpfulMsg));
  }
  const candidates: Candidate[] = [];
  for (const node of potential) {
    const result = selectVictimsOnNode(snapshot, pod, node, profile);
    if (Array.isArray(result) && result.length) candidates.push({ nodeName: node.name, victims: result });
    else if (!Array.isArray(result)) statuses.set(node.name, result);
  }
  if (candidates.length) return { candidate: pickCandidate(candidates) };
  const inner = fitErrorMessage({ numAllNodes: snapshot.nodes.length, statuses });
  return { message: `preemption: ${inner}`, clearNomination: potential.length === 0 };
}
