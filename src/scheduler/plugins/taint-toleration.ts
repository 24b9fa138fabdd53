// TaintToleration: Filter rejects a node with a NoSchedule/NoExecute taint the pod does not
// tolerate; Score prefers nodes with fewer untolerated PreferNoSchedule taints (weight 3).
import { defaultNormalize, unresolvable, type FilterPlugin, type ScorePlugin } from '../framework.ts';
import type { Taint, Toleration } from '../types.ts';

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

export const taintToleration: FilterPlugin & ScorePlugin = {
  name: 'TaintToleration',
  weight: 3,
  preFilter({ pod }) {
    const tolerations = pod.pod.spec?.tolerations ?? [];
    return (node) => {
      const taint = node.taints.find((t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerated(tolerations, t));
      if (!taint) return undefined;
      return unresolvable('TaintToleration', `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`);
    };
  },
  preScore({ pod }) {
    // Only tolerations that can apply to PreferNoSchedule count (getAllTolerationPreferNoSchedule).
    const tolerations = (pod.pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
    return {
      score: (node) => node.taints.filter((t) => t.effect === 'PreferNoSchedule' && !tolerated(tolerations, t)).length,
      normalize: (scores) => defaultNormalize(scores, true),
    };
  },
};
