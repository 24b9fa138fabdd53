// Test support: a kubelite API server on 127.0.0.1, a free port and a temp data dir,
// stopped and removed by the test; and kubectl pointed at it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../src/api/types.ts';
import { startApiServer, type ApiServerOptions, type RunningApiServer } from '../../src/apiserver.ts';
import { createLogger } from '../../src/log.ts';
import { runWorkerInProcess, type RunningWorker } from './workers.ts';

export interface TestServer extends RunningApiServer {
  /** The plain-HTTP URL (no authentication), for fetch; kubectl uses the kubeconfig's https URL. */
  url: string;
  /** The https URL kubectl and the workers use. */
  secureUrl: string;
  dataDir: string;
  kubectl(args: string[], opts?: { input?: string; env?: Record<string, string> }): Promise<KubectlResult>;
  /** fetch against the server, path relative to its URL. */
  request(path: string, init?: RequestInit): Promise<Response>;
  /** GET `path` (plain port), asserting 200, and parse the JSON. */
  getJson<T = KubeObject>(path: string): Promise<T>;
  stop(): Promise<void>;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface TestServerOptions {
  bookmarkIntervalMs?: number;
  /** Run simulated kubelets for this many nodes (in this process). */
  nodes?: number;
  /** More kubelet worker options, e.g. `{ stagesFile: 'stages/pod-fast.yaml' }`. */
  kubelet?: Record<string, unknown>;
  /** Run the scheduler (in this process). */
  scheduler?: boolean;
  /** Run the controllers (in this process), with these options. */
  controllers?: boolean | Record<string, unknown>;
  /** Authentication settings of the secure port (e.g. `tokenAuthFile`, `anonymousAuth`). */
  secureServing?: ApiServerOptions['secureServing'];
  /** ServiceAccount token settings (issuers, API audiences, key files, expiration limits). */
  serviceAccounts?: ApiServerOptions['serviceAccounts'];
  maxInFlight?: ApiServerOptions['maxInFlight'];
  /** --request-timeout in ms (default 60 s). */
  requestTimeoutMs?: number;
}

export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'kubelite-test-'));
  const logger = createLogger(process.env.LOG_LEVEL ?? 'error');
  const server = await startApiServer({
    dataDir, host: '127.0.0.1', port: 0, logger,
    // kubectl goes through TLS with the admin certificate; fetch-based tests use the plain port.
    insecurePort: 0,
    watch: opts.bookmarkIntervalMs ? { bookmarkIntervalMs: opts.bookmarkIntervalMs } : undefined,
    secureServing: opts.secureServing, serviceAccounts: opts.serviceAccounts, maxInFlight: opts.maxInFlight,
    requestTimeoutMs: opts.requestTimeoutMs,
  });
  const as = (kubeconfigPath: string) => ({ kubeconfigPath });
  const workers: RunningWorker[] = [];
  if (opts.nodes) {
    const options = { servingCert: server.kubeletServingCert, ...opts.kubelet, nodes: opts.nodes };
    workers.push(await runWorkerInProcess('kubelet', { connection: as(server.kubeconfigs.kubelet), options, log: logger }));
  }
  if (opts.scheduler) workers.push(await runWorkerInProcess('scheduler', { connection: as(server.kubeconfigs.scheduler), log: logger }));
  if (opts.controllers) {
    const options = typeof opts.controllers === 'object' ? opts.controllers : {};
    workers.push(await runWorkerInProcess('controllers', { connection: as(server.kubeconfigs.controllerManager), options, log: logger }));
  }
  return {
    ...server,
    url: server.insecureUrl!,
    secureUrl: server.url,
    dataDir,
    kubectl: (args, o) => runKubectl(server.kubeconfigPath, args, o),
    request: (path, init) => fetch(server.insecureUrl + path, init),
    async getJson<T>(path: string): Promise<T> {
      const res = await fetch(server.insecureUrl + path);
      assert.equal(res.status, 200, path);
      return (await res.json()) as T;
    },
    async stop() {
      await Promise.all(workers.map((w) => w.stop()));
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export function runKubectl(kubeconfig: string, args: string[], opts: { input?: string; env?: Record<string, string> } = {}): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = execFile('kubectl', ['--kubeconfig', kubeconfig, ...args], {
      env: { ...process.env, KUBECONFIG: kubeconfig, KUBECACHEDIR: join(tmpdir(), `kubelite-kubectl-cache-${process.pid}`), ...opts.env },
      timeout: 60_000,
      maxBuffer: 64 * 1024 * 1024,
    }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout: stdout.toString(), stderr: stderr.toString() });
    });
    if (opts.input !== undefined) child.stdin!.end(opts.input);
  });
}
