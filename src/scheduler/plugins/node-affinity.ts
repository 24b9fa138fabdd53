// NodeAffinity: Filter applies spec.nodeSelector and the required node affinity (terms
// ORed, expressions ANDed, operators In/NotIn/Exists/DoesNotExist/Gt/Lt, matchFields on
// metadata.name); Score sums the weights of the preferred terms a node matches (weight 2).
import { defaultNormalize, unresolvable, type FilterPlugin, type ScorePlugin } from '../framework.ts';
import type { NodeInfo } from '../node-info.ts';
import type { NodeSelectorRequirement, NodeSelectorTerm, Pod } from '../types.ts';

export const errReasonNodeAffinity = "node(s) didn't match Pod's node affinity/selector";

/** A label requirement (labels.Requirement.Matches, with Gt/Lt comparing integers). */
function requirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In': return value !== undefined && values.includes(value);
    case 'NotIn': return value === undefined || !values.includes(value);
    case 'Exists': return value !== undefined;
    case 'DoesNotExist': return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || values.length !== 1) return false;
      if (!/^-?\d+$/.test(value) || !/^-?\d+$/.test(values[0])) return false;
      const [have, want] = [BigInt(value), BigInt(values[0])];
      return r.operator === 'Gt' ? have > want : have < want;
    }
    default: return false;
  }
}

/** A term with neither expressions nor fields selects nothing. */
export function termMatches(term: NodeSelectorTerm, node: Pick<NodeInfo, 'name' | 'labels'>): boolean {
  const expressions = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (expressions.length === 0 && fields.length === 0) return false;
  if (!expressions.every((r) => requirementMatches(r, node.labels[r.key]))) return false;
  // metadata.name is the only field a node selector term may name.
  return fields.every((r) => r.key === 'metadata.name' && requirementMatches(r, node.name));
}

/** helper.PodMatchesNodeSelectorAndAffinityTerms. */
export function podMatchesNodeSelectorAndAffinity(pod: Pod, node: Pick<NodeInfo, 'name' | 'labels'>): boolean {
  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {})) if (node.labels[k] !== v) return false;
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return true;
  return (required.nodeSelectorTerms ?? []).some((t) => termMatches(t, node));
}

export const nodeAffinity: FilterPlugin & ScorePlugin = {
  name: 'NodeAffinity',
  weight: 2,
  preFilter({ pod }) {
    const spec = pod.pod.spec ?? {};
    if (!spec.nodeSelector && !spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution) return undefined;
    return (node) => (podMatchesNodeSelectorAndAffinity(pod.pod, node) ? undefined : unresolvable('NodeAffinity', errReasonNodeAffinity));
  },
  preScore({ pod }) {
    const preferred = (pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [])
      .filter((t) => t.weight !== 0);
    if (preferred.length === 0) return undefined;
    return {
      score: (node) => preferred.reduce((sum, t) => sum + (termMatches(t.preference, node) ? t.weight : 0), 0),
      normalize: (scores) => defaultNormalize(scores, false),
    };
  },
};
