// PodTopologySpread: Filter enforces the pod's DoNotSchedule constraints (skew = pods in
// the node's domain + self − the emptiest domain ≤ maxSkew); Score favours the domains with
// fewer matching pods for ScheduleAnyway constraints (weight 2). A pod without constraints
// of its own gets kube's system defaults — maxSkew 3 over kubernetes.io/hostname and 5
// over topology.kubernetes.io/zone — selecting the pods of its controller: kube derives
// that selector from the owning ReplicaSet/StatefulSet/Service, here the controller's uid.
import { labelMatcher } from '../../client/index.ts';
import { maxNodeScore, unresolvable, unschedulable, type Cycle, type FilterPlugin, type ScorePlugin } from '../framework.ts';
import type { NodeInfo, PodInfo } from '../node-info.ts';
import { labelHostname, labelTopologyZone, type TopologySpreadConstraint } from '../../api/core-v1.ts';
import { podMatchesNodeSelectorAndAffinity } from './node-affinity.ts';
import { tolerated } from './taint-toleration.ts';

export const errReasonConstraintsNotMatch = "node(s) didn't match pod topology spread constraints";
export const errReasonNodeLabelNotMatch = `${errReasonConstraintsNotMatch} (missing required label)`;

interface Constraint {
  maxSkew: number;
  topologyKey: string;
  minDomains: number;
  nodeAffinityPolicy: 'Honor' | 'Ignore';
  nodeTaintsPolicy: 'Honor' | 'Ignore';
  /** Does an existing (same-namespace, not terminating) pod count? */
  selects: (p: PodInfo) => boolean;
  /** Set for the system default constraints: count by controller instead of by selector. */
  controllerUid?: string;
}

export const systemDefaultConstraints = [
  { maxSkew: 3, topologyKey: labelHostname },
  { maxSkew: 5, topologyKey: labelTopologyZone },
];

function userConstraint(pod: PodInfo, c: TopologySpreadConstraint): Constraint {
  // matchLabelKeys: the pod's own values for these keys narrow the selector.
  const matchExpressions = [...(c.labelSelector?.matchExpressions ?? [])];
  for (const key of c.matchLabelKeys ?? []) {
    if (key in pod.labels) matchExpressions.push({ key, operator: 'In', values: [pod.labels[key]] });
  }
  const match = c.labelSelector ? labelMatcher({ matchLabels: c.labelSelector.matchLabels, matchExpressions }) : () => false;
  return {
    maxSkew: c.maxSkew,
    topologyKey: c.topologyKey,
    minDomains: c.minDomains ?? 1,
    nodeAffinityPolicy: c.nodeAffinityPolicy ?? 'Honor',
    nodeTaintsPolicy: c.nodeTaintsPolicy ?? 'Ignore',
    selects: (p) => p.namespace === pod.namespace && !p.terminating && match(p.labels),
  };
}

function defaultConstraints(pod: PodInfo): Constraint[] {
  const uid = pod.controllerUid;
  if (!uid) return []; // an empty default selector: no spreading
  return systemDefaultConstraints.map(({ maxSkew, topologyKey }) => ({
    maxSkew, topologyKey, minDomains: 1, nodeAffinityPolicy: 'Honor', nodeTaintsPolicy: 'Ignore',
    selects: (p: PodInfo) => p.controllerUid === uid && !p.terminating,
    controllerUid: uid,
  }));
}

function constraintsOf(pod: PodInfo, when: TopologySpreadConstraint['whenUnsatisfiable']): Constraint[] {
  const own = pod.pod.spec?.topologySpreadConstraints ?? [];
  return own.filter((c) => c.whenUnsatisfiable === when).map((c) => userConstraint(pod, c));
}

function countOn(c: Constraint, node: NodeInfo): number {
  if (c.controllerUid) return node.controllerCounts.get(c.controllerUid) ?? 0;
  let n = 0;
  for (const p of node.pods.values()) if (c.selects(p)) n++;
  return n;
}

const hasAllKeys = (node: NodeInfo, cs: Constraint[]) => cs.every((c) => c.topologyKey in node.labels);

/** matchNodeInclusionPolicies: does this node's domain count for the constraint? */
function includes(c: Constraint, cycle: Cycle, node: NodeInfo): boolean {
  if (c.nodeAffinityPolicy === 'Honor' && !podMatchesNodeSelectorAndAffinity(cycle.pod.pod, node)) return false;
  if (c.nodeTaintsPolicy === 'Honor') {
    const tolerations = cycle.pod.pod.spec?.tolerations ?? [];
    if (node.taints.some((t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerated(tolerations, t))) return false;
  }
  return true;
}

const pair = (key: string, value: string) => `${key}\u0000${value}`;

export const podTopologySpread: FilterPlugin & ScorePlugin = {
  name: 'PodTopologySpread',
  weight: 2,
  preFilter(cycle) {
    const constraints = constraintsOf(cycle.pod, 'DoNotSchedule');
    if (constraints.length === 0) return undefined;
    const counts = new Map<string, number>();
    for (const node of cycle.snapshot.nodes) {
      if (!hasAllKeys(node, constraints)) continue;
      for (const c of constraints) {
        if (!includes(c, cycle, node)) continue;
        const key = pair(c.topologyKey, node.labels[c.topologyKey]);
        counts.set(key, (counts.get(key) ?? 0) + countOn(c, node));
      }
    }
    // Per constraint: how many domains exist, and the fewest matching pods in one of them.
    const domains = constraints.map((c) => {
      const prefix = pair(c.topologyKey, '');
      const inKey = [...counts].filter(([k]) => k.startsWith(prefix)).map(([, n]) => n);
      return { count: inKey.length, min: inKey.length ? Math.min(...inKey) : 0 };
    });
    return (node) => {
      for (const [i, c] of constraints.entries()) {
        const value = node.labels[c.topologyKey];
        if (value === undefined) return unresolvable('PodTopologySpread', errReasonNodeLabelNotMatch);
        const minMatch = domains[i].count < c.minDomains ? 0 : domains[i].min;
        const self = c.selects(cycle.pod) ? 1 : 0;
        const skew = (counts.get(pair(c.topologyKey, value)) ?? 0) + self - minMatch;
        if (skew > c.maxSkew) return unschedulable('PodTopologySpread', errReasonConstraintsNotMatch);
      }
      return undefined;
    };
  },
  preScore(cycle, filtered) {
    const own = cycle.pod.pod.spec?.topologySpreadConstraints ?? [];
    const constraints = own.length ? constraintsOf(cycle.pod, 'ScheduleAnyway') : defaultConstraints(cycle.pod);
    if (constraints.length === 0 || filtered.length === 0) return undefined;
    // System defaults do not require every node to carry every topology key.
    const requireAll = own.length > 0;
    const ignored = new Set<string>();
    const counts = new Map<string, number>();
    const sizes = constraints.map(() => 0);
    for (const node of filtered) {
      if (requireAll && !hasAllKeys(node, constraints)) {
        ignored.add(node.name);
        continue;
      }
      for (const [i, c] of constraints.entries()) {
        if (c.topologyKey === labelHostname) continue; // counted per node in score()
        const key = pair(c.topologyKey, node.labels[c.topologyKey] ?? '');
        if (!counts.has(key)) {
          counts.set(key, 0);
          sizes[i]++;
        }
      }
    }
    const weights = constraints.map((c, i) => Math.log((c.topologyKey === labelHostname ? filtered.length - ignored.size : sizes[i]) + 2));
    for (const node of cycle.snapshot.nodes) {
      if (requireAll && !hasAllKeys(node, constraints)) continue;
      for (const c of constraints) {
        if (c.topologyKey === labelHostname || !includes(c, cycle, node)) continue;
        const key = pair(c.topologyKey, node.labels[c.topologyKey] ?? '');
        if (counts.has(key)) counts.set(key, counts.get(key)! + countOn(c, node));
      }
    }
    return {
      score(node) {
        if (ignored.has(node.name)) return 0;
        let s = 0;
        for (const [i, c] of constraints.entries()) {
          const value = node.labels[c.topologyKey];
          if (value === undefined) continue;
          const cnt = c.topologyKey === labelHostname ? countOn(c, node) : counts.get(pair(c.topologyKey, value)) ?? 0;
          s += cnt * weights[i] + (c.maxSkew - 1);
        }
        return Math.round(s);
      },
      normalize(scores, nodes) {
        let min = Infinity;
        let max = 0;
        nodes.forEach((n, i) => {
          if (ignored.has(n.name)) return;
          min = Math.min(min, scores[i]);
          max = Math.max(max, scores[i]);
        });
        nodes.forEach((n, i) => {
          if (ignored.has(n.name)) scores[i] = 0;
          else if (max === 0) scores[i] = maxNodeScore;
          else scores[i] = Math.trunc((maxNodeScore * (max + min - scores[i])) / max);
        });
      },
    };
  },
};
