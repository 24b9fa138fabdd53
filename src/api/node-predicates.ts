// The pure pod-to-node predicates both the scheduler's plugins and the DaemonSet and taint
// eviction controllers apply, as k8s.io/component-helpers/scheduling/corev1 shares them in
// kube: Toleration.ToleratesTaint, and the node selector plus required node affinity
// (terms ORed, expressions ANDed, operators In/NotIn/Exists/DoesNotExist/Gt/Lt, matchFields
// on metadata.name).
import type { NodeSelectorRequirement, NodeSelectorTerm, Pod, Taint, Toleration } from './core-v1.ts';

/** What a node predicate reads of a node: its name and labels. */
export interface NodeNameAndLabels {
  name: string;
  labels: Record<string, string>;
}

/** Toleration.ToleratesTaint. */
export function toleratesTaint(t: Toleration, taint: Pick<Taint, 'key' | 'value' | 'effect'>): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? 'Equal') {
    case 'Exists': return true;
    case 'Equal': return (t.value ?? '') === (taint.value ?? '');
    default: return false;
  }
}

export function tolerated(tolerations: Toleration[], taint: Taint): boolean {
  return tolerations.some((t) => toleratesTaint(t, taint));
}

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
export function termMatches(term: NodeSelectorTerm, node: NodeNameAndLabels): boolean {
  const expressions = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (expressions.length === 0 && fields.length === 0) return false;
  if (!expressions.every((r) => requirementMatches(r, node.labels[r.key]))) return false;
  // metadata.name is the only field a node selector term may name.
  return fields.every((r) => r.key === 'metadata.name' && requirementMatches(r, node.name));
}

/** helper.PodMatchesNodeSelectorAndAffinityTerms. */
export function podMatchesNodeSelectorAndAffinity(pod: Pod, node: NodeNameAndLabels): boolean {
  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {})) if (node.labels[k] !== v) return false;
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return true;
  return (required.nodeSelectorTerms ?? []).some((t) => termMatches(t, node));
}
