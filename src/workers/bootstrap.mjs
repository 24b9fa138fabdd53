// The first module of every worker thread. On Node 20 a Worker does not inherit the parent's
// tsx loader (`execArgv: ['--import', 'tsx']` is not enough for a .ts entry), so the thread
// registers tsx itself, as bin/kubelite.js does, then loads the TypeScript entry.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
