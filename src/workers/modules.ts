// Where each worker's code is: the TypeScript beside this file when running through tsx, or
// the bundles scripts/build.mjs writes flat into dist/ (this module is then inside one of
// them, in the same directory). The names on the right are build.mjs's entry names.
import { compiled } from '../package-root.ts';
import type { WorkerName } from './types.ts';

const sources: Record<WorkerName | 'thread', [source: string, bundle: string]> = {
  thread: ['./thread-entry.ts', 'worker-thread'],
  kubelet: ['../kubelet/worker.ts', 'kubelet-worker'],
  scheduler: ['../scheduler/worker.ts', 'scheduler-worker'],
  controllers: ['../controllers/worker.ts', 'controllers-worker'],
};

/** The module of a worker (each exports `start(ctx)`, see types.ts), or of the thread entry. */
export function workerModuleUrl(name: WorkerName | 'thread'): URL {
  const [source, bundle] = sources[name];
  return new URL(compiled ? `./${bundle}.js` : source, import.meta.url);
}

/**
 * What a worker thread is started with: the bundle itself when compiled; otherwise
 * bootstrap.mjs, which registers tsx in the thread first (a Worker does not inherit the
 * parent's loader on Node 20).
 */
export function threadStartUrl(): URL {
  return compiled ? workerModuleUrl('thread') : new URL('./bootstrap.mjs', import.meta.url);
}
