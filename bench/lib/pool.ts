// A bounded closed-loop load generator: `concurrency` clients each run the next task as soon
// as their previous one answers, until `count` tasks ran or the deadline passed.

export interface PoolOptions {
  count: number;
  concurrency: number;
  /** Stop starting tasks after this long; tasks in flight still finish. */
  deadlineMs: number;
}

export interface PoolResult {
  /** One latency per completed task, in completion order (ms). */
  latenciesMs: number[];
  completed: number;
  elapsedMs: number;
  /** True when the deadline stopped the run before `count` tasks. */
  timedOut: boolean;
}

export async function runPool(opts: PoolOptions, task: (i: number) => Promise<unknown>): Promise<PoolResult> {
  const latenciesMs: number[] = [];
  const start = performance.now();
  const stopAt = start + opts.deadlineMs;
  let next = 0;
  let timedOut = false;
  let failed = false;
  const client = async () => {
    while (next < opts.count && !failed) {
      if (performance.now() > stopAt) {
        timedOut = true;
        return;
      }
      const i = next++;
      const t0 = performance.now();
      try {
        await task(i);
      } catch (err) {
        failed = true;
        throw err;
      }
      latenciesMs.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency, opts.count)) }, client));
  return { latenciesMs, completed: latenciesMs.length, elapsedMs: performance.now() - start, timedOut };
}

/** Completed tasks per second. */
export function ratePerSecond(result: PoolResult): number {
  return result.completed / (result.elapsedMs / 1000);
}
