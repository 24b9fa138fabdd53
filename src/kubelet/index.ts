// The simulated kubelet: nodes, leases and pod lifecycles driven by stage bundles, and each
// node's kubelet API (src/kubelet/api/), which the API server reaches over HTTPS.
export { startKubelets, defaultNodes, type KubeletsOptions, type RunningKubelets } from './kubelets.ts';
export { start as startKubeletWorker, type KubeletWorkerOptions } from './worker.ts';
export { kubeletVersion, nodeObject, nodeStatus, resolveNode, type NodeConfig, type NodeTaint } from './node.ts';
export { RuntimeError, type ContainerRuntime, type ContainerStreams, type LogRequest } from './container-runtime.ts';
export { startKubeletServer, type KubeletServer, type KubeletServerOptions } from './api/server.ts';
export { LogStore, type LogOptions } from './logs.ts';
export { SimulatedRuntime } from './runtime/index.ts';
export { StageEngine, type StagePlan } from './stage-engine.ts';
export { defaultStageBundle, loadStageBundle, parseStageBundle, stagesDir } from './stage-load.ts';
export { annotations as kubeliteAnnotations, type PodContext } from './pod-functions.ts';
export type { Stage, StageDelay, StageNext, StageSelector } from './stage-types.ts';
