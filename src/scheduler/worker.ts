// The scheduler as a worker thread (or a process): `workerData` / the environment names the
// kubeconfig and the scheduler; the thread runs until it is told to stop.
//   new Worker(new URL('./scheduler/worker.ts', import.meta.url), { workerData: { kubeconfig } })
//   parentPort.postMessage('stop') → stops, then posts 'stopped'.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { ApiClient } from '../client/index.ts';
import { createLogger } from '../log.ts';
import { startScheduler } from './scheduler.ts';

export interface SchedulerWorkerData {
  kubeconfig?: string;
  schedulerName?: string;
  qps?: number;
  burst?: number;
}

const data: SchedulerWorkerData = (isMainThread ? {} : workerData) ?? {};
const kubeconfig = data.kubeconfig ?? process.env.KUBECONFIG;
const log = createLogger();
const scheduler = startScheduler({
  client: ApiClient.fromKubeconfig(kubeconfig),
  schedulerName: data.schedulerName,
  qps: data.qps,
  burst: data.burst,
  log: log.child({ component: 'scheduler' }),
});

async function stop(): Promise<void> {
  await scheduler.stop();
  parentPort?.postMessage('stopped');
  parentPort?.close();
}

parentPort?.on('message', (msg) => {
  if (msg === 'stop') void stop();
});
if (isMainThread) {
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}
