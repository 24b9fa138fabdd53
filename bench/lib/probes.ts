// Latency probes that run beside a load, as ClusterLoader2's API responsiveness and watch
// latency measurements do: a GET of one small object at a steady pace, and a PATCH of one
// ConfigMap at a steady pace with a watch of its namespace timing each event's delivery. One
// request in flight per probe, so they measure latency without adding a load of their own.
import type net from 'node:net';
import { sleep } from './context.ts';
import type { HttpClient } from './http.ts';
import { configMap } from './objects.ts';
import { openRawWatch } from './raw-watch.ts';
import type { ServerProcess } from './server-process.ts';

export interface Probe {
  /** Stops the probe; resolves with its latencies (ms) once its last request answered. */
  stop(): Promise<number[]>;
  /** Requests that failed (the probe goes on after a failure; a 429 is retried, its wait counted in the latency). */
  errors(): number;
}

/** A sequential GET of `path`, one every `intervalMs`. */
export function getProbe(client: HttpClient, path: string, intervalMs: number): Probe {
  const latencies: number[] = [];
  let stopped = false;
  let errors = 0;
  const loop = (async () => {
    while (!stopped) {
      const t0 = performance.now();
      try {
        await client.retrying('GET', path);
        latencies.push(performance.now() - t0);
      } catch {
        errors++;
      }
      await sleep(intervalMs);
    }
  })();
  return {
    errors: () => errors,
    async stop() {
      stopped = true;
      await loop;
      return latencies;
    },
  };
}

/**
 * A watch of `namespace`'s ConfigMaps (a raw socket, TLS when the server is reached over
 * HTTPS) and a PATCH of ConfigMap `probe` every `intervalMs`: each event's latency is from
 * the start of its PATCH to the arrival of its bytes.
 */
export async function watchProbe(server: ServerProcess, client: HttpClient, namespace: string, intervalMs: number): Promise<Probe & { sent(): number }> {
  const base = `/api/v1/namespaces/${namespace}/configmaps`;
  await client.expectOk('POST', base, { body: configMap('probe', { seq: '0' }) });
  const started = new Map<string, number>();
  const latencies: number[] = [];
  // The event names its object; the sequence number in the data tells which PATCH it was.
  const socket: net.Socket = await openRawWatch({
    host: client.host, port: client.port, path: `${base}?watch=true&fieldSelector=metadata.name%3Dprobe`, namePrefix: '"seq":"', tls: server.tls,
    onName: (seq, at) => {
      const t0 = started.get(seq);
      if (t0 === undefined) return;
      started.delete(seq);
      latencies.push(at - t0);
    },
  });
  let stopped = false;
  let sent = 0;
  let errors = 0;
  const loop = (async () => {
    while (!stopped) {
      const seq = String(sent + errors + 1);
      started.set(seq, performance.now());
      try {
        await client.retrying('PATCH', `${base}/probe`, { body: { data: { seq } }, contentType: 'application/merge-patch+json' });
        sent++;
      } catch {
        started.delete(seq);
        errors++;
      }
      await sleep(intervalMs);
    }
  })();
  return {
    errors: () => errors,
    sent: () => sent,
    async stop() {
      stopped = true;
      await loop;
      // The last event may still be on its way.
      for (const until = performance.now() + 5_000; started.size > 0 && performance.now() < until;) await sleep(20);
      socket.destroy();
      return latencies;
    },
  };
}
