// What every stage gets: the server under test, a client for it, and a progress line.
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

/** Starts a CPU meter; calling the result reports each side's share of one core since then. */
export async function cpuMeter(server: ServerProcess): Promise<() => Promise<string>> {
  const wall0 = performance.now();
  const server0 = await server.cpuSeconds();
  const client0 = process.cpuUsage();
  return async () => {
    const wall = (performance.now() - wall0) / 1000;
    const serverCpu = (await server.cpuSeconds()) - server0;
    const client = process.cpuUsage(client0);
    const clientCpu = (client.user + client.system) / 1e6;
    return `CPU: server ${((100 * serverCpu) / wall).toFixed(0)}%, bench client ${((100 * clientCpu) / wall).toFixed(0)}% of one core`;
  };
}
