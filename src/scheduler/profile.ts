// The default profile: kube-scheduler 1.32's plugins in its order (filters stop at the first
// plugin that rejects a node, so the order decides which reason a node reports) and its
// score weights. VolumeBinding is added by the scheduler over its claim, volume and class
// informers (plugins/volume-binding.ts); the other volume plugins and ImageLocality are left
// out: kubelite's nodes have no volume limits or zones to check and report no images.
import type { FilterPlugin, ScorePlugin } from './framework.ts';
import { interPodAffinity } from './plugins/inter-pod-affinity.ts';
import { nodeAffinity } from './plugins/node-affinity.ts';
import { nodePorts } from './plugins/node-ports.ts';
import { nodeResourcesBalancedAllocation, nodeResourcesFit } from './plugins/node-resources-fit.ts';
import { nodeUnschedulable } from './plugins/node-unschedulable.ts';
import { podTopologySpread } from './plugins/pod-topology-spread.ts';
import { taintToleration } from './plugins/taint-toleration.ts';

export interface Profile {
  filters: FilterPlugin[];
  scores: ScorePlugin[];
}

export const defaultProfile: Profile = {
  filters: [nodeUnschedulable, taintToleration, nodeAffinity, nodePorts, nodeResourcesFit, podTopologySpread, interPodAffinity],
  scores: [taintToleration, nodeAffinity, nodeResourcesFit, podTopologySpread, interPodAffinity, nodeResourcesBalancedAllocation],
};
