// A worker started as its own process (`kubelite kubelet|scheduler|controllers --kubeconfig F`)
// may start before its API server: the kubeconfig is written by the server as it starts, and
// the server may not answer yet. As kube's kubelet waits for its bootstrap kubeconfig and
// client-go keeps retrying a refused connection, the worker waits for both, saying so once on
// one line (what it waits for and why), not with a raw ENOENT or a stack on every retry.
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { loadKubeconfig, type ClientConfig } from '../client/kubeconfig.ts';
import { Transport } from '../client/transport.ts';

export interface AwaitOptions {
  signal?: AbortSignal;
  /** First pause between tries; doubled up to maxIntervalMs. */
  intervalMs?: number;
  maxIntervalMs?: number;
}

/** How many times an unreadable (not missing) kubeconfig is read again: the server may be writing it. */
const unreadableTries = 20;

/** Reads the kubeconfig at `path`, waiting while it does not exist. */
export async function awaitKubeconfig(path: string, log: Logger, opts: AwaitOptions = {}): Promise<ClientConfig> {
  const absolute = resolve(path);
  let said = false;
  let failures = 0;
  for (let pause = opts.intervalMs ?? 200; ; pause = Math.min(pause * 2, opts.maxIntervalMs ?? 2000)) {
    try {
      return loadKubeconfig(absolute);
    } catch (err) {
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      if (!missing && ++failures >= unreadableTries) throw new Error(`kubeconfig ${absolute}: ${(err as Error).message}`);
      if (!said) log.warn({ kubeconfig: absolute }, missing
        ? `waiting for the kubeconfig ${absolute}: it does not exist yet (an API server writes it as it starts)`
        : `waiting for the kubeconfig ${absolute}: ${(err as Error).message}`);
      said = true;
    }
    await sleep(pause, undefined, { signal: opts.signal });
  }
}

/** Waits until the server answers HTTP at all (any status below 500): then the worker's own requests can run. */
export async function awaitServer(config: ClientConfig, log: Logger, opts: AwaitOptions = {}): Promise<void> {
  const transport = new Transport(config);
  let said = false;
  try {
    for (let pause = opts.intervalMs ?? 200; ; pause = Math.min(pause * 2, opts.maxIntervalMs ?? 2000)) {
      let reason: string;
      try {
        const res = await transport.request({ method: 'GET', path: '/readyz', headers: { accept: 'text/plain' }, signal: opts.signal });
        await res.text();
        if (res.status < 500) {
          if (said) log.warn({ server: config.server }, `the API server at ${config.server} answers; starting`);
          return;
        }
        reason = `/readyz answered ${res.status}`;
      } catch (err) {
        if (opts.signal?.aborted) throw err;
        reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      }
      if (!said) log.warn({ server: config.server }, `waiting for the API server at ${config.server}: ${reason}; retrying`);
      else log.debug({ server: config.server, reason }, 'API server not answering yet');
      said = true;
      await sleep(pause, undefined, { signal: opts.signal });
    }
  } finally {
    transport.close();
  }
}
