// Test support: a worker (kubelet, scheduler, controllers) run in the test's own thread, as
// src/workers/in-process.ts runs it, but loaded through import() calls with literal paths.
// The suite runs bundles of the test files (test/support/bundle-tests.mjs) without tsx, and a
// bundler can follow only literal paths: in-process.ts computes its module URL at run time.
import { ApiClient } from '../../src/client/index.ts';
import { createLogger } from '../../src/log.ts';
import { clientConfig, type InProcessOptions } from '../../src/workers/in-process.ts';
import type { RunningWorker, WorkerModule, WorkerName } from '../../src/workers/types.ts';

export type { RunningWorker } from '../../src/workers/types.ts';

const loaders: Record<WorkerName, () => Promise<WorkerModule>> = {
  kubelet: () => import('../../src/kubelet/worker.ts'),
  scheduler: () => import('../../src/scheduler/worker.ts'),
  controllers: () => import('../../src/controllers/worker.ts'),
};

/** runWorkerInProcess of src/workers, with the same client (unlimited qps, its user agent) and logger. */
export async function runWorkerInProcess(name: WorkerName, opts: InProcessOptions): Promise<RunningWorker> {
  const log = (opts.log ?? createLogger()).child({ worker: name });
  const client = new ApiClient(clientConfig(opts.connection), { qps: opts.qps ?? 0, burst: opts.burst ?? 0, userAgent: `kubelite-${name}/0.1.0` });
  const mod = await loaders[name]();
  const running = await mod.start({ client, log, options: opts.options ?? {} });
  return {
    async stop() {
      await running.stop();
      client.close();
    },
  };
}
