// Assembles one kubelite API server: LevelDB → watch cache → registry → Fastify, and the
// objects every cluster starts with.
import { mkdir } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { isStatusError } from './api/errors.ts';
import type { KubeObject } from './api/types.ts';
import { KubeletClient } from './server/kubelet-proxy/kubelet-client.ts';
import { prepareSecureServing, serveInsecure, writeKubeconfigs, type Kubeconfigs, type SecureServingOptions } from './server/secure-serving.ts';
import { createLogger } from './log.ts';
import { ServiceAccountTokens, type ServiceAccountOptions } from './auth/serviceaccount/index.ts';
import { ResourceCatalog } from './registry/catalog.ts';
import { Registry } from './registry/registry.ts';
import { systemNamespaces } from './registry/namespace-lifecycle.ts';
import { builtinResources } from './registry/resources/index.ts';
import { defaultServiceNetwork, ServiceAllocators, type ServiceNetwork } from './registry/allocator/service-allocators.ts';
import type { WatchSettings } from './registry/watch.ts';
import { buildApp } from './server/app.ts';
import { admissionPlugins } from './admission/plugins.ts';
import { startApiExtensions } from './apiextensions/controller.ts';
import { startRbac } from './auth/rbac/index.ts';
import type { RbacAuthorization } from './auth/rbac/escalation.ts';
import { builtinIdentities, ensurePki } from './auth/pki.ts';
import { ConsoleSessions } from './auth/console-sessions.ts';
import { publishClusterAuthenticationInfo } from './auth/cluster-authentication-info.ts';
import { ensureFlowControlBootstrap } from './registry/bootstrap/flowcontrol.ts';
import { LocalAPIServices } from './server/aggregator/local-apiservices.ts';
import { Aggregator } from './server/aggregator/aggregator.ts';
import type { MaxInFlightOptions } from './server/max-in-flight.ts';
import { openStorageBackend, type StorageBackendOptions } from './storage/open.ts';
import { WatchCache } from './storage/watch-cache.ts';

export interface ApiServerOptions {
  dataDir: string;
  host?: string;
  port?: number;
  logger?: Logger;
  /** Write <dataDir>/kubeconfig (default true). */
  writeKubeconfig?: boolean;
  watch?: Partial<WatchSettings>;
  /** The watch cache's event window per resource: at most this many events, none older than maxEventAgeMs, at most maxEventBytes of JSON. */
  watchCache?: { eventsPerResource?: number; maxEventAgeMs?: number; maxEventBytes?: number };
  /** Where objects live: LevelDB in dataDir (default) or etcd. */
  storage?: StorageBackendOptions;
  /** --service-cluster-ip-range (default 10.96.0.0/12) and --service-node-port-range (default 30000-32767). */
  serviceNetwork?: Partial<ServiceNetwork>;
  /** TLS, client CA, token file, anonymous auth (see server/secure-serving.ts). */
  secureServing?: SecureServingOptions;
  /** --max-requests-inflight / --max-mutating-requests-inflight. */
  maxInFlight?: MaxInFlightOptions;
  /** --insecure-port: also serve plain HTTP on 127.0.0.1 (0 picks a free port); off when undefined. */
  insecurePort?: number;
  /** ServiceAccount tokens: --service-account-issuer, --api-audiences, keys, expiration limits (see auth/serviceaccount/). */
  serviceAccounts?: ServiceAccountOptions;
  /** --request-timeout in ms (default 60 s): the longest a client may take to send a request. */
  requestTimeoutMs?: number;
  /** Serve the browser console at /ui/ (default true; --no-ui turns it off). */
  ui?: boolean;
}

export interface RunningApiServer {
  /** The secure (https) URL. */
  url: string;
  port: number;
  /** The plain-HTTP URL on 127.0.0.1, when --insecure-port is on. */
  insecureUrl?: string;
  /** The admin kubeconfig (<data-dir>/kubeconfig). */
  kubeconfigPath: string;
  /** A kubeconfig per identity: admin, controllerManager, scheduler, kubelet. */
  kubeconfigs: Kubeconfigs;
  /** PEM of the cluster CA. */
  caCert: string;
  /** The console's URL with a one-time login token for the admin (absent with --no-ui). */
  consoleLoginUrl?: string;
  app: FastifyInstance;
  registry: Registry;
  /** The serving certificate for kubelite's own kubelets (signed by the cluster CA). */
  kubeletServingCert: { cert: string; key: string };
  close(): Promise<void>;
}

export async function startApiServer(opts: ApiServerOptions): Promise<RunningApiServer> {
  const logger = opts.logger ?? createLogger();
  // Private from the start, as etcd's data dir (storage/permissions.ts).
  await mkdir(opts.dataDir, { recursive: true, mode: 0o700 });
  // The PKI (made on a first start) comes along while the store opens and the policy is reconciled.
  const pki = ensurePki(opts.dataDir, { extra: [opts.host ?? '', opts.secureServing?.advertiseAddress ?? ''] });
  pki.catch(() => undefined); // awaited below; a failure surfaces there
  const unloadable: Array<{ key: string; reason: string }> = [];
  const backend = await openStorageBackend(opts.dataDir, opts.storage, logger, (key, reason) => {
    logger.error({ key, reason }, 'a stored object cannot be loaded; it is skipped (delete it with the storage tools)');
    unloadable.push({ key, reason });
  });
  const storage = await WatchCache.create(backend, {
    eventsPerBucket: opts.watchCache?.eventsPerResource, maxEventAgeMs: opts.watchCache?.maxEventAgeMs, maxEventBytes: opts.watchCache?.maxEventBytes,
  });
  const catalog = new ResourceCatalog(builtinResources());
  const registry = new Registry(storage, catalog, { bookmarkIntervalMs: 60_000, ...opts.watch });
  for (const { key, reason } of unloadable) registry.unservable.report(key, reason);
  registry.serviceNetwork = { ...defaultServiceNetwork, ...opts.serviceNetwork };
  const kubernetesServiceIP = new ServiceAllocators(registry.serviceNetwork).ips.firstAddress; // also checks both ranges
  let authorization: RbacAuthorization | undefined;
  registry.admission.use(admissionPlugins(registry, { authorization: () => authorization }));
  await bootstrapNamespaces(registry);
  // CustomResourceDefinitions, and every stored CRD served again before the server listens.
  const apiextensions = await startApiExtensions(registry, logger);
  // ServiceAccount tokens: verified among the bearer tokens, issued by serviceaccounts/token once the keys are loaded.
  const serviceAccountTokens = new ServiceAccountTokens(registry, opts.serviceAccounts);
  // RBAC: the policy cache, the default roles and bindings reconciled, aggregation in step.
  const rbac = await startRbac(registry, logger);
  // The console's sessions are the admin kubeconfig's user, reached through a one-time login token.
  const consoleSessions = opts.ui === false ? undefined : new ConsoleSessions({ user: { username: builtinIdentities.admin.user, groups: builtinIdentities.admin.groups } });
  const serving = await prepareSecureServing(opts.dataDir, opts.host, {
    ...opts.secureServing, pki, authorizer: opts.secureServing?.authorizer ?? rbac.authorizer,
    tokenAuthenticators: [...(opts.secureServing?.tokenAuthenticators ?? []), serviceAccountTokens.authenticator, ...(consoleSessions ? [consoleSessions.authenticator] : [])],
  });
  registry.serviceAccountTokens = await serviceAccountTokens.loadKeys(serving.pki);
  await publishClusterAuthenticationInfo(registry, { caCert: String(serving.https.ca), frontProxyCaCert: serving.pki.frontProxyCaCert });
  await ensureFlowControlBootstrap(registry);
  authorization = { authorizer: serving.auth.authorizer, ruleResolver: rbac.ruleResolver };
  const auth = { ...serving.auth, ruleResolver: rbac.ruleResolver, tokenReview: { tokens: serving.tokenAuthenticators, apiAudiences: serviceAccountTokens.apiAudiences } };
  // kube-apiserver's --kubelet-client-certificate/-key: how pods/log, exec and port-forward reach kubelets.
  const kubelet = new KubeletClient(serving.pki.clients.apiserverKubeletClient);
  const aggregator = new Aggregator(registry, serving.pki.frontProxyClient, logger);
  const localAPIServices = new LocalAPIServices(registry, logger);
  let aggregatorStarted = false;
  const app = await buildApp({ registry, logger, https: serving.https, auth, aggregator, kubelet, maxInFlight: opts.maxInFlight, ui: consoleSessions && { sessions: consoleSessions }, serving: { requestTimeoutMs: opts.requestTimeoutMs }, checks: {
    ready: {
      'etcd': () => true, 'informer-sync': () => true,
      // kube-aggregator's: proxying to extension servers set up, built-in APIServices registered.
      'poststarthook/apiservice-registration-controller': () => aggregatorStarted,
      'autoregister-completion': () => localAPIServices.completed(),
    },
    readyNotes: () => registry.unservable.list().map((o) => `[!]stored object ${o.key} cannot be served: ${o.reason}`),
  } });
  await app.listen({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 6443 });
  // As kube-apiserver: serving first, APIServices registered by post-start controllers while
  // /readyz says `[-]autoregister-completion failed` (a restart that finds a big CRD's
  // APIServices missing no longer waits for thousands of writes before listening).
  localAPIServices.start();
  const aggregatorStarting = aggregator.start().then(() => { aggregatorStarted = true; },
    (err) => logger.error({ err }, 'the APIService registration controller did not start'));
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port ?? 6443;
  const host = opts.host && opts.host !== '0.0.0.0' && opts.host !== '::' ? opts.host : '127.0.0.1';
  const url = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const insecure = opts.insecurePort !== undefined ? await serveInsecure(app, opts.insecurePort, { requestTimeoutMs: opts.requestTimeoutMs }) : undefined;
  await bootstrapKubernetesService(registry, port, kubernetesServiceIP);
  const kubeconfigs = await writeKubeconfigs(opts.dataDir, url, serving);
  const kubeconfigPath = kubeconfigs.admin;
  // Resolved once /readyz passes, as kube's components and `kubectl wait` users wait for it.
  await Promise.all([aggregatorStarting, localAPIServices.whenCompleted]);
  let closed = false;
  return {
    url, port, kubeconfigPath, kubeconfigs, caCert: serving.servingCA, app, registry, insecureUrl: insecure?.url,
    consoleLoginUrl: consoleSessions && `${url}/ui/#token=${consoleSessions.issueLoginToken()}`,
    kubeletServingCert: serving.pki.kubeletServing,
    async close() {
      if (closed) return;
      closed = true;
      if (insecure) {
        insecure.server.closeAllConnections();
        await new Promise((resolve) => insecure.server.close(resolve));
      }
      aggregator.stop();
      await localAPIServices.stop();
      await app.close();
      kubelet.close();
      await apiextensions.stop();
      rbac.stop();
      await storage.close();
    },
  };
}

/** The objects below are built here, as kube-apiserver's own controllers build typed objects: not decoded. */
const serverBuilt = { serverBuilt: true };

async function createIfMissing(registry: Registry, plural: string, namespace: string | undefined, body: KubeObject): Promise<void> {
  const store = registry.store(registry.catalog.lookup('', 'v1', plural)!);
  // Look first: on a restart everything exists, and a create would compile its kind's validator.
  if (await store.get(namespace, body.metadata.name!).catch(() => undefined)) return;
  try {
    await store.create(namespace, body, serverBuilt);
  } catch (err) {
    if (!isStatusError(err, 'AlreadyExists')) throw err;
  }
}

/** The namespaces every cluster has from the start (kube-apiserver's system namespaces controller). */
async function bootstrapNamespaces(registry: Registry): Promise<void> {
  // All at once: the creates share a group commit (one sync) instead of one each.
  await Promise.all(systemNamespaces.map((name) =>
    createIfMissing(registry, 'namespaces', undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } })));
}

/**
 * The `kubernetes` Service in `default` with the first service IP, and its Endpoints naming
 * this server, as kube-apiserver's controlplane reconciler keeps them.
 */
async function bootstrapKubernetesService(registry: Registry, port: number, clusterIP: string): Promise<void> {
  await createIfMissing(registry, 'services', 'default', {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { clusterIP, ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: port }], sessionAffinity: 'None', type: 'ClusterIP' },
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
    await registry.store(endpointsDef).patch('default', 'kubernetes', 'merge', { subsets }, serverBuilt);
  }
  await mirrorKubernetesEndpointSlice(registry, ip, port);
}

/** The `kubernetes` EndpointSlice, as kube-apiserver's EndpointsAdapter writes it beside the Endpoints. */
async function mirrorKubernetesEndpointSlice(registry: Registry, ip: string, port: number): Promise<void> {
  const store = registry.store(registry.catalog.lookup('discovery.k8s.io', 'v1', 'endpointslices')!);
  const slice = {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [ip], conditions: { ready: true } }],
    ports: [{ name: 'https', port, protocol: 'TCP' }],
  };
  const existing = await store.get('default', 'kubernetes').catch(() => undefined);
  if (!existing) await store.create('default', slice, serverBuilt).catch((err) => { if (!isStatusError(err, 'AlreadyExists')) throw err; });
  else if (JSON.stringify(existing.object.endpoints) !== JSON.stringify(slice.endpoints) || JSON.stringify(existing.object.ports) !== JSON.stringify(slice.ports)) {
    await store.patch('default', 'kubernetes', 'merge', { endpoints: slice.endpoints, ports: slice.ports }, serverBuilt);
  }
}
