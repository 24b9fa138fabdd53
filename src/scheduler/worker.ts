// The scheduler as a kubelite worker (see workers/types.ts): the runtime gives it a client
// and options, in a worker thread by default or in-process for `kubelite scheduler`.
// Options: schedulerName (default-scheduler), qps/burst (default: use the runtime's client,
// which is not rate-limited), parallelBindings, percentageOfNodesToScore, and `leaderElection` to schedule only while
// holding the kube-system/kube-scheduler Lease, as kube-scheduler does.
import { leaderElectionOption, runWithLeaderElection } from '../workers/leader-election.ts';
import type { RunningWorker, WorkerContext } from '../workers/types.ts';
import { startScheduler } from './scheduler.ts';

const num = (v: unknown) => (typeof v === 'number' ? v : undefined);

export async function start(ctx: WorkerContext): Promise<RunningWorker> {
  const election = leaderElectionOption(ctx.options.leaderElection, 'kube-scheduler');
  return election ? runWithLeaderElection(ctx.client, election, ctx.log, () => run(ctx)) : run(ctx);
}

async function run(ctx: WorkerContext): Promise<RunningWorker> {
  const o = ctx.options;
  const scheduler = startScheduler({
    client: ctx.client,
    log: ctx.log,
    schedulerName: typeof o.schedulerName === 'string' ? o.schedulerName : undefined,
    qps: num(o.qps) ?? 0,
    burst: num(o.burst),
    parallelBindings: num(o.parallelBindings),
    percentageOfNodesToScore: num(o.percentageOfNodesToScore),
  });
  await scheduler.ready;
  return { stop: () => scheduler.stop() };
}
