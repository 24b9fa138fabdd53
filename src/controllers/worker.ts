// The controllers as a kubelite worker (see workers/types.ts): the runtime gives them a
// client and options, in a worker thread by default or in-process for
// `kubelite controllers --kubeconfig F`. Options: see options.ts (`controllers`,
// `nodeMonitorGracePeriodSeconds`, ...), and `leaderElection` to run only while holding the
// kube-system/kube-controller-manager Lease, as kube-controller-manager does.
import { leaderElectionOption, runWithLeaderElection } from '../workers/leader-election.ts';
import type { RunningWorker, WorkerContext } from '../workers/types.ts';
import { controllerDefinitions, startControllerManager } from './index.ts';

export async function start(ctx: WorkerContext): Promise<RunningWorker> {
  const run = async (): Promise<RunningWorker> => {
    const manager = await startControllerManager({ client: ctx.client, log: ctx.log, options: ctx.options, definitions: controllerDefinitions });
    return { stop: () => manager.stop() };
  };
  const election = leaderElectionOption(ctx.options.leaderElection, 'kube-controller-manager');
  return election ? runWithLeaderElection(ctx.client, election, ctx.log, run) : run();
}
