// Runs a worker in a worker_threads Worker and keeps it running: a thread that crashes or
// exits is logged and started again after a backoff (1 s doubling to 30 s, reset once a
// thread has run for a minute). stop() asks the thread to stop (message → worker stops its
// informers and queues → thread exits 0) and terminates it if it takes too long.
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { createLogger } from '../log.ts';
import { runWorkerInProcess } from './in-process.ts';
import { threadStartUrl, workerModuleUrl } from './modules.ts';
import { addRemoteSource } from '../metrics/remote.ts';
import { isMetricsResponse, WorkerMetricsClient } from './metrics-rpc.ts';
import type { ThreadData } from './thread-entry.ts';
import type { RunningWorker, WorkerConnection, WorkerName } from './types.ts';

export interface StartWorkerOptions {
  connection: WorkerConnection;
  /** The worker's own options (JSON): for the kubelet, KubeletWorkerOptions. */
  options?: Record<string, unknown>;
  log?: Logger;
  /** Run in this thread instead of a worker thread (no restarts: errors propagate). */
  inProcess?: boolean;
  backoff?: { initialMs: number; maxMs: number };
  /** How long stop() waits for a clean exit before terminating the thread (default 5 s, so that
   *  SIGTERM ends kubelite within the 10 s a container runtime gives before SIGKILL). */
  stopTimeoutMs?: number;
  /** Resolve only once the worker reported ready (default true); false returns at once (see `ready`). */
  waitForReady?: boolean;
}

export interface WorkerHandle extends RunningWorker {
  name: WorkerName;
  /** The current thread (undefined while restarting or in-process). */
  readonly thread: Worker | undefined;
  /** Times the thread was started again after a failure. */
  readonly restarts: number;
  /** Resolves when a thread first reported ready. */
  ready: Promise<void>;
}

const threadStart = threadStartUrl();
const entry = workerModuleUrl('thread').href;
/** A thread that ran this long before failing starts again without backoff. */
const stableAfterMs = 60_000;

/**
 * Starts a worker (in a thread by default) and resolves once it is ready; until then failures
 * are retried with backoff like later ones (the API server may not be up yet).
 */
export async function startWorker(name: WorkerName, opts: StartWorkerOptions): Promise<WorkerHandle> {
  const log = (opts.log ?? createLogger()).child({ worker: name });
  if (opts.inProcess) {
    const running = await runWorkerInProcess(name, { connection: opts.connection, options: opts.options, log: opts.log });
    return { name, thread: undefined, restarts: 0, ready: Promise.resolve(), stop: () => running.stop() };
  }
  const backoff = opts.backoff ?? { initialMs: 1000, maxMs: 30_000 };
  let delay = backoff.initialMs;
  let thread: Worker | undefined;
  let port: Worker | undefined;
  let restarts = 0;
  let stopping = false;
  let restartTimer: NodeJS.Timeout | undefined;
  let markReady: () => void;
  const ready = new Promise<void>((r) => (markReady = r));
  // The thread's work queue metrics, for the API server's /metrics in this process.
  const metrics = new WorkerMetricsClient(() => port);
  const removeMetricsSource = addRemoteSource(() => metrics.collect());

  const spawn = () => {
    const data: ThreadData = { entry, name, connection: opts.connection, options: opts.options ?? {}, logLevel: log.level };
    const worker = new Worker(threadStart, { workerData: data, name: `kubelite-${name}` });
    const startedAt = Date.now();
    thread = worker;
    worker.on('message', (msg: unknown) => {
      if (isMetricsResponse(msg)) return metrics.handle(msg);
      if ((msg as { type?: string } | null)?.type === 'ready') {
        port = worker;
        log.info('worker ready');
        markReady();
      }
    });
    worker.on('error', (err) => log.error({ err }, 'worker thread failed'));
    worker.on('exit', (code) => {
      if (thread === worker) thread = undefined;
      if (port === worker) port = undefined;
      metrics.disconnect();
      if (stopping) return;
      if (Date.now() - startedAt >= stableAfterMs) delay = backoff.initialMs;
      log.error({ code, restartInMs: delay }, 'worker thread exited; restarting');
      restartTimer = setTimeout(() => {
        restarts++;
        spawn();
      }, delay);
      delay = Math.min(delay * 2, backoff.maxMs);
    });
  };

  spawn();
  const handle: WorkerHandle = {
    name,
    get thread() {
      return thread;
    },
    get restarts() {
      return restarts;
    },
    ready,
    async stop() {
      stopping = true;
      removeMetricsSource();
      clearTimeout(restartTimer);
      const worker = thread;
      if (!worker) return;
      const exited = new Promise<void>((r) => worker.once('exit', () => r()));
      worker.postMessage({ type: 'stop' });
      const timeout = setTimeout(() => {
        log.warn('worker did not stop in time; terminating its thread');
        void worker.terminate();
      }, opts.stopTimeoutMs ?? 5_000);
      await exited;
      clearTimeout(timeout);
    },
  };
  if (opts.waitForReady !== false) await ready;
  return handle;
}
