// The first module of every worker thread when kubelite runs from source (compiled, the
// thread starts dist/worker-thread.js directly: see modules.ts). On Node 20 a Worker does not
// inherit the parent's tsx loader (`execArgv: ['--import', 'tsx']` is not enough for a .ts
// entry), so the thread registers tsx itself, as bin/kubelite.js does, then loads the entry.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
