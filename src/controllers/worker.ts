// The controllers as a kubelite worker (see workers/types.ts): the runtime gives them a
// client and options, in a worker thread by default or in-process for
// `kubelite controllers --kubeconfig F`. Options: see options.ts (`controllers`,
// `nodeMonitorGracePeriodSeconds`, ...).
import type { RunningWorker, WorkerContext } from '../workers/types.ts';
import { controllerDefinitions, startControllerManager } from './index.ts';

export async function start(ctx: WorkerContext): Promise<RunningWorker> {
  const manager = await startControllerManager({ client: ctx.client, log: ctx.log, options: ctx.options, definitions: controllerDefinitions });
  return { stop: () => manager.stop() };
}
