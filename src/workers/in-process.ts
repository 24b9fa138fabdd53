// Runs a worker in the current thread: what a worker thread does inside, and what
// `kubelite kubelet --kubeconfig F --nodes N` (and `scheduler`, `controllers`) do as processes.
import type { Logger } from 'pino';
import { ApiClient, loadKubeconfig, type ClientConfig } from '../client/index.ts';
import { createLogger } from '../log.ts';
import { workerModuleUrl } from './modules.ts';
import type { RunningWorker, WorkerConnection, WorkerModule, WorkerName } from './types.ts';

/** Where each worker's module lives; each exports `start(ctx)` (see types.ts). */
export const workerModules: Record<WorkerName, URL> = {
  kubelet: workerModuleUrl('kubelet'),
  scheduler: workerModuleUrl('scheduler'),
  controllers: workerModuleUrl('controllers'),
};

export interface InProcessOptions {
  connection: WorkerConnection;
  options?: Record<string, unknown>;
  log?: Logger;
  /** Client-side rate limit; a worker is a busy client (default 0 = unlimited within the process). */
  qps?: number;
  burst?: number;
}

export function clientConfig(connection: WorkerConnection): ClientConfig {
  if ('kubeconfigPath' in connection) return loadKubeconfig(connection.kubeconfigPath, { context: connection.context });
  return { server: connection.server.replace(/\/+$/, ''), token: connection.token, insecureSkipTLSVerify: connection.insecureSkipTLSVerify, namespace: 'default' };
}

export async function runWorkerInProcess(name: WorkerName, opts: InProcessOptions): Promise<RunningWorker> {
  const url = workerModules[name];
  if (!url) throw new Error(`unknown worker "${name}"`);
  const log = (opts.log ?? createLogger()).child({ worker: name });
  const client = new ApiClient(clientConfig(opts.connection), { qps: opts.qps ?? 0, burst: opts.burst ?? 0, userAgent: `kubelite-${name}/0.1.0` });
  const mod = (await import(url.href)) as WorkerModule;
  if (typeof mod.start !== 'function') throw new Error(`worker "${name}": ${url.pathname} does not export start(ctx)`);
  const running = await mod.start({ client, log, options: opts.options ?? {} });
  return {
    async stop() {
      await running.stop();
      client.close();
    },
  };
}
