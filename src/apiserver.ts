// Assembles one kubelite API server: LevelDB → watch cache → registry → Fastify, and the
// objects every cluster starts with.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { isStatusError } from './api/errors.ts';
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
}

export interface RunningApiServer {
  url: string;
  port: number;
  kubeconfigPath: string;
  app: FastifyInstance;
  registry: Registry;
  close(): Promise<void>;
}

export async function startApiServer(opts: ApiServerOptions): Promise<RunningApiServer> {
  const logger = opts.logger ?? createLogger();
  await mkdir(opts.dataDir, { recursive: true });
  const level = await LevelStore.open(join(opts.dataDir, 'db'));
  const storage = await WatchCache.create(level);
  const catalog = new ResourceCatalog(builtinResources());
  const registry = new Registry(storage, catalog, { bookmarkIntervalMs: 60_000, ...opts.watch });
  await bootstrap(registry);
  const app = await buildApp({ registry, logger, checks: { ready: { 'etcd': () => true, 'informer-sync': () => true } } });
  await app.listen({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 6443 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port ?? 6443;
  const host = opts.host && opts.host !== '0.0.0.0' && opts.host !== '::' ? opts.host : '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const kubeconfigPath = join(opts.dataDir, 'kubeconfig');
  if (opts.writeKubeconfig !== false) await writeKubeconfig(kubeconfigPath, { server: url });
  let closed = false;
  return {
    url, port, kubeconfigPath, app, registry,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      await storage.close();
    },
  };
}

/** The namespaces every cluster has from the start (kube-apiserver's system namespaces controller). */
async function bootstrap(registry: Registry): Promise<void> {
  const def = registry.catalog.lookup('', 'v1', 'namespaces')!;
  for (const name of systemNamespaces) {
    try {
      await registry.store(def).create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    } catch (err) {
      if (!isStatusError(err, 'AlreadyExists')) throw err;
    }
  }
}
