// The worker runtime: the kubelet, scheduler and controllers each in a worker thread (default)
// or in this thread (`kubelite kubelet --kubeconfig F`), as clients of the API over HTTP.
export { startWorker, type StartWorkerOptions, type WorkerHandle } from './thread.ts';
export { clientConfig, runWorkerInProcess, workerModules, type InProcessOptions } from './in-process.ts';
export type { RunningWorker, WorkerConnection, WorkerContext, WorkerModule, WorkerName } from './types.ts';
