// Who may call a kubelet's API, as the kubelet's webhook authentication and authorization do
// (pkg/kubelet/server/auth.go): a client certificate signed by the client CA (the API server's
// --kubelet-client-certificate) names the user (CN) and groups (O); a bearer token is checked
// with a TokenReview. Every request is then authorized with a SubjectAccessReview on the node:
// `nodes/stats`, `nodes/metrics`, `nodes/log` by path, `nodes/proxy` for everything else.
// Answers are cached as the kubelet's webhooks cache them (2 min authn, 5 min allow, 30 s deny).
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { KubeObject } from '../../api/types.ts';
import type { ApiClient, ResourceDescriptor } from '../../client/index.ts';

export interface KubeletUser {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

const tokenReviews: ResourceDescriptor = { group: 'authentication.k8s.io', version: 'v1', resource: 'tokenreviews', namespaced: false, kind: 'TokenReview' };
const subjectAccessReviews: ResourceDescriptor = { group: 'authorization.k8s.io', version: 'v1', resource: 'subjectaccessreviews', namespaced: false, kind: 'SubjectAccessReview' };

const authnTtlMs = 2 * 60_000;
const allowTtlMs = 5 * 60_000;
const denyTtlMs = 30_000;

interface Cached<T> {
  value: T;
  until: number;
}

export type AuthResult = { user: KubeletUser } | { status: 401 | 403; message: string };

const verbs: Record<string, string> = { POST: 'create', GET: 'get', HEAD: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

/** The node subresource a path is authorized as (the kubelet's GetRequestAttributes). */
export function nodeSubresource(path: string): string {
  for (const [prefix, sub] of [['/stats', 'stats'], ['/metrics', 'metrics'], ['/logs', 'log'], ['/checkpoint', 'checkpoint']] as const) {
    if (path === prefix || path.startsWith(`${prefix}/`)) return sub;
  }
  return 'proxy';
}

export class KubeletAuth {
  private readonly tokens = new Map<string, Cached<KubeletUser | undefined>>();
  private readonly decisions = new Map<string, Cached<boolean>>();

  constructor(private readonly client: ApiClient, private readonly nodeName: string) {}

  async check(req: IncomingMessage): Promise<AuthResult> {
    const user = await this.authenticate(req);
    if (!user) return { status: 401, message: 'Unauthorized' };
    const path = (req.url ?? '/').split('?')[0];
    const verb = verbs[req.method ?? 'GET'] ?? (req.method ?? '').toLowerCase();
    const subresource = nodeSubresource(path);
    if (await this.authorize(user, verb, subresource)) return { user };
    return { status: 403, message: `Forbidden (user=${user.username}, verb=${verb}, resource=nodes, subresource(s)=[${subresource}])` };
  }

  private async authenticate(req: IncomingMessage): Promise<KubeletUser | undefined> {
    // The kubelet's authenticators in kube's order: the client certificate, then a bearer token.
    const socket = req.socket as TLSSocket;
    if (socket.authorized) {
      const subject = socket.getPeerCertificate()?.subject as Record<string, string | string[]> | undefined;
      const cn = subject?.CN;
      if (typeof cn === 'string' && cn) {
        const o = subject?.O;
        return { username: cn, groups: [...(o === undefined ? [] : ([] as string[]).concat(o)), 'system:authenticated'] };
      }
    }
    const header = req.headers.authorization;
    if (header?.startsWith('Bearer ')) return this.tokenUser(header.slice('Bearer '.length).trim());
    return undefined;
  }

  private async tokenUser(token: string): Promise<KubeletUser | undefined> {
    const hit = this.tokens.get(token);
    if (hit && hit.until > Date.now()) return hit.value;
    const review = await this.client.create(tokenReviews, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', metadata: {}, spec: { token } } as KubeObject)
      .catch(() => undefined);
    const status = review?.status as { authenticated?: boolean; user?: KubeletUser } | undefined;
    const user = status?.authenticated && status.user ? { ...status.user, groups: status.user.groups ?? [] } : undefined;
    remember(this.tokens, token, user, authnTtlMs);
    return user;
  }

  private async authorize(user: KubeletUser, verb: string, subresource: string): Promise<boolean> {
    const key = JSON.stringify([user.username, user.uid, user.groups, user.extra, verb, subresource]);
    const hit = this.decisions.get(key);
    if (hit && hit.until > Date.now()) return hit.value;
    const review = await this.client.create(subjectAccessReviews, {
      apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', metadata: {},
      spec: {
        user: user.username, uid: user.uid, groups: user.groups, extra: user.extra,
        resourceAttributes: { verb, group: '', version: 'v1', resource: 'nodes', subresource, name: this.nodeName },
      },
    } as KubeObject).catch(() => undefined);
    const allowed = (review?.status as { allowed?: boolean } | undefined)?.allowed === true;
    remember(this.decisions, key, allowed, allowed ? allowTtlMs : denyTtlMs);
    return allowed;
  }
}

/** Caches bounded in size: a flood of distinct tokens cannot grow them without end. */
const maxEntries = 1000;

function remember<T>(cache: Map<string, Cached<T>>, key: string, value: T, ttlMs: number): void {
  if (cache.size >= maxEntries) cache.delete(cache.keys().next().value!);
  cache.set(key, { value, until: Date.now() + ttlMs });
}
