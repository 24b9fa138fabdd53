// The ServiceAccount token authenticator, as kube-apiserver's pkg/serviceaccount/jwt.go
// (jwtTokenAuthenticator) and claims.go (validator): a token is ours when its `iss` is one of
// --service-account-issuer; then the signature must verify with one of the public keys, its
// audiences must meet the ones asked for (the API audiences for requests), its times must hold
// (with go-jose's one-minute leeway), and — for these bound tokens — the ServiceAccount and
// the Pod, Secret or Node it is bound to must still exist with the UIDs the token names. A
// deleted ServiceAccount's tokens therefore stop working at once.
import type { KeyObject } from 'node:crypto';
import type { KubeObject } from '../../api/types.ts';
import type { Registry } from '../../registry/registry.ts';
import type { TokenAuthenticator } from '../authenticate.ts';
import type { UserInfo } from '../../api/authorization.ts';
import { serviceAccountUser, type KubernetesClaim, type ServiceAccountInfo } from './claims.ts';
import { parseJws, verifyJws } from './jwt.ts';

/** What authenticating a token for some audiences gives: a user, a failure to tell (TokenReview's status.error), or undefined when the token is not this authenticator's. */
export type TokenAuthenticationResult = { user: UserInfo; audiences: string[] } | { error: string } | undefined;

/** A token authenticator that can be asked for other audiences than the API's (TokenReview's spec.audiences), as kube's audience-aware authenticators. */
export interface AudienceAwareTokenAuthenticator extends TokenAuthenticator {
  authenticateTokenForAudiences(token: string, audiences?: string[]): Promise<TokenAuthenticationResult>;
}

export function isAudienceAware(a: TokenAuthenticator): a is AudienceAwareTokenAuthenticator {
  return typeof (a as Partial<AudienceAwareTokenAuthenticator>).authenticateTokenForAudiences === 'function';
}

export interface ServiceAccountAuthenticatorOptions {
  registry: Registry;
  /** --service-account-issuer, every value: tokens from any of them are accepted. */
  issuers: string[];
  /** --api-audiences: what a request's token must be meant for. */
  apiAudiences: string[];
  /** The verifying keys (sa.pub and --service-account-key-file); read when first needed. */
  publicKeys: () => KeyObject[];
  now?: () => number;
}

/** go-jose's jwt.DefaultLeeway. */
const leewaySeconds = 60;

/** Audiences.Intersect, in the order of `a`. */
export function intersectAudiences(a: string[], b: string[]): string[] {
  return a.filter((x) => b.includes(x));
}

/** Go's %q of a string slice. */
const quoted = (list: string[]) => `[${list.map((s) => JSON.stringify(s)).join(' ')}]`;

class ValidationError extends Error {}

export class ServiceAccountTokenAuthenticator implements AudienceAwareTokenAuthenticator {
  private readonly now: () => number;

  constructor(private readonly opts: ServiceAccountAuthenticatorOptions) {
    this.now = opts.now ?? (() => Date.now() / 1000);
  }

  async authenticateToken(token: string): Promise<UserInfo | undefined> {
    const result = await this.authenticateTokenForAudiences(token);
    return result && 'user' in result ? result.user : undefined;
  }

  async authenticateTokenForAudiences(token: string, requested?: string[]): Promise<TokenAuthenticationResult> {
    const jws = parseJws(token);
    if (!jws || typeof jws.claims.iss !== 'string' || !this.opts.issuers.includes(jws.claims.iss)) return undefined;
    if (!this.opts.publicKeys().some((key) => verifyJws(jws, key))) {
      return { error: 'go-jose/go-jose: error in cryptographic primitive' };
    }
    const claims = jws.claims;
    const aud = claims.aud;
    let tokenAudiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : [];
    // Legacy tokens without audiences are for the API server only.
    if (tokenAudiences.length === 0) tokenAudiences = this.opts.apiAudiences;
    const target = requested && requested.length ? requested : this.opts.apiAudiences;
    const audiences = intersectAudiences(tokenAudiences, target);
    if (audiences.length === 0 && this.opts.apiAudiences.length !== 0) {
      return { error: `token audiences ${quoted(tokenAudiences)} is invalid for the target audiences ${quoted(target)}` };
    }
    try {
      const info = await this.validate(claims);
      return { user: serviceAccountUser(info), audiences };
    } catch (err) {
      // A validation failure, or the lookup's own error (`serviceaccounts "x" not found`), as kube returns the getter's.
      return { error: (err as Error).message };
    }
  }

  /** claims.go's validator.Validate. */
  private async validate(claims: Record<string, unknown>): Promise<ServiceAccountInfo> {
    const now = this.now();
    const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
    const exp = num(claims.exp);
    const nbf = num(claims.nbf);
    const iat = num(claims.iat);
    if (nbf !== undefined && now + leewaySeconds < nbf) throw new ValidationError('service account token is not valid yet');
    if (exp !== undefined && now - leewaySeconds > exp) throw new ValidationError('service account token has expired');
    if (iat !== undefined && now + leewaySeconds < iat) {
      throw new ValidationError('service account token claims could not be validated due to unexpected validation error');
    }
    const k = (claims['kubernetes.io'] ?? {}) as Partial<KubernetesClaim>;
    const namespace = k.namespace ?? '';
    const saRef = k.serviceaccount ?? { name: '' };
    const invalidIfDeletedBefore = now - leewaySeconds;
    const deletedBefore = (obj: KubeObject) => {
      const ts = obj.metadata.deletionTimestamp;
      return ts !== undefined && ts !== null && Date.parse(ts as string) / 1000 < invalidIfDeletedBefore;
    };
    // A missing ServiceAccount's error is the registry's NotFound message, as kube returns the getter's error.
    const sa = await this.get('serviceaccounts', namespace, saRef.name);
    if (deletedBefore(sa)) throw new ValidationError(`service account ${namespace}/${saRef.name} has been deleted`);
    if (sa.metadata.uid !== saRef.uid) throw new ValidationError(`service account UID (${sa.metadata.uid}) does not match claim (${saRef.uid})`);
    const invalidated = 'service account token has been invalidated';
    const bound = async (plural: string, ns: string | undefined, ref: { name: string; uid?: string }, what: string) => {
      const obj = await this.get(plural, ns, ref.name).catch(() => {
        throw new ValidationError(invalidated);
      });
      if (deletedBefore(obj)) throw new ValidationError(invalidated);
      if (ref.uid !== obj.metadata.uid) {
        throw new ValidationError(`${what} UID (${obj.metadata.uid}) does not match service account ${what} ref claim (${ref.uid})`);
      }
    };
    if (k.secret) await bound('secrets', namespace, k.secret, 'secret');
    const info: ServiceAccountInfo = { namespace, name: saRef.name, uid: saRef.uid ?? '' };
    if (k.pod) {
      await bound('pods', namespace, k.pod, 'pod');
      info.podName = k.pod.name;
      info.podUID = k.pod.uid;
    }
    if (k.node) {
      // A pod-bound token only carries its node's name for information; a node-bound one needs the node.
      if (!k.pod) await bound('nodes', undefined, k.node, 'node');
      info.nodeName = k.node.name;
      info.nodeUID = k.node.uid;
    }
    if (typeof claims.jti === 'string' && claims.jti) info.credentialID = `JTI=${claims.jti}`;
    return info;
  }

  private async get(plural: string, namespace: string | undefined, name: string): Promise<KubeObject> {
    const registry = this.opts.registry;
    const def = registry.catalog.lookup('', 'v1', plural)!;
    return (await registry.store(def).get(namespace, name)).object;
  }
}
