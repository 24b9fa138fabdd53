// authentication.k8s.io/v1's two create-only resources, which nothing stores: TokenReview
// (is this bearer token good, and whose is it — as kube's pkg/registry/authentication/
// tokenreview asks the server's own token authenticators) and SelfSubjectReview (who am I —
// pkg/registry/authentication/selfsubjectreview answers with the caller's user, what
// `kubectl auth whoami` prints). Their rows join the catalog so that discovery lists them and
// authorization sees `create tokenreviews`; every other verb on them is refused with 405 by
// the generic routes, as kube answers.
import type { FastifyInstance } from 'fastify';
import { errors, StatusError } from '../api/errors.ts';
import type { KubeObject } from '../api/types.ts';
import type { Registry } from '../registry/registry.ts';
import type { ResourceDef } from '../registry/types.ts';
import { reviewHandler } from './review-routes.ts';
import type { TokenAuthenticator } from '../auth/authenticate.ts';
import { intersectAudiences, isAudienceAware } from '../auth/serviceaccount/authenticator.ts';
import type { UserInfo } from '../api/authorization.ts';

const group = 'authentication.k8s.io';
const version = 'v1';

function reviewResource(kind: string, plural: string): ResourceDef {
  return {
    group, version, kind, plural, singular: kind.toLowerCase(), shortNames: [], categories: [], namespaced: false,
    verbs: ['create'], subresources: [], schema: `io.k8s.api.authentication.v1.${kind}`, columns: [], strategy: {},
  };
}

export const tokenReviewResource = reviewResource('TokenReview', 'tokenreviews');
export const selfSubjectReviewResource = reviewResource('SelfSubjectReview', 'selfsubjectreviews');

export interface TokenReviewOptions {
  /** The server's bearer token authenticators, in order (the token file, ServiceAccount tokens). */
  tokens: TokenAuthenticator[];
  /** --api-audiences: what a review without spec.audiences checks the token against. */
  apiAudiences: string[];
}

export interface TokenReviewStatus {
  authenticated?: boolean;
  user: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
  audiences?: string[];
  error?: string;
}

/** k8s.io/apimachinery's utilerrors.NewAggregate(...).Error(). */
function aggregate(messages: string[]): string {
  return messages.length === 1 ? messages[0] : `[${messages.join(', ')}]`;
}

/**
 * What the bearer token authenticators say of `token` for `audiences`: kube's union of token
 * authenticators behind its bearer-token authenticator. Authenticators that know nothing of
 * audiences pass for the API audiences only (authenticator.WrapAudienceAgnosticToken).
 */
export async function reviewToken(opts: TokenReviewOptions, token: string, audiences: string[]): Promise<TokenReviewStatus> {
  const failures: string[] = [];
  for (const authenticator of opts.tokens) {
    if (isAudienceAware(authenticator)) {
      const result = await authenticator.authenticateTokenForAudiences(token, audiences);
      if (result && 'user' in result) return { authenticated: true, user: userInfo(result.user), audiences: result.audiences };
      if (result) failures.push(result.error);
      continue;
    }
    const implicit = intersectAudiences(opts.apiAudiences, audiences);
    if (opts.apiAudiences.length && audiences.length && implicit.length === 0) continue;
    const user = await authenticator.authenticateToken(token);
    if (user) return { authenticated: true, user: userInfo(user), audiences: implicit };
  }
  return { user: {}, error: failures.length ? aggregate(failures) : 'invalid bearer token' };
}

/** authentication.k8s.io/v1 UserInfo: empty fields left out. */
function userInfo(user: UserInfo): TokenReviewStatus['user'] {
  const out: TokenReviewStatus['user'] = { username: user.username };
  if (user.uid) out.uid = user.uid;
  if (user.groups.length) out.groups = [...user.groups];
  if (user.extra && Object.keys(user.extra).length) out.extra = structuredClone(user.extra);
  return out;
}

/** metav1.Time now, in seconds. */
function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export async function authenticationApiRoutes(app: FastifyInstance, opts: { registry: Registry; tokenReview?: TokenReviewOptions }): Promise<void> {
  for (const def of [tokenReviewResource, selfSubjectReviewResource]) {
    if (!opts.registry.catalog.lookup(def.group, def.version, def.plural)) opts.registry.catalog.add(def);
  }
  const base = `/apis/${group}/${version}`;

  app.post(`${base}/tokenreviews`, reviewHandler(tokenReviewResource, async (review) => {
    const spec = (review.spec ?? {}) as { token?: string; audiences?: string[] | null };
    if (!spec.token) throw errors.badRequest(`token is required for TokenReview in ${group}`);
    const out: KubeObject = {
      kind: 'TokenReview', apiVersion: `${group}/${version}`,
      metadata: { ...review.metadata, creationTimestamp: review.metadata?.creationTimestamp ?? null },
      spec: { ...spec },
      status: { user: {} },
    };
    if (opts.tokenReview) {
      const audiences = spec.audiences?.length ? spec.audiences : opts.tokenReview.apiAudiences;
      const status = await reviewToken(opts.tokenReview, spec.token, audiences);
      // kube refuses an authenticator answer that is not for any audience asked for (badAuthenticatorAuds).
      if (status.authenticated && audiences.length && intersectAudiences(audiences, status.audiences ?? []).length === 0) {
        throw new StatusError(500, 'InternalError', 'Internal error occurred: error validating audience');
      }
      out.status = status;
    }
    return out;
  }));

  app.post(`${base}/selfsubjectreviews`, reviewHandler(selfSubjectReviewResource, (_review, { user }) => {
    if (!user) throw errors.badRequest('no user present on request');
    return {
      kind: 'SelfSubjectReview', apiVersion: `${group}/${version}`,
      metadata: { creationTimestamp: now() },
      status: { userInfo: userInfo(user) },
    };
  }));
}
