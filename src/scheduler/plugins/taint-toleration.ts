// TaintToleration: Filter rejects a node with a NoSchedule/NoExecute taint the pod does not
// tolerate; Score prefers nodes with fewer untolerated PreferNoSchedule taints (weight 3).
import { defaultNormalize, unresolvable, type FilterPlugin, type ScorePlugin } from '../framework.ts';
import { tolerated, toleratesTaint } from '../../api/node-predicates.ts';

export { tolerated, toleratesTaint };

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
