// NodeAffinity: Filter applies spec.nodeSelector and the required node affinity (terms
// ORed, expressions ANDed, operators In/NotIn/Exists/DoesNotExist/Gt/Lt, matchFields on
// metadata.name); Score sums the weights of the preferred terms a node matches (weight 2).
import { defaultNormalize, unresolvable, type FilterPlugin, type ScorePlugin } from '../framework.ts';
import { podMatchesNodeSelectorAndAffinity, termMatches } from '../../api/node-predicates.ts';

export { podMatchesNodeSelectorAndAffinity, termMatches };

export const errReasonNodeAffinity = "node(s) didn't match Pod's node affinity/selector";

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
