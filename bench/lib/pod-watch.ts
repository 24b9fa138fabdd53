// Follows the pods of one namespace through a watch, as `kubectl wait` does, instead of
// listing them over and over: a LIST of 1,000 pods is ~3 MiB, and polling it every 100 ms
// costs the server under test more than the pods' own writes (it was the bench's load, not
// kubelite's, that the first runs of stage 8 measured in part).
import http from 'node:http';
import https from 'node:https';
import type { ServerProcess } from './server-process.ts';

interface PodEvent {
  type: string;
  object: { metadata?: { name?: string }; spec?: { nodeName?: string }; status?: { phase?: string } };
}

export interface PodProgress {
  bound: number;
  running: number;
}

export interface PodWatch {
  /** Resolves with the time (performance.now()) at which `test` first held, or NaN at the deadline. */
  until(test: (p: PodProgress) => boolean, deadline: number): Promise<number>;
  close(): void;
}

/** Watches `path` (a pods collection) from `resourceVersion`, counting bound and Running pods by name. */
export function watchPods(server: ServerProcess, path: string, resourceVersion: string): Promise<PodWatch> {
  const url = new URL(`${path}?watch=1&resourceVersion=${resourceVersion}`, server.url);
  const bound = new Set<string>();
  const running = new Set<string>();
  const waiters: { test: (p: PodProgress) => boolean; resolve: (at: number) => void }[] = [];
  const check = () => {
    const at = performance.now();
    const p = { bound: bound.size, running: running.size };
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (waiters[i].test(p)) waiters.splice(i, 1)[0].resolve(at);
    }
  };
  const onEvent = (e: PodEvent) => {
    const name = e.object.metadata?.name;
    if (!name) return;
    if (e.type === 'DELETED') {
      bound.delete(name);
      running.delete(name);
    } else {
      if (e.object.spec?.nodeName) bound.add(name);
      if (e.object.status?.phase === 'Running') running.add(name);
    }
  };
  return new Promise((resolve, reject) => {
    const transport = url.protocol === 'https:' ? https : http;
    const req = transport.request(url, { headers: { accept: 'application/json' }, ...server.tls }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`watch ${path}: HTTP ${res.statusCode}`));
      let rest = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        rest += chunk;
        let nl: number;
        while ((nl = rest.indexOf('\n')) >= 0) {
          const line = rest.slice(0, nl);
          rest = rest.slice(nl + 1);
          if (line.trim()) onEvent(JSON.parse(line) as PodEvent);
        }
        check();
      });
      resolve({
        until(test, deadline) {
          if (test({ bound: bound.size, running: running.size })) return Promise.resolve(performance.now());
          return new Promise((resolveAt) => {
            const waiter = { test, resolve: resolveAt };
            waiters.push(waiter);
            const timer = setTimeout(() => {
              const i = waiters.indexOf(waiter);
              if (i >= 0) waiters.splice(i, 1);
              resolveAt(NaN);
            }, Math.max(0, deadline - performance.now()));
            const settle = waiter.resolve;
            waiter.resolve = (at) => {
              clearTimeout(timer);
              settle(at);
            };
          });
        },
        close: () => req.destroy(),
      });
    });
    req.on('error', (err) => reject(err));
    req.end();
  });
}
