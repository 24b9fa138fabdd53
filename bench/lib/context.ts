// What every stage gets: the server under test, a client for it, and a progress line.
import { readFile } from 'node:fs/promises';
import type { HttpClient } from './http.ts';
import type { ServerProcess } from './server-process.ts';

export interface StageContext {
  server: ServerProcess;
  client: HttpClient;
  progress(message: string): void;
}

export function progress(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Starts a CPU meter; calling the result reports the server's and the bench client's CPU in
 * cores, and what every other process on the machine used meanwhile (others' load skews a run).
 */
export async function cpuMeter(server: ServerProcess): Promise<() => Promise<string>> {
  const wall0 = performance.now();
  const server0 = await server.cpuSeconds();
  const client0 = process.cpuUsage();
  const machine0 = await machineBusySeconds();
  return async () => {
    const wall = (performance.now() - wall0) / 1000;
    const serverCpu = (await server.cpuSeconds()) - server0;
    const client = process.cpuUsage(client0);
    const clientCpu = (client.user + client.system) / 1e6;
    const others = Math.max(0, (await machineBusySeconds()) - machine0 - serverCpu - clientCpu);
    const cores = (seconds: number) => (seconds / wall).toFixed(2);
    return `CPU cores: server ${cores(serverCpu)}, bench client ${cores(clientCpu)}, other processes ${cores(others)}`;
  };
}

/** CPU seconds all processors spent busy since boot (/proc/stat; USER_HZ = 100). */
export async function machineBusySeconds(): Promise<number> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n', 1)[0]!;
  // cpu  user nice system idle iowait irq softirq steal …: all but idle and iowait are busy.
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  return (f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + f[7]!) / 100;
}
