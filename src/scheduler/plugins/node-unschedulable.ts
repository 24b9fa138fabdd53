// NodeUnschedulable: a cordoned node (spec.unschedulable) takes only pods that tolerate
// the node.kubernetes.io/unschedulable:NoSchedule taint.
import { unresolvable, type FilterPlugin } from '../framework.ts';
import { taintNodeUnschedulable } from '../../api/core-v1.ts';
import { toleratesTaint } from './taint-toleration.ts';

export const errReasonUnschedulable = 'node(s) were unschedulable';

export const nodeUnschedulable: FilterPlugin = {
  name: 'NodeUnschedulable',
  preFilter({ pod }) {
    const tolerations = pod.pod.spec?.tolerations ?? [];
    const tolerated = tolerations.some((t) => toleratesTaint(t, { key: taintNodeUnschedulable, effect: 'NoSchedule' }));
    if (tolerated) return undefined;
    return (node) => (node.node?.spec?.unschedulable ? unresolvable('NodeUnschedulable', errReasonUnschedulable) : undefined);
  },
};
