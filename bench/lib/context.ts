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
