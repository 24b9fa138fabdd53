// Assembles one kubelite API server: LevelDB → watch cache → registry → Fastify, and the
// objects every cluster starts with.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { networkInterfaces } from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { isStatusError } from './api/errors.ts';
import type { KubeObject } from './api/types.ts';
import type { PodRuntime } from './kubelet/runtime.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { createLogger } from './log.ts';
import { ResourceCatalog } from './registry/catalog.ts';
import { Registry } from './registry/registry.ts';
import { systemNamespaces } from './registry/namespace-lifecycle.ts';
import { builtinResources } from './registry/resources/index.ts';
import type { WatchSettings } from './registry/watch.ts';
import { buildApp } from './server/app.ts';
import { LevelStore } from './storage/leveldb.ts';
import { WatchCache } from './storage/watch-cache.ts';

export interface ApiServerOptions {
  dataDir: string;
  host?: string;
  port?: number;
  logger?: Logger;
  /** Write <dataDir>/kubeconfig (default true). */
  writeKubeconfig?: boolean;
  watch?: Partial<WatchSettings>;
  /** The watch cache's event window per resource: at most this many events, none older than maxEventAgeMs. */
  watchCache?: { eventsPerResource?: number; maxEventAgeMs?: number };
}

export interface RunningApiServer {
  url: string;
  port: number;
  kubeconfigPath: string;
  app: FastifyInstance;
  registry: Registry;
  /** Where pods/log (and later exec) reach the simulated kubelets. */
  setPodRuntime(runtime: PodRuntime | undefined): void;
  close(): Promise<void>;
}

export async function startApiServer(opts: ApiServerOptions): Promise<RunningApiServer> {
  const logger = opts.logger ?? createLogger();
  await mkdir(opts.dataDir, { recursive: true });
  const level = await LevelStore.open(join(opts.dataDir, 'db'));
  const storage = await WatchCache.create(level, {
    eventsPerBucket: opts.watchCache?.eventsPerResource, maxEventAgeMs: opts.watchCache?.maxEventAgeMs,
  });
  const catalog = new ResourceCatalog(builtinResources());
  const registry = new Registry(storage, catalog, { bookmarkIntervalMs: 60_000, ...opts.watch });
  await bootstrapNamespaces(registry);
  const app = await buildApp({ registry, logger, checks: { ready: { 'etcd': () => true, 'informer-sync': () => true } } });
  await app.listen({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 6443 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port ?? 6443;
  const host = opts.host && opts.host !== '0.0.0.0' && opts.host !== '::' ? opts.host : '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  await bootstrapKubernetesService(registry, port);
  const kubeconfigPath = join(opts.dataDir, 'kubeconfig');
  if (opts.writeKubeconfig !== false) await writeKubeconfig(kubeconfigPath, { server: url });
  let closed = false;
  return {
    url, port, kubeconfigPath, app, registry,
    setPodRuntime(runtime) {
      registry.podRuntime = runtime;
    },
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      await storage.close();
    },
  };
}

async function createIfMissing(registry: Registry, plural: string, namespace: string | undefined, body: KubeObject): Promise<void> {
  try {
    await registry.store(registry.catalog.lookup('', 'v1', plural)!).create(namespace, body);
  } catch (err) {
    if (!isStatusError(err, 'AlreadyExists')) throw err;
  }
}

/** The namespaces every cluster has from the start (kube-apiserver's system namespaces controller). */
async function bootstrapNamespaces(registry: Registry): Promise<void> {
  for (const name of systemNamespaces) {
    await createIfMissing(registry, 'namespaces', undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
}

/**
 * The `kubernetes` Service in `default` with the first service IP, and its Endpoints naming
 * this server, as kube-apiserver's controlplane reconciler keeps them.
 */
async function bootstrapKubernetesService(registry: Registry, port: number): Promise<void> {
  await createIfMissing(registry, 'services', 'default', {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: port }], sessionAffinity: 'None', type: 'ClusterIP' },
  });
  // Endpoints may not name a loopback address: use the host's first external IPv4, if it has one.
  const ip = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
  if (!ip) return;
  const endpointsDef = registry.catalog.lookup('', 'v1', 'endpoints')!;
  const subsets = [{ addresses: [{ ip }], ports: [{ name: 'https', port, protocol: 'TCP' }] }];
  const existing = await registry.store(endpointsDef).get('default', 'kubernetes').catch(() => undefined);
  if (!existing) {
    await createIfMissing(registry, 'endpoints', 'default', {
      apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } }, subsets,
    });
  } else if ((existing.object.subsets as Array<{ ports?: Array<{ port?: number }> }> | undefined)?.[0]?.ports?.[0]?.port !== port) {
    await registry.store(endpointsDef).patch('default', 'kubernetes', 'merge', { subsets });
  }
}
