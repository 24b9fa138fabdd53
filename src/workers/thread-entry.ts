// Inside a worker thread: start the named worker against the API, tell the parent when it is
// ready, and on { type: 'stop' } stop and exit 0. A failure to
// start exits 1; the parent logs it and starts the thread again with backoff.
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger } from '../log.ts';
import { runWorkerInProcess } from './in-process.ts';
import { answerMetrics, isMetricsRequest } from './metrics-rpc.ts';
import type { RunningWorker, WorkerConnection, WorkerName } from './types.ts';

export interface ThreadData {
  entry: string;
  name: WorkerName;
  connection: WorkerConnection;
  options: Record<string, unknown>;
  logLevel: string;
}

const data = workerData as ThreadData;
const port = parentPort!;
const log = createLogger(data.logLevel);
let running: RunningWorker | undefined;
let stopping = false;

async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  try {
    await running?.stop();
  } catch (err) {
    log.error({ err, worker: data.name }, 'worker: stop failed');
  }
  port.postMessage({ type: 'stopped' });
  process.exit(0);
}

port.on('message', (msg: unknown) => {
  if ((msg as { type?: string } | null)?.type === 'stop') void stop();
  else if (isMetricsRequest(msg)) void answerMetrics(port, msg);
});

try {
  running = await runWorkerInProcess(data.name, { connection: data.connection, options: data.options, log });
  if (stopping) await running.stop();
  else port.postMessage({ type: 'ready' });
} catch (err) {
  log.error({ err, worker: data.name }, 'worker: start failed');
  process.exit(1);
}
