// InterPodAffinity: Filter enforces the pod's required affinity and anti-affinity and the
// required anti-affinity of pods already placed, per topology domain (topologyKey = node
// label); Score adds preferred (anti-)affinity weights both ways, plus existing pods'
// required affinity at hardPodAffinityWeight 1 (weight 2). PreFilter counts matching pods
// per (topologyKey, value) once, so each node is then checked in O(its labels).
import { maxNodeScore, unresolvable, unschedulable, type FilterPlugin, type ScorePlugin } from '../framework.ts';
import { termMatches, type AffinityTerm, type NodeInfo, type PodInfo } from '../node-info.ts';

export const errReasonAffinity = "node(s) didn't match pod affinity rules";
export const errReasonAntiAffinity = "node(s) didn't match pod anti-affinity rules";
export const errReasonExistingAntiAffinity = "node(s) didn't satisfy existing pods anti-affinity rules";

const hardPodAffinityWeight = 1;

type Counts = Map<string, number>;
const pair = (key: string, value: string) => `${key}\u0000${value}`;
const bump = (counts: Counts, key: string, by = 1) => counts.set(key, (counts.get(key) ?? 0) + by);

export const interPodAffinity: FilterPlugin & ScorePlugin = {
  name: 'InterPodAffinity',
  weight: 2,
  preFilter({ pod, snapshot }) {
    const ns = (n: string) => snapshot.namespaceLabels(n);
    const existingAnti: Counts = new Map();
    for (const node of snapshot.nodes) {
      for (const existing of node.podsWithRequiredAntiAffinity) {
        for (const term of existing.requiredAntiAffinity) {
          const value = node.labels[term.topologyKey];
          if (value !== undefined && termMatches(term, pod, ns)) bump(existingAnti, pair(term.topologyKey, value));
        }
      }
    }
    const affinityCounts: Counts = new Map();
    const antiCounts: Counts = new Map();
    if (pod.requiredAffinity.length || pod.requiredAntiAffinity.length) {
      for (const node of snapshot.nodes) {
        for (const existing of node.pods.values()) {
          if (pod.requiredAffinity.length && pod.requiredAffinity.every((t) => termMatches(t, existing, ns))) {
            for (const t of pod.requiredAffinity) {
              const value = node.labels[t.topologyKey];
              if (value !== undefined) bump(affinityCounts, pair(t.topologyKey, value));
            }
          }
          for (const t of pod.requiredAntiAffinity) {
            const value = node.labels[t.topologyKey];
            if (value !== undefined && termMatches(t, existing, ns)) bump(antiCounts, pair(t.topologyKey, value));
          }
        }
      }
    }
    if (existingAnti.size === 0 && !pod.requiredAffinity.length && !pod.requiredAntiAffinity.length) return undefined;
    const matchesOwnTerms = pod.requiredAffinity.every((t) => termMatches(t, pod, ns));

    return (node) => {
      if (pod.requiredAffinity.length && !satisfiesAffinity(pod.requiredAffinity, node, affinityCounts, matchesOwnTerms)) {
        return unresolvable('InterPodAffinity', errReasonAffinity);
      }
      for (const t of pod.requiredAntiAffinity) {
        const value = node.labels[t.topologyKey];
        if (value !== undefined && (antiCounts.get(pair(t.topologyKey, value)) ?? 0) > 0) return unschedulable('InterPodAffinity', errReasonAntiAffinity);
      }
      if (existingAnti.size) {
        for (const [key, value] of Object.entries(node.labels)) {
          if ((existingAnti.get(pair(key, value)) ?? 0) > 0) return unschedulable('InterPodAffinity', errReasonExistingAntiAffinity);
        }
      }
      return undefined;
    };
  },
  preScore({ pod, snapshot }) {
    const ns = (n: string) => snapshot.namespaceLabels(n);
    const incomingPreferred = pod.preferredAffinity.length + pod.preferredAntiAffinity.length > 0;
    if (!incomingPreferred && !snapshot.nodes.some((n) => n.podsWithAffinity.size > 0)) return undefined;
    // topologyKey → topology value → score.
    const topologyScore = new Map<string, Map<string, number>>();
    const add = (node: NodeInfo, key: string, weight: number) => {
      const value = node.labels[key];
      if (value === undefined || weight === 0) return;
      let byValue = topologyScore.get(key);
      if (!byValue) topologyScore.set(key, (byValue = new Map()));
      byValue.set(value, (byValue.get(value) ?? 0) + weight);
    };
    const processExisting = (node: NodeInfo, existing: PodInfo) => {
      for (const t of pod.preferredAffinity) if (termMatches(t, existing, ns)) add(node, t.topologyKey, t.weight);
      for (const t of pod.preferredAntiAffinity) if (termMatches(t, existing, ns)) add(node, t.topologyKey, -t.weight);
      for (const t of existing.requiredAffinity) if (termMatches(t, pod, ns)) add(node, t.topologyKey, hardPodAffinityWeight);
      for (const t of existing.preferredAffinity) if (termMatches(t, pod, ns)) add(node, t.topologyKey, t.weight);
      for (const t of existing.preferredAntiAffinity) if (termMatches(t, pod, ns)) add(node, t.topologyKey, -t.weight);
    };
    for (const node of snapshot.nodes) {
      const pods = incomingPreferred ? node.pods.values() : node.podsWithAffinity.values();
      for (const existing of pods) processExisting(node, existing);
    }
    if (topologyScore.size === 0) return undefined;
    return {
      score(node) {
        let s = 0;
        for (const [key, byValue] of topologyScore) {
          const value = node.labels[key];
          if (value !== undefined) s += byValue.get(value) ?? 0;
        }
        return s;
      },
      normalize(scores) {
        const min = Math.min(...scores);
        const diff = Math.max(...scores) - min;
        for (let i = 0; i < scores.length; i++) scores[i] = diff > 0 ? Math.trunc((maxNodeScore * (scores[i] - min)) / diff) : 0;
      },
    };
  },
};

/** satisfyPodAffinity, with kube's allowance for the first pod of a group that selects itself. */
function satisfiesAffinity(terms: AffinityTerm[], node: NodeInfo, counts: Counts, matchesOwnTerms: boolean): boolean {
  let podsExist = true;
  for (const t of terms) {
    const value = node.labels[t.topologyKey];
    if (value === undefined) return false; // every topology label must exist on the node
    if ((counts.get(pair(t.topologyKey, value)) ?? 0) <= 0) podsExist = false;
  }
  return podsExist || (counts.size === 0 && matchesOwnTerms);
}
