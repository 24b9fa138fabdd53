// kube-apiserver's handler chain in front of every route: authentication (401 when credentials
// fail), impersonation (Impersonate-* headers, see auth/impersonation.ts), then authorization
// of the request's attributes (403 with kube's message). The
// authenticated user rides on the request (`req.user`) for admission and the registry.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errors, StatusError } from '../api/errors.ts';
import type { AuthenticationResult, RequestAuthenticator } from '../auth/authenticate.ts';
import { impersonate, impersonationRequests } from '../auth/impersonation.ts';
import type { AuthorizationAttributes, AuthorizationResult, Authorizer, UserInfo } from '../api/authorization.ts';
import type { ResourceCatalog } from '../registry/catalog.ts';
import { apiPathOf } from './request-info.ts';
import { sendStatus } from './respond.ts';
import { queryBool } from '../api/query-bool.ts';
import { requiredFieldValue } from '../registry/selectors/field-selector.ts';
import { isValidPathSegmentName } from '../registry/validation/names.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who made the request, once authenticated. */
    user: UserInfo;
  }
}

export interface AuthFilterOptions {
  authenticator: RequestAuthenticator;
  authorizer: Authorizer;
  catalog: ResourceCatalog;
  /** Runs after authentication and impersonation, before authorization (kube's max-in-flight filter sits there); false when it has answered. */
  beforeAuthorization?: (req: FastifyRequest, reply: FastifyReply) => boolean;
  /** Paths served to anyone without authentication (the console's static files, see ui.ts). */
  isPublicPath?: (path: string) => boolean;
}

/** Adds the filter to the root instance, so that it runs before every route of every plugin. */
export function installAuthFilter(app: FastifyInstance, opts: AuthFilterOptions): void {
  app.decorateRequest('user', undefined as unknown as UserInfo);
  // A callback hook that stays synchronous on the usual path (a client certificate, no
  // impersonation, an authorizer that answers at once): it runs before every request, and
  // each await would cost a promise and a turn of the microtask queue.
  app.addHook('onRequest', (req, reply, done) => {
    if (opts.isPublicPath?.(pathOf(req.url))) return done();
    const fail = (err: unknown) => done(err as Error);
    const authorize = (user: UserInfo) => {
      req.user = user;
      if (opts.beforeAuthorization && !opts.beforeAuthorization(req, reply)) return; // answered (429)
      const attrs = requestAttributes(req, user, opts.catalog);
      const decide = (result: AuthorizationResult) => {
        if (result.decision === 'Allow') return done();
        void sendStatus(reply, forbidden(attrs, result.reason));
      };
      const result = opts.authorizer.authorize(attrs);
      if (result instanceof Promise) result.then(decide).catch(fail);
      else decide(result);
    };
    const act = (authn: AuthenticationResult) => {
      if ('error' in authn) return void sendStatus(reply, errors.unauthorized());
      // WithImpersonation runs between authentication and authorization, as in kube's chain.
      // impersonationRequests throws kube's errors for malformed headers (groups without a user).
      if (impersonationRequests(req.raw).length === 0) return authorize(authn.user);
      impersonate(req.raw, authn.user, opts.authorizer).then((acting) => {
        if ('denied' in acting) return void sendStatus(reply, forbidden(acting.denied, acting.reason));
        authorize(acting.user);
      }).catch(fail);
    };
    const now = opts.authenticator.authenticateNow(req.raw);
    if (now) return act(now);
    // Whatever throws after a token lookup fails the request, as a throw above does through Fastify.
    opts.authenticator.authenticate(req.raw).then(act).catch(fail);
  });
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

const verbsByMethod: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

/** kube's RequestInfoFactory: the verb, resource and scope of a request; everything else is a non-resource URL. */
export function requestAttributes(req: FastifyRequest, user: UserInfo, catalog: ResourceCatalog): AuthorizationAttributes {
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  const nonResource: AuthorizationAttributes = { user, verb: req.method.toLowerCase(), resourceRequest: false, path };
  if (!path.startsWith('/api/') && !path.startsWith('/apis/')) return nonResource;
  let parsed;
  try {
    parsed = apiPathOf(req, catalog);
  } catch {
    return nonResource; // unknown paths 404 in the handler, after authorization, as in kube
  }
  if (parsed.kind !== 'resource') return nonResource;
  const { def, namespace, name, subresource } = parsed;
  let verb: string;
  let authorizedName = name;
  if (req.method === 'GET' || req.method === 'HEAD') {
    // Only reads look at the query (watch, fieldSelector); writes need not parse it.
    const query = new URLSearchParams(q < 0 ? '' : req.url.slice(q + 1));
    verb = name !== undefined ? 'get' : queryBool(query.get('watch')) ? 'watch' : 'list';
    // A list or watch of one name (fieldSelector=metadata.name=N) is authorized as a request
    // for N, so rules with resourceNames [N] allow it (kube's RequestInfoFactory).
    const selector = query.get('fieldSelector');
    if (name === undefined && selector) {
      const only = requiredFieldValue(selector, 'metadata.name');
      if (only !== undefined && isValidPathSegmentName(only).length === 0) authorizedName = only;
    }
  } else if (req.method === 'DELETE' && name === undefined) {
    verb = 'deletecollection';
  } else {
    verb = verbsByMethod[req.method] ?? req.method.toLowerCase();
  }
  // A websocket exec/attach/portforward asks for `create`, as kube 1.30+ authorizes the upgrade.
  if ((subresource === 'exec' || subresource === 'attach' || subresource === 'portforward') && verb === 'get') verb = 'create';
  return {
    user, verb, resourceRequest: true, path,
    apiGroup: def.group, apiVersion: def.version, resource: def.plural, subresource, namespace, name: authorizedName,
  };
}

/** kube's forbidden message: `User "jane" cannot create resource "pods" in API group "" in the namespace "dev"`. */
export function forbidden(attrs: AuthorizationAttributes, reason?: string): StatusError {
  const who = `User "${attrs.user.username}"`;
  const why = reason ? `: ${reason}` : '';
  if (!attrs.resourceRequest) {
    return new StatusError(403, 'Forbidden', `forbidden: ${who} cannot ${attrs.verb} path "${attrs.path}"${why}`, {});
  }
  const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource!;
  const scope = attrs.namespace ? `in the namespace "${attrs.namespace}"` : 'at the cluster scope';
  return errors.forbidden({ group: attrs.apiGroup ?? '', resource: attrs.resource! }, attrs.name ?? '',
    `${who} cannot ${attrs.verb} resource "${resource}" in API group "${attrs.apiGroup ?? ''}" ${scope}${why}`);
}
