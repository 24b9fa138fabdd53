// The resource routes: every verb of every resource maps onto the registry here, once.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errors, field } from '../api/errors.ts';
import { expectedTypeMeta, parseFieldValidation } from '../registry/decode.ts';
import type { DeleteRequest } from '../registry/generic-store.ts';
import { parseListQuery } from '../registry/list-options.ts';
import { patchTypeOf, supportedPatchTypes } from '../registry/patch.ts';
import type { Registry } from '../registry/registry.ts';
import { toScale } from '../registry/scale.ts';
import { parseIncludeObject } from '../registry/table.ts';
import { checkAgainstSchema } from '../registry/validation/schema.ts';
import type { ResourceDef, Verb } from '../registry/types.ts';
import { sendDiscovery } from './discovery.ts';
import { decodeRequestBody, negotiate, type View } from './negotiate.ts';
import { protobufMediaType } from './protobuf/index.ts';
import { groupVersion } from '../registry/types.ts';
import { apiPathOf } from './request-info.ts';
import { checkFieldManager } from '../registry/validation/field-manager.ts';
import { sendList, sendObject, sendObjectList, sendSuccess, sendText, sendWarnings } from './respond.ts';
import { bindPod, evictPod } from '../registry/pod-subresources.ts';
import { subresourceInfo, subresourceKind } from '../registry/subresources.ts';
import type { SubresourceName } from '../registry/types.ts';
import { serveWatch } from './watch-http.ts';
import type { KubeletClient } from './kubelet-proxy/kubelet-client.ts';
import { isPodConnect, isUpgradeRequest, servePodConnect } from './kubelet-proxy/pod-routes.ts';
import { serveProxy } from './kubelet-proxy/proxy.ts';
import { serveWatchWebSocket } from './watch-ws.ts';
import type { WebSocket } from 'ws';
import { queryBool } from '../api/query-bool.ts';
import { bindingResource } from '../registry/resources/small-kinds.ts';
import type { Aggregator } from './aggregator/aggregator.ts';
import { proxyToExtension } from './aggregator/proxy.ts';

type Query = Record<string, string | string[] | undefined>;
const deleteOptionsDefinition = 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions';
const bodyTypes = ['application/json', 'application/yaml', protobufMediaType];
/** Custom resources have no protobuf encoding: kube's crdHandler takes JSON and YAML only. */
const customBodyTypes = ['application/json', 'application/yaml'];

function bodyTypesOf(def: ResourceDef): string[] {
  return def.custom ? customBodyTypes : bodyTypes;
}

export async function resourceRoutes(app: FastifyInstance, opts: { registry: Registry; aggregator?: Aggregator; kubelet?: KubeletClient }): Promise<void> {
  const { registry, aggregator } = opts;
  // Upgrades of pods/exec, attach and portforward go to the kubelet before @fastify/websocket's
  // handler could accept them as a watch (WebSocket) or refuse them (SPDY).
  // A callback hook: it runs before every request and nearly all of them are no upgrade.
  app.addHook('preHandler', (req, reply, done) => {
    if (!isUpgradeRequest(req)) return done();
    const path = apiPathOf(req, registry.catalog);
    if (path.kind !== 'resource' || path.name === undefined || path.namespace === undefined || !isPodConnect(path.def, path.subresource)) return done();
    servePodConnect(req, reply, registry, opts.kubelet, { def: path.def, namespace: path.namespace, name: path.name, subresource: path.subresource })
      // Answered (or hijacked for the tunnel): the route handler does not run.
      .catch((err: Error) => done(err));
  });
  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    // An aggregated group-version: the extension API server answers (kube-aggregator's proxy).
    const remote = aggregator?.match(req.url);
    if (remote) return proxyToExtension(aggregator!, remote, req, reply);
    const path = apiPathOf(req, registry.catalog);
    if (path.kind !== 'resource') {
      if (req.method !== 'GET') throw errors.methodNotAllowed();
      return sendDiscovery(req, reply, registry.catalog, path);
    }
    const { def, namespace, name, subresource } = path;
    if (def.deprecationWarning) sendWarnings(reply, [def.deprecationWarning]);
    const query = req.query as Query;
    if (subresource === 'proxy' && name !== undefined) {
      return serveProxy(req, reply, registry, opts.kubelet, { def, namespace, name, path: path.proxyPath ?? '/' });
    }
    if (subresource !== undefined && !subresourceInfo[subresource as SubresourceName].verbs.includes(subresourceVerbOf(req.method))) {
      throw errors.methodNotAllowed();
    }
    switch (req.method) {
      case 'GET':
        if (name === undefined) return listOrWatch(req, reply, registry, def, namespace, query);
        return getOne(req, reply, registry, def, namespace, name, subresource, opts.kubelet);
      case 'POST':
        if (name !== undefined && subresource !== undefined) return createSubresource(req, reply, registry, def, namespace!, name, subresource);
        if (name !== undefined) throw errors.methodNotAllowed();
        if (def.namespaced && namespace === undefined) throw errors.methodNotAllowed();
        return create(req, reply, registry, def, namespace, query);
      case 'PUT':
        if (name === undefined) throw errors.methodNotAllowed();
        return update(req, reply, registry, def, namespace, name, subresource, query);
      case 'PATCH':
        if (name === undefined) throw errors.methodNotAllowed();
        return patch(req, reply, registry, def, namespace, name, subresource, query);
      case 'DELETE':
        if (subresource !== undefined) throw errors.methodNotAllowed();
        return name === undefined
          ? deleteCollection(req, reply, registry, def, namespace, query)
          : deleteOne(req, reply, registry, def, namespace, name, query);
      default:
        throw errors.methodNotAllowed();
    }
  };
  const wsHandler = (socket: WebSocket, req: FastifyRequest) => serveWatchWebSocket(socket, req, registry);
  for (const url of ['/api', '/apis', '/api/*', '/apis/*']) {
    app.route({ method: 'GET', url, handler, wsHandler });
    app.route({ method: ['POST', 'PUT', 'PATCH', 'DELETE'], url, handler });
  }
}

function subresourceVerbOf(method: string): string {
  return ({ GET: 'get', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' } as Record<string, string>)[method] ?? '';
}

function requireVerb(def: ResourceDef, verb: Verb): void {
  if (!def.verbs.includes(verb)) throw errors.methodNotAllowed();
}

function one(q: Query, name: string): string | undefined {
  const v = q[name];
  return Array.isArray(v) ? v[0] : v;
}

function dryRunValues(q: Query): string[] {
  const v = q.dryRun;
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function dryRunOf(q: Query): boolean {
  const values = dryRunValues(q);
  for (const value of values) {
    if (value !== 'All') throw errors.badRequest(`Invalid dryRun value: ${JSON.stringify(values)}`);
  }
  return values.length > 0;
}

function writeOptions(q: Query, req: FastifyRequest) {
  const options = req.method === 'POST' ? 'CreateOptions' : req.method === 'PUT' ? 'UpdateOptions' : 'PatchOptions';
  checkFieldManager(one(q, 'fieldManager'), options);
  return {
    dryRun: dryRunOf(q), fieldValidation: parseFieldValidation(one(q, 'fieldValidation')), fieldManager: one(q, 'fieldManager'),
    userAgent: req.headers['user-agent'], user: req.user,
  };
}

function objectViews(): View[] {
  return ['Table', 'PartialObjectMetadata'];
}

/** POST to a create-only subresource (pods/binding, pods/eviction, serviceaccounts/token). */
async function createSubresource(req: FastifyRequest, reply: FastifyReply, registry: Registry, def: ResourceDef, namespace: string, name: string, subresource: string) {
  if (isPodConnect(def, subresource)) throw errors.badRequest('Upgrade request required');
  const handler = subresource === 'binding' ? bindPod : subresource === 'eviction' ? evictPod : undefined;
  if (!handler && subresource !== 'token') throw errors.methodNotAllowed();
  const kind = subresourceKind(def, subresource as SubresourceName);
  const body = decodeRequestBody(req.body as Buffer | undefined, req.headers['content-type'], bodyTypes,
    { apiVersion: kind.group ? `${kind.group}/${kind.version}` : kind.version, kind: kind.kind });
  if (subresource === 'token') return createToken(reply, registry, namespace, name, body);
  if (subresource === 'eviction') {
    // The Eviction's own deleteOptions may carry dryRun (kubectl drain --dry-run=server): evictPod merges both.
    const status = await evictPod(registry, def, namespace, name, body, dryRunValues(req.query as Query));
    return sendText(reply, 201, 'application/json', JSON.stringify(status));
  }
  if (dryRunOf(req.query as Query)) return sendText(reply, 201, 'application/json', JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 }));
  const status = await handler!(registry, def, namespace, name, body);
  return sendText(reply, 201, 'application/json', JSON.stringify(status));
}

/** serviceaccounts/token: kube's TokenREST answers with the TokenRequest and its token; nothing is stored. */
async function createToken(reply: FastifyReply, registry: Registry, namespace: string, name: string, body: unknown) {
  if (!registry.serviceAccountTokens) throw errors.notFoundPath();
  const res = await registry.serviceAccountTokens.create(namespace, name, body);
  sendWarnings(reply, res.warnings);
  return sendText(reply, 201, 'application/json', JSON.stringify(res.object));
}

async function getOne(req: FastifyRequest, reply: FastifyReply, registry: Registry, def: ResourceDef, namespace: string | undefined, name: string, subresource?: string,
  kubelet?: KubeletClient) {
  requireVerb(def, 'get');
  const rep = negotiate(req.headers.accept, objectViews());
  if (isPodConnect(def, subresource)) return servePodConnect(req, reply, registry, kubelet, { def, namespace: namespace!, name, subresource });
  const stored = await registry.store(def).get(namespace, name);
  const includeObject = parseIncludeObject(one(req.query as Query, 'includeObject'));
  if (subresource === 'scale') {
    return sendObject(reply, { ...rep, view: 'object' }, { code: 200, def, object: toScale(def, stored.object), includeObject });
  }
  return sendObject(reply, rep, { code: 200, def, object: stored.object, json: stored.json, includeObject });
}

async function listOrWatch(req: FastifyRequest, reply: FastifyReply, registry: Registry, def: ResourceDef, namespace: string | undefined, q: Query) {
  const query = parseListQuery(q);
  const includeObject = parseIncludeObject(one(q, 'includeObject'));
  if (query.watch) {
    requireVerb(def, 'watch');
    const rep = negotiate(req.headers.accept, ['Table', 'PartialObjectMetadata']);
    return serveWatch(req, reply, registry, { def, namespace, rep, includeObject, query });
  }
  requireVerb(def, 'list');
  const rep = negotiate(req.headers.accept, ['Table', 'PartialObjectMetadataList']);
  const page = await registry.list(def, namespace, query);
  return sendList(reply, rep, def, page, includeObject);
}

async function create(req: FastifyRequest, reply: FastifyReply, registry: Registry, def: ResourceDef, namespace: string | undefined, q: Query) {
  requireVerb(def, 'create');
  const rep = negotiate(req.headers.accept, objectViews());
  const body = decodeRequestBody(req.body as Buffer | undefined, req.headers['content-type'], bodyTypesOf(def), expectedTypeMeta(def));
  if (def === bindingResource) {
    const name = (body as { metadata?: { name?: string } } | undefined)?.metadata?.name ?? '';
    const status = await bindPod(registry, registry.catalog.lookup('', 'v1', 'pods')!, namespace!, name, body);
    return sendText(reply, 201, 'application/json', JSON.stringify(status));
  }
  def.custom?.admitCreate?.();
  const res = await registry.store(def).create(namespace, body, writeOptions(q, req));
  sendWarnings(reply, res.warnings);
  return sendObject(reply, rep, { code: 201, def, object: res.object, json: res.json, includeObject: 'Metadata' });
}

async function update(req: FastifyRequest, reply: FastifyReply, registry: Registry, def: ResourceDef, namespace: string | undefined, name: string, subresource: string | undefined, q: Query) {
  requireVerb(def, 'update');
  const rep = negotiate(req.headers.accept, objectViews());
  const body = decodeRequestBody(req.body as Buffer | undefined, req.headers['content-type'], bodyTypesOf(def), expectedTypeMeta(def, subresource));
  const res = await registry.store(def).update(namespace, name, body, { ...writeOptions(q, req), subresource });
  sendWarnings(reply, res.warnings);
  return sendObject(reply, rep, { code: res.created ? 201 : 200, def, object: res.object, json: res.json, includeObject: 'Metadata' });
}

async function patch(req: FastifyRequest, reply: FastifyReply, registry: Registry, def: ResourceDef, namespace: string | undefined, name: string, subresource: string | undefined, q: Query) {
  requireVerb(def, 'patch');
  const rep = negotiate(req.headers.accept, objectViews());
  const accepted = def.custom?.patchTypes ?? supportedPatchTypes;
  const type = patchTypeOf(req.headers['content-type'], accepted);
  const body = decodeRequestBody(req.body as Buffer | undefined, req.headers['content-type'], accepted);
  if (body === undefined) throw errors.badRequest('the body of the request was empty');
  const force = one(q, 'force');
  if (force !== undefined && type !== 'apply') {
    throw errors.invalid('PatchOptions', 'meta.k8s.io', '', [field.forbidden('force', 'may not be specified for non-apply patch')]);
  }
  const opts = { ...writeOptions(q, req), subresource, force: queryBool(force) ?? false };
  const store = registry.store(def);
  const res = type === 'apply' ? await store.apply(namespace, name, body, opts) : await store.patch(namespace, name, type, body, opts);
  sendWarnings(reply, res.warnings);
  return sendObject(reply, rep, { code: res.created ? 201 : 200, def, object: res.object, json: res.json, includeObject: 'Metadata' });
}

/** DeleteOptions from the body (kubectl sends one) and the query string, the query winning as in kube. */
function deleteRequest(req: FastifyRequest, def: ResourceDef, q: Query): DeleteRequest {
  const body = decodeRequestBody(req.body as Buffer | undefined, req.headers['content-type'], bodyTypes,
    { apiVersion: groupVersion(def), kind: 'DeleteOptions' }) as Record<string, any> | undefined;
  const out: DeleteRequest = { user: req.user };
  if (body && typeof body === 'object') {
    // Fields of the wrong type fail the request (Go's decoder refuses them) rather than being
    // skipped: a dryRun that is not a list must not turn into a real delete.
    const check = checkAgainstSchema(deleteOptionsDefinition, body, { mode: 'Ignore', kind: 'DeleteOptions', apiVersion: 'meta.k8s.io/v1' });
    if (check.badRequest) throw check.badRequest;
    if (body.gracePeriodSeconds !== undefined && body.gracePeriodSeconds !== null) out.gracePeriodSeconds = Number(body.gracePeriodSeconds);
    if (body.propagationPolicy) out.propagationPolicy = body.propagationPolicy;
    if (typeof body.orphanDependents === 'boolean') out.orphanDependents = body.orphanDependents;
    if (body.preconditions) out.preconditions = body.preconditions;
    if (Array.isArray(body.dryRun) && body.dryRun.length) {
      if (body.dryRun.some((v: unknown) => v !== 'All')) throw errors.badRequest(`Invalid dryRun value: ${JSON.stringify(body.dryRun)}`);
      out.dryRun = true;
    }
  }
  const grace = one(q, 'gracePeriodSeconds');
  if (grace !== undefined) out.gracePeriodSeconds = Number(grace);
  const policy = one(q, 'propagationPolicy');
  if (policy) out.propagationPolicy = policy as DeleteRequest['propagationPolicy'];
  const orphan = one(q, 'orphanDependents');
  if (orphan !== undefined) out.orphanDependents = queryBool(orphan);
  if (dryRunOf(q)) out.dryRun = true;
  if (out.propagationPolicy && !['Orphan', 'Background', 'Foreground'].includes(out.propagationPolicy)) {
    throw errors.invalid('DeleteOptions', '', '', [{ type: 'FieldValueNotSupported', field: 'propagationPolicy', badValue: out.propagationPolicy, supported: ['Foreground', 'Background', 'Orphan', 'nil'] }]);
  }
  if (out.gracePeriodSeconds !== undefined && (!Number.isInteger(out.gracePeriodSeconds))) {
    throw errors.badRequest(`invalid gracePeriodSeconds: ${grace}`);
  }
  if (out.propagationPolicy && out.orphanDependents !== undefined) {
    throw errors.invalid('DeleteOptions', '', '', [{ type: 'FieldValueInvalid', field: 'propagationPolicy', badValue: out.propagationPolicy, detail: 'orphanDependents and deletionPropagation cannot be both set' }]);
  }
  return out;
}

async function deleteOne(req: FastifyRequest, reply: FastifyReply, registry: Registry, def: ResourceDef, namespace: string | undefined, name: string, q: Query) {
  requireVerb(def, 'delete');
  const rep = negotiate(req.headers.accept, objectViews());
  const res = await registry.store(def).delete(namespace, name, deleteRequest(req, def, q));
  if (res.deleted && !def.returnDeletedObject) {
    return sendSuccess(reply, rep, { name, group: def.group || undefined, kind: def.plural, uid: res.object.metadata.uid });
  }
  return sendObject(reply, rep, { code: 200, def, object: res.object, includeObject: 'Metadata' });
}

async function deleteCollection(req: FastifyRequest, reply: FastifyReply, registry: Registry, def: ResourceDef, namespace: string | undefined, q: Query) {
  requireVerb(def, 'deletecollection');
  const rep = negotiate(req.headers.accept, []);
  const query = parseListQuery(q);
  const deleted = await registry.deleteCollection(def, namespace, query, deleteRequest(req, def, q));
  return sendObjectList(reply, rep, def, deleted);
}
