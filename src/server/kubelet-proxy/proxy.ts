// nodes/proxy, pods/proxy and services/proxy, as kube-apiserver's proxy subresources: the
// request (any method, its body, the path after /proxy and the query) goes on to the node's
// kubelet API, to a port of the pod, or to a ready endpoint of the Service (round robin), and
// the answer streams back. Pod IPs here are simulated and route nowhere, so a pod's port is
// reached through its kubelet's port-forward, as `kubectl port-forward` reaches it.
import type { FastifyReply, FastifyRequest } from 'fastify';
import http, { type IncomingMessage } from 'node:http';
import { errors, StatusError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/types.ts';
import type { Registry } from '../../registry/registry.ts';
import type { ResourceDef } from '../../registry/types.ts';
import { portForwardStream } from '../../streaming/port-forward-client.ts';
import type { KubeletClient } from './kubelet-client.ts';

export interface ProxyTarget {
  def: ResourceDef;
  namespace?: string;
  /** As in the URL: `name`, `name:port`, or for services `scheme:name:port`. */
  name: string;
  path: string;
}

/** Hop-by-hop headers (RFC 7230 6.1) and the caller's credentials stay on this side. */
const dropped = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'authorization', 'content-length']);

/** Which endpoint each Service's next request goes to. */
const roundRobin = new Map<string, number>();

export async function serveProxy(req: FastifyRequest, reply: FastifyReply, registry: Registry, kubelet: KubeletClient | undefined, target: ProxyTarget): Promise<void> {
  if (!kubelet) throw new StatusError(503, 'ServiceUnavailable', 'this API server has no kubelet client credentials');
  const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
  const path = target.path + query;
  const abort = new AbortController();
  reply.raw.on('close', () => abort.abort());
  const headers: Record<string, string> = { connection: 'close' };
  for (const [name, value] of Object.entries(req.headers)) {
    if (!dropped.has(name) && !name.startsWith('impersonate-') && value !== undefined) headers[name] = ([] as string[]).concat(value).join(', ');
  }
  const body = Buffer.isBuffer(req.body) && req.body.length ? req.body : undefined;
  let upstream: IncomingMessage;
  if (target.def.plural === 'nodes') {
    const location = await kubelet.locate(registry, target.name);
    upstream = await kubelet.request(location, req.method, path, headers, body, abort.signal);
  } else {
    const { pod, port } = target.def.plural === 'pods'
      ? await podPort(registry, target.def, target.namespace!, target.name)
      : await serviceEndpoint(registry, target.def, target.namespace!, target.name);
    upstream = await throughPortForward(registry, kubelet, pod, port, { method: req.method, path, headers, body, signal: abort.signal });
  }
  reply.hijack();
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(upstream.headers)) if (!dropped.has(name) && value !== undefined) out[name] = value;
  reply.raw.writeHead(upstream.statusCode ?? 502, out);
  upstream.pipe(reply.raw);
  upstream.on('error', () => reply.raw.destroy());
}

/** `name[:port]` of a pod: a number, or the name of a container port; without one, port 80 as kube's proxy to the pod IP. */
async function podPort(registry: Registry, def: ResourceDef, namespace: string, nameAndPort: string): Promise<{ pod: KubeObject; port: number }> {
  const [name, portText] = splitNamePort(nameAndPort);
  const pod = (await registry.store(def).get(namespace, name)).object;
  if (!portText) return { pod, port: 80 };
  if (/^\d+$/.test(portText)) return { pod, port: Number(portText) };
  // A named port: the container port with that name.
  for (const c of pod.spec?.containers ?? []) {
    const match = (c.ports ?? []).find((p: { name?: string }) => p.name === portText);
    if (match) return { pod, port: match.containerPort };
  }
  throw errors.badRequest(`no such port "${portText}" on pod ${name}`);
}

/**
 * `[scheme:]name[:port]` of a Service: the port by name or number (the only one when unnamed),
 * then the next ready endpoint for it, round robin over the Endpoints' ready addresses.
 */
async function serviceEndpoint(registry: Registry, def: ResourceDef, namespace: string, id: string): Promise<{ pod: KubeObject; port: number }> {
  const parts = id.split(':');
  const [name, portText] = parts.length === 3 ? [parts[1], parts[2]] : [parts[0], parts[1]];
  const service = (await registry.store(def).get(namespace, name)).object;
  const ports: { name?: string; port: number; targetPort?: number | string }[] = service.spec?.ports ?? [];
  const servicePort = portText
    ? ports.find((p) => p.name === portText || String(p.port) === portText)
    : ports.length === 1 ? ports[0] : undefined;
  if (!servicePort) throw new StatusError(503, 'ServiceUnavailable', `no endpoints available for service "${name}"`);
  const endpointsDef = registry.catalog.lookup('', 'v1', 'endpoints')!;
  const endpoints = await registry.store(endpointsDef).get(namespace, name).then((r) => r.object, () => undefined);
  const candidates: { pod: string; port: number }[] = [];
  for (const subset of (endpoints?.subsets ?? []) as EndpointSubset[]) {
    const port = (subset.ports ?? []).find((p) => (p.name ?? '') === (servicePort.name ?? ''));
    if (!port) continue;
    for (const address of subset.addresses ?? []) {
      if (address.targetRef?.kind === 'Pod') candidates.push({ pod: address.targetRef.name, port: port.port });
    }
  }
  if (candidates.length === 0) throw new StatusError(503, 'ServiceUnavailable', `no endpoints available for service "${name}"`);
  const key = `${namespace}/${name}`;
  const next = roundRobin.get(key) ?? 0;
  roundRobin.set(key, next + 1);
  const chosen = candidates[next % candidates.length];
  const podsDef = registry.catalog.lookup('', 'v1', 'pods')!;
  return { pod: (await registry.store(podsDef).get(namespace, chosen.pod)).object, port: chosen.port };
}

interface EndpointSubset {
  addresses?: { targetRef?: { kind?: string; name: string } }[];
  ports?: { name?: string; port: number }[];
}

function splitNamePort(id: string): [string, string | undefined] {
  const at = id.lastIndexOf(':');
  return at < 0 ? [id, undefined] : [id.slice(0, at), id.slice(at + 1)];
}

interface ForwardedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  signal: AbortSignal;
}

/** One HTTP exchange with `port` in the pod, over a port-forward connection through its kubelet. */
async function throughPortForward(registry: Registry, kubelet: KubeletClient, pod: KubeObject, port: number, request: ForwardedRequest): Promise<IncomingMessage> {
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) throw new StatusError(503, 'ServiceUnavailable', `pod ${pod.metadata.name} does not have a host assigned`);
  const location = await kubelet.locate(registry, nodeName);
  const ws = await kubelet.webSocket(location, `/portForward/${encodeURIComponent(pod.metadata.namespace!)}/${encodeURIComponent(pod.metadata.name!)}?port=${port}`, ['v4.channel.k8s.io']);
  const connection = portForwardStream(ws);
  return new Promise((resolve, reject) => {
    const req = http.request({
      // No agent: createConnection is used only without one.
      method: request.method, path: request.path, signal: request.signal,
      headers: { ...request.headers, host: `${pod.status?.podIP ?? pod.metadata.name}:${port}` },
      createConnection: () => connection,
    }, resolve);
    req.on('error', (err) => reject(new StatusError(503, 'ServiceUnavailable', `error trying to reach service: ${err.message}`)));
    req.end(request.body);
  });
}
