// One scheduling attempt (kube-scheduler's schedulePod): PreFilter, Filter nodes (the
// nominated node first, if the pod has one) until enough feasible ones are found, score them,
// pick the best with ties broken at random. Enough is kube's numFeasibleNodesToFind: every
// node below 100, else percentageOfNodesToScore of them (adaptive by default: 50% minus 1% per
// 125 nodes, at least 5% and 100 nodes), and each search starts where the last one stopped
// (nextStartNodeIndex), so a large cluster is sampled in turn rather than always from its
// first nodes. When nothing fits every node was filtered, and the result is a FitError whose
// message is kube's: "0/3 nodes are available: 3 Insufficient cpu." with reasons counted per
// node and sorted as strings.
import type { Snapshot } from './cache.ts';
import { isStatus, type Cycle, type NodeFilter, type Status } from './framework.ts';
import type { NodeInfo, PodInfo } from './node-info.ts';
import { defaultProfile, type Profile } from './profile.ts';

export interface FitError {
  numAllNodes: number;
  /** Set when a PreFilter rejected the pod outright (then every node has that status). */
  preFilterMsg?: string;
  /** Why each node was rejected. */
  statuses: Map<string, Status>;
  /** What preemption said ("preemption: ..."), added after the fact. */
  postFilterMsg?: string;
}

export type ScheduleResult =
  | { nodeName: string; evaluatedNodes: number; feasibleNodes: number }
  | { fitError: FitError };

export interface ScheduleOptions {
  profile?: Profile;
  /** Random source for tie-breaking (Math.random by default; tests seed it). */
  random?: () => number;
  /** KubeSchedulerConfiguration's percentageOfNodesToScore; 0 or unset: adaptive, as kube's default. */
  percentageOfNodesToScore?: number;
  /** The scheduler's nextStartNodeIndex, advanced by each search (from node 0 every time without it). */
  rotation?: { nextStartNodeIndex: number };
}

/** kube's minFeasibleNodesToFind and minFeasibleNodesPercentageToFind. */
const minFeasibleNodesToFind = 100;
const minFeasibleNodesPercentageToFind = 5;

/** numFeasibleNodesToFind: how many feasible nodes a search stops at. */
export function numFeasibleNodesToFind(numAllNodes: number, percentageOfNodesToScore = 0): number {
  if (numAllNodes < minFeasibleNodesToFind) return numAllNodes;
  let percentage = percentageOfNodesToScore;
  if (percentage <= 0) percentage = Math.max(minFeasibleNodesPercentageToFind, 50 - Math.trunc(numAllNodes / 125));
  return Math.max(minFeasibleNodesToFind, Math.trunc((numAllNodes * percentage) / 100));
}

/** The filters of every plugin for this pod, or the PreFilter status that rejects it. */
export function prepareFilters(cycle: Cycle, profile: Profile = defaultProfile): NodeFilter[] | Status {
  const filters: NodeFilter[] = [];
  for (const plugin of profile.filters) {
    const prepared = plugin.preFilter(cycle);
    if (isStatus(prepared)) return prepared;
    if (prepared) filters.push(prepared);
  }
  return filters;
}

/** RunFilterPlugins: the first rejection, in plugin order. */
export function runFilters(filters: NodeFilter[], node: NodeInfo): Status | undefined {
  for (const filter of filters) {
    const status = filter(node);
    if (status) return status;
  }
  return undefined;
}

export function schedulePod(snapshot: Snapshot, pod: PodInfo, opts: ScheduleOptions = {}): ScheduleResult {
  const profile = opts.profile ?? defaultProfile;
  const nodes = snapshot.nodes;
  const cycle: Cycle = { pod, snapshot };
  const filters = prepareFilters(cycle, profile);
  if (isStatus(filters)) {
    const statuses = new Map(nodes.map((n) => [n.name, filters]));
    return { fitError: { numAllNodes: nodes.length, preFilterMsg: filters.reasons.join(', '), statuses } };
  }
  // A pod that preemption nominated to a node tries that node first (evaluateNominatedNode).
  const nominated = pod.pod.status?.nominatedNodeName;
  const nominatedNode = nominated ? snapshot.get(nominated) : undefined;
  if (nominatedNode && !runFilters(filters, nominatedNode)) return { nodeName: nominatedNode.name, evaluatedNodes: 1, feasibleNodes: 1 };

  const statuses = new Map<string, Status>();
  const feasible: NodeInfo[] = [];
  const wanted = numFeasibleNodesToFind(nodes.length, opts.percentageOfNodesToScore);
  const start = nodes.length ? (opts.rotation?.nextStartNodeIndex ?? 0) % nodes.length : 0;
  let processed = 0;
  while (processed < nodes.length && feasible.length < wanted) {
    const node = nodes[(start + processed++) % nodes.length];
    const status = runFilters(filters, node);
    if (status) statuses.set(node.name, status);
    else feasible.push(node);
  }
  if (opts.rotation && nodes.length) opts.rotation.nextStartNodeIndex = (start + processed) % nodes.length;
  if (feasible.length === 0) return { fitError: { numAllNodes: nodes.length, statuses } };
  if (feasible.length === 1) return { nodeName: feasible[0].name, evaluatedNodes: processed, feasibleNodes: 1 };
  const totals = scoreNodes(cycle, feasible, profile);
  return { nodeName: selectHost(feasible, totals, opts.random ?? Math.random), evaluatedNodes: processed, feasibleNodes: feasible.length };
}

/** RunScorePlugins: each plugin's normalized score times its weight, summed per node. */
export function scoreNodes(cycle: Cycle, feasible: NodeInfo[], profile: Profile = defaultProfile): number[] {
  const totals = feasible.map(() => 0);
  for (const plugin of profile.scores) {
    const scorer = plugin.preScore(cycle, feasible);
    if (!scorer) continue;
    const scores = feasible.map((n) => scorer.score(n));
    scorer.normalize?.(scores, feasible);
    for (let i = 0; i < totals.length; i++) totals[i] += scores[i] * plugin.weight;
  }
  return totals;
}

/** selectHost: the highest total; among equals each is equally likely (reservoir sampling). */
export function selectHost(nodes: NodeInfo[], totals: number[], random: () => number = Math.random): string {
  let best = 0;
  let ties = 1;
  for (let i = 1; i < nodes.length; i++) {
    if (totals[i] > totals[best]) {
      best = i;
      ties = 1;
    } else if (totals[i] === totals[best]) {
      ties++;
      if (random() * ties < 1) best = i;
    }
  }
  return nodes[best].name;
}

export const noNodeAvailableMsg = (n: number) => `0/${n} nodes are available`;

/** FitError.Error() as in kube-scheduler 1.32. */
export function fitErrorMessage(err: FitError): string {
  let msg = `${noNodeAvailableMsg(err.numAllNodes)}:`;
  if (err.preFilterMsg) msg += ` ${err.preFilterMsg}.`;
  else {
    const histogram = new Map<string, number>();
    for (const status of err.statuses.values()) for (const reason of status.reasons) histogram.set(reason, (histogram.get(reason) ?? 0) + 1);
    // Sorted as whole strings, count first — as Go's sort.Strings does ("10 ..." before "2 ...").
    const parts = [...histogram].map(([reason, n]) => `${n} ${reason}`).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (parts.length) msg += ` ${parts.join(', ')}.`;
  }
  if (err.postFilterMsg) msg += ` ${err.postFilterMsg}`;
  return msg;
}
