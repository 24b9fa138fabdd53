// The Fastify application: one plugin per concern, one error path that always answers with
// a metav1.Status.
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { errors, StatusError } from '../api/errors.ts';
import { isStorageError } from '../storage/interface.ts';
import type { Registry } from '../registry/registry.ts';
import { healthRoutes, type HealthChecks } from './health.ts';
import { metricsApiRoutes } from './metrics-api.ts';
import { componentStatusRoutes } from './component-status.ts';
import type { Aggregator } from './aggregator/aggregator.ts';
import { openapiRoutes } from './openapi.ts';
import { prometheusRoutes } from './prometheus.ts';
import { resourceRoutes } from './resources.ts';
import type { KubeletClient } from './kubelet-proxy/kubelet-client.ts';
import { sendStatus } from './respond.ts';
import websocket from '@fastify/websocket';
import { selectWebSocketProtocol } from './watch-ws.ts';
import type { ServerOptions as HttpsServerOptions } from 'node:https';
import type { RequestAuthenticator } from '../auth/authenticate.ts';
import type { Authorizer } from '../api/authorization.ts';
import { installAuthFilter } from './auth-filter.ts';
import { defaultMaxInFlight, maxInFlightGate, type MaxInFlightOptions } from './max-in-flight.ts';
import { authenticationApiRoutes, type TokenReviewOptions } from './authentication-api.ts';
import type { RuleResolver } from '../auth/rbac/rule-resolver.ts';
import { authorizationApiRoutes } from './authorization-api.ts';
import { installPrettyPrint } from './pretty.ts';
import { answerClientError, httpServerOptions, httpServerSettings, type HttpServingOptions } from './http-serving.ts';
import { sendBodyTooLarge } from './body-limit.ts';
import { isUiPath, uiRoutes, type UiOptions } from './ui.ts';

/** kube-apiserver's limit on request bodies (3 MiB). */
export const maxRequestBodyBytes = 3 * 1024 * 1024;

export interface ApiServerAppOptions {
  registry: Registry;
  logger: Logger;
  checks?: HealthChecks;
  /** --max-requests-inflight / --max-mutating-requests-inflight (default 400 / 200). */
  maxInFlight?: MaxInFlightOptions;
  /** Serve TLS (kube-apiserver's secure port); plain HTTP when absent. */
  https?: HttpsServerOptions;
  /** Authenticate and authorize every request; without it every request is the unsecured user. */
  auth?: { authenticator: RequestAuthenticator; authorizer: Authorizer; tokenReview?: TokenReviewOptions; ruleResolver?: RuleResolver };
  /** --request-timeout and the connection limits (see http-serving.ts). */
  serving?: HttpServingOptions;
  /** API aggregation: group-versions served by extension API servers behind APIServices. */
  aggregator?: Aggregator;
  /** Serve the browser console at /ui/ (off with --no-ui). */
  ui?: UiOptions;
  /** How pods/log, exec, attach and portforward reach kubelets; without it they answer 503. */
  kubelet?: KubeletClient;
}

/** The methods the resource routes serve; any other is 405, as kube answers it. */
const routedMethods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);

/** Go's url.EscapeError text for the first bad percent-escape in a path. */
function badEscapeMessage(url: string): string {
  const bad = /%(?![0-9a-fA-F]{2})[^/?]{0,2}/.exec(url)?.[0] ?? url;
  return `invalid URL escape ${JSON.stringify(bad)}`;
}

/** Fastify's compiler factories, for a server none of whose routes has a schema. */
function noFastifySchemas(): never {
  throw new Error('kubelite routes declare no Fastify schemas');
}

export async function buildApp(opts: ApiServerAppOptions): Promise<FastifyInstance> {
  const settings = httpServerSettings(opts.serving ?? {});
  const app = Fastify({
    loggerInstance: opts.logger,
    // Go's MaxHeaderBytes (1 MiB) rather than Node's 16 KB; past it a 431 Status (clientErrorHandler).
    http: httpServerOptions(opts.serving ?? {}),
    clientErrorHandler: answerClientError,
    requestTimeout: settings.requestTimeout,
    keepAliveTimeout: settings.keepAliveTimeout,
    // A path Fastify cannot decode (`%zz`) is a 400 Status, as Go's URL parsing refuses it.
    frameworkErrors: (err, req, reply) => {
      if (err.code === 'FST_ERR_BAD_URL') return sendStatus(reply, errors.badRequest(badEscapeMessage(req.url)));
      return sendStatus(reply, errors.badRequest(err.message));
    },
    // Per-request lines go out at debug level from the onResponse hook below instead.
    logController: new LogController({ disableRequestLogging: true }),
    // A child logger per request (pino's child(), ~10 µs of CPU) only when debug is on: the
    // per-request lines are debug lines; warnings and errors carry the method and URL instead.
    childLoggerFactory: (logger, bindings, childOptions) => (opts.logger.isLevelEnabled('debug') ? logger.child(bindings, childOptions) : logger),
    bodyLimit: maxRequestBodyBytes,
    // Watches hold connections open for up to an hour: closing the server ends them.
    forceCloseConnections: true,
    routerOptions: { ignoreDuplicateSlashes: true, maxParamLength: 1024 },
    // No route declares a Fastify schema (bodies are decoded by the registry): without these
    // factories Fastify loads its own ajv and fast-json-stringify at start-up (~40-80 ms).
    schemaController: { compilersFactory: { buildValidator: noFastifySchemas, buildSerializer: noFastifySchemas } },
    ...(opts.https && { https: { ...opts.https, ...httpServerOptions(opts.serving ?? {}) } }),
  }) as unknown as FastifyInstance;
  app.server.headersTimeout = settings.headersTimeout;
  // Bodies are decoded by the handlers, which know the resource and the media types it takes.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.setErrorHandler((err: Error & { code?: string; statusCode?: number }, req, reply) => {
    if (err instanceof StatusError) return sendStatus(reply, err);
    const code = err.code;
    if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendBodyTooLarge(req, reply, maxRequestBodyBytes);
    // An object past the store's limit: etcd's "request is too large", which kube-apiserver
    // answers as 413 with its request-body limit in the message.
    if (isStorageError(err, 'TooLarge') || err.message.includes('etcdserver: request is too large')) {
      return sendStatus(reply, errors.requestEntityTooLarge(maxRequestBodyBytes));
    }
    if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return sendStatus(reply, errors.unsupportedMediaType(String(req.headers['content-type'] ?? ''), ['application/json', 'application/yaml']));
    if (typeof err.statusCode === 'number' && err.statusCode < 500) {
      return sendStatus(reply, errors.badRequest(err.message));
    }
    req.log.error({ err, url: req.url, method: req.method }, 'request failed');
    return sendStatus(reply, errors.internal(err.message));
  });
  app.setNotFoundHandler((req, reply) => sendStatus(reply, routedMethods.has(req.method) ? errors.notFoundPath() : errors.methodNotAllowed()));
  installPrettyPrint(app);
  // A callback hook, and no line built unless debug is on: it runs for every request.
  app.addHook('onResponse', (req, reply, done) => {
    if (opts.logger.isLevelEnabled('debug')) req.log.debug({ method: req.method, url: req.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
    done();
  });
  if (opts.auth) {
    const beforeAuthorization = maxInFlightGate(opts.maxInFlight ?? defaultMaxInFlight);
    installAuthFilter(app, { ...opts.auth, catalog: opts.registry.catalog, beforeAuthorization, isPublicPath: opts.ui ? isUiPath : undefined });
  }
  await app.register(websocket, {
    options: { handleProtocols: (offered: Set<string>) => selectWebSocketProtocol(offered) },
  });
  // First: its hooks count and time every request after it.
  await app.register(prometheusRoutes, { registry: opts.registry });
  await app.register(healthRoutes, { checks: opts.checks ?? { ready: {} } });
  await app.register(openapiRoutes);
  await app.register(resourceRoutes, { registry: opts.registry, aggregator: opts.aggregator, kubelet: opts.kubelet });
  await app.register(metricsApiRoutes, { registry: opts.registry });
  await app.register(componentStatusRoutes, { registry: opts.registry });
  await app.register(authenticationApiRoutes, { registry: opts.registry, tokenReview: opts.auth?.tokenReview });
  if (opts.ui) await app.register(uiRoutes, opts.ui);
  if (opts.auth?.ruleResolver) await app.register(authorizationApiRoutes, { authorizer: opts.auth.authorizer, ruleResolver: opts.auth.ruleResolver });
  return app;
}
