// The scheduler package: startScheduler for the worker, and the scheduling core (cache,
// plugins, schedulePod, preemption, messages) for tests and tools.
export { SchedulerCache, withNodeInfo, type Snapshot } from './cache.ts';
export { EventRecorder } from './events.ts';
export { defaultNormalize, maxNodeScore, type Cycle, type FilterPlugin, type NodeFilter, type NodeScorer, type ScorePlugin, type Status, type StatusCode } from './framework.ts';
export { effectiveTaints, newPodInfo, NodeInfo, termMatches, type AffinityTerm, type HostPort, type PodInfo } from './node-info.ts';
export { interPodAffinity } from './plugins/inter-pod-affinity.ts';
export { nodeAffinity, podMatchesNodeSelectorAndAffinity } from './plugins/node-affinity.ts';
export { nodePorts, portsFit } from './plugins/node-ports.ts';
export { insufficientResources, leastAllocatedScore, nodeResourcesBalancedAllocation, nodeResourcesFit } from './plugins/node-resources-fit.ts';
export { nodeUnschedulable } from './plugins/node-unschedulable.ts';
export { podTopologySpread, systemDefaultConstraints } from './plugins/pod-topology-spread.ts';
export { taintToleration, toleratesTaint } from './plugins/taint-toleration.ts';
export { preempt, selectVictimsOnNode, type Candidate, type PreemptionResult } from './preemption.ts';
export { defaultProfile, type Profile } from './profile.ts';
export { SchedulingQueue, type QueuedPod } from './queue.ts';
export { nonZeroRequests, parseQuantity, podRequests, type Resources } from '../api/pod-resources.ts';
export { fitErrorMessage, numFeasibleNodesToFind, schedulePod, scoreNodes, selectHost, type FitError, type ScheduleResult } from './schedule.ts';
export { priorityClasses, startScheduler, type RunningScheduler, type SchedulerLog, type SchedulerOptions } from './scheduler.ts';
export type * from '../api/core-v1.ts';
