// The contract between the worker runtime and the workers it runs (kubelet, scheduler,
// controllers): a worker module exports `start(ctx)`, gets a client for the API and its
// options (plain JSON, since they cross a thread boundary), and returns something to stop.
import type { Logger } from 'pino';
import type { ApiClient } from '../client/index.ts';

export type WorkerName = 'kubelet' | 'scheduler' | 'controllers';

/** How a worker reaches the API server: a kubeconfig file, or a URL (plus an optional bearer token). */
export type WorkerConnection =
  | { kubeconfigPath: string; context?: string }
  | { server: string; token?: string; insecureSkipTLSVerify?: boolean };

export interface WorkerContext {
  client: ApiClient;
  log: Logger;
  options: Record<string, unknown>;
}

export interface RunningWorker {
  stop(): Promise<void>;
}

export interface WorkerModule {
  start(ctx: WorkerContext): Promise<RunningWorker>;
}
