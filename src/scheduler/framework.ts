// The scheduling framework in small: a plugin prepares per pod (PreFilter / PreScore) and
// answers per node (Filter / Score), as kube-scheduler's framework plugins do. Statuses carry
// kube's codes and reason strings, which end up verbatim in FailedScheduling messages.
import type { Snapshot } from './cache.ts';
import type { NodeInfo, PodInfo } from './node-info.ts';

/** Unschedulable: preemption may help. UnschedulableAndUnresolvable: it cannot. */
export type StatusCode = 'Unschedulable' | 'UnschedulableAndUnresolvable';

export interface Status {
  code: StatusCode;
  reasons: string[];
  plugin: string;
}

export function unschedulable(plugin: string, ...reasons: string[]): Status {
  return { code: 'Unschedulable', reasons, plugin };
}

export function unresolvable(plugin: string, ...reasons: string[]): Status {
  return { code: 'UnschedulableAndUnresolvable', reasons, plugin };
}

/** One scheduling attempt of one pod against one snapshot. */
export interface Cycle {
  pod: PodInfo;
  snapshot: Snapshot;
}

export type NodeFilter = (node: NodeInfo) => Status | undefined;

export interface FilterPlugin {
  name: string;
  /**
   * PreFilter: work done once per pod; returns the per-node filter, nothing when the plugin
   * has nothing to check for this pod, or a Status that rejects every node at once.
   */
  preFilter(cycle: Cycle): NodeFilter | Status | undefined;
}

export interface NodeScorer {
  score(node: NodeInfo): number;
  /** NormalizeScore: rescales the raw scores (in place) to 0..100. */
  normalize?(scores: number[], nodes: NodeInfo[]): void;
}

export interface ScorePlugin {
  name: string;
  weight: number;
  /** PreScore over the feasible nodes; nothing means Skip (the plugin scores 0 everywhere). */
  preScore(cycle: Cycle, nodes: NodeInfo[]): NodeScorer | undefined;
}

export const maxNodeScore = 100;

/** helper.DefaultNormalizeScore: scale to 0..100 by the max, optionally reversed. */
export function defaultNormalize(scores: number[], reverse: boolean): void {
  const max = Math.max(0, ...scores);
  for (let i = 0; i < scores.length; i++) {
    if (max === 0) {
      if (reverse) scores[i] = maxNodeScore;
      continue;
    }
    let s = Math.trunc((maxNodeScore * scores[i]) / max);
    if (reverse) s = maxNodeScore - s;
    scores[i] = s;
  }
}

export function isStatus(x: unknown): x is Status {
  return typeof x === 'object' && x !== null && 'code' in x && 'reasons' in x;
}
