// Projected volumes as the kubelet fills them (pkg/volume/projected), for the simulated
// containers' files: ServiceAccount tokens asked for through TokenRequest and kept by a token
// manager as kubelet's pkg/kubelet/token does (bound to the pod, fetched again once 80% of the
// lifetime or 24 hours have passed), ConfigMap and Secret keys, and downward API fields. This
// is what the ServiceAccount admission's kube-api-access-* volume (token, ca.crt, namespace)
// becomes at /var/run/secrets/kubernetes.io/serviceaccount.
import type { KubeObject } from '../api/types.ts';
import type { ApiClient, ResourceDescriptor } from '../client/index.ts';
import { ConcurrencyLimiter } from '../api/concurrency-limiter.ts';
import type { ConfigReader } from './config-objects.ts';

interface KeyToPath {
  key: string;
  path: string;
}

export interface ProjectedSource {
  serviceAccountToken?: { audience?: string; expirationSeconds?: number; path: string };
  configMap?: { name?: string; items?: KeyToPath[]; optional?: boolean };
  secret?: { name?: string; items?: KeyToPath[]; optional?: boolean };
  downwardAPI?: { items?: Array<{ path: string; fieldRef?: { fieldPath: string } }> };
}

/** kube-root-ca.crt's key: the CA bundle pods use to trust the API server. */
const rootCAConfigMap = 'kube-root-ca.crt';

/** token_manager.go's maxTTL: a token is fetched again after a day whatever its lifetime. */
const maxTTLMs = 24 * 3600 * 1000;

interface CachedToken {
  token: string;
  issuedMs: number;
  expiresMs: number;
}

/**
 * The kubelet's token manager: one TokenRequest per pod, ServiceAccount, audience and lifetime,
 * until it needs refreshing. Tokens are bound to their pod (the key holds its uid, as kube's
 * keyFunc holds boundObjectRef), so pods never share one: deleting a pod revokes its token. A
 * burst of container starts asks a few at a time (a kubelet's client is rate-limited too).
 */
export class ServiceAccountTokenManager {
  private readonly cache = new Map<string, CachedToken>();
  private readonly requests = new ConcurrencyLimiter(8);
  private sweptMs = 0;

  constructor(private readonly client: ApiClient, private readonly now: () => number = Date.now) {}

  async token(pod: KubeObject, source: NonNullable<ProjectedSource['serviceAccountToken']>): Promise<string> {
    const namespace = pod.metadata.namespace!;
    const serviceAccount = pod.spec?.serviceAccountName || 'default';
    const expirationSeconds = source.expirationSeconds ?? 3600;
    const key = [namespace, serviceAccount, source.audience ?? '', expirationSeconds, pod.metadata.uid].join('/');
    const now = this.now();
    // Expired tokens go, looked for once a minute rather than at every request.
    if (now - this.sweptMs > 60_000) {
      this.sweptMs = now;
      for (const [k, cached] of this.cache) if (cached.expiresMs <= now) this.cache.delete(k);
    }
    const cached = this.cache.get(key);
    if (cached && !requiresRefresh(cached, now)) return cached.token;
    const request: KubeObject = {
      apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: {},
      spec: {
        // No audience: the API server's own (--api-audiences).
        audiences: source.audience ? [source.audience] : undefined,
        expirationSeconds,
        boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid },
      },
    };
    const out = await this.requests.run(() => this.client.create(tokenOf(serviceAccount), request, { namespace }));
    const token = out.status?.token as string;
    const expiresMs = Date.parse(out.status?.expirationTimestamp as string);
    this.cache.set(key, { token, issuedMs: expiresMs - expirationSeconds * 1000, expiresMs });
    return token;
  }
}

/** token_manager.go's requiresRefresh, without the jitter: past 80% of the lifetime, or older than a day. */
function requiresRefresh(t: CachedToken, now: number): boolean {
  if (now > t.issuedMs + maxTTLMs) return true;
  return now > t.expiresMs - (t.expiresMs - t.issuedMs) * 0.2;
}

/** POST /api/v1/namespaces/{ns}/serviceaccounts/{name}/token, as a descriptor. */
function tokenOf(serviceAccount: string): ResourceDescriptor {
  return { group: '', version: 'v1', resource: `serviceaccounts/${encodeURIComponent(serviceAccount)}/token`, kind: 'TokenRequest', namespaced: true };
}

export interface ProjectionSources {
  tokens: ServiceAccountTokenManager;
  /** ConfigMaps' and Secrets' data (decoded), through the kubelet's watch-based managers. */
  config: ConfigReader;
  /** The kubelet's own CA bundle, standing in for kube-root-ca.crt where no controller publishes it. */
  clusterCA?: string;
}

/** The files of a projected volume, by path relative to the mount. */
export async function projectedFiles(pod: KubeObject, sources: ProjectedSource[], deps: ProjectionSources): Promise<Record<string, string>> {
  const ns = pod.metadata.namespace!;
  const files: Record<string, string> = {};
  for (const source of sources) {
    if (source.serviceAccountToken) {
      // A real kubelet would hold the pod in ContainerCreating until the token came (say, once its
      // ServiceAccount exists); the simulated pod runs already, so the file is just absent meanwhile.
      const token = await deps.tokens.token(pod, source.serviceAccountToken).catch(() => undefined);
      if (token !== undefined) files[source.serviceAccountToken.path] = token;
    } else if (source.configMap || source.secret) {
      const ref = (source.configMap ?? source.secret)!;
      let data = (await deps.config.read(source.configMap ? 'configMaps' : 'secrets', ns, ref.name ?? '')) ?? {};
      if (source.configMap && ref.name === rootCAConfigMap && data['ca.crt'] === undefined && deps.clusterCA) data = { 'ca.crt': deps.clusterCA };
      const items = ref.items ?? Object.keys(data).map((k) => ({ key: k, path: k }));
      for (const item of items) if (data[item.key] !== undefined) files[item.path] = data[item.key];
    } else if (source.downwardAPI) {
      for (const item of source.downwardAPI.items ?? []) {
        const value = item.fieldRef && downwardField(pod, item.fieldRef.fieldPath);
        if (value !== undefined) files[item.path] = value;
      }
    }
  }
  return files;
}

/** A downward API volume's fieldRef: labels and annotations as `key="value"` lines, sorted. */
function downwardField(pod: KubeObject, fieldPath: string): string | undefined {
  const pairs = (m: Record<string, string> | undefined) => Object.keys(m ?? {}).sort().map((k) => `${k}=${JSON.stringify(m![k])}`).join('\n');
  switch (fieldPath) {
    case 'metadata.name': return pod.metadata.name;
    case 'metadata.namespace': return pod.metadata.namespace;
    case 'metadata.uid': return pod.metadata.uid;
    case 'metadata.labels': return pairs(pod.metadata.labels);
    case 'metadata.annotations': return pairs(pod.metadata.annotations);
    default: return undefined;
  }
}
