// The API server's half of pods/log, exec, attach and portforward: after authorization and the
// pod's checks (pod-location.ts), the request goes to the node's kubelet over HTTPS. Logs are
// streamed back (a kubelet refusal becomes a Status, as kube's GenericHttpResponseChecker
// makes it); upgrades are tunnelled raw, as kube's UpgradeAwareHandler does: the kubelet's
// answer (101 and the protocol after it, or its error) goes to the client byte for byte.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { errors, StatusError } from '../../api/errors.ts';
import type { Registry } from '../../registry/registry.ts';
import type { KubeletClient } from './kubelet-client.ts';
import type { PodLocation } from './pod-location.ts';

/** Bytes of a kubelet error body read into a Status (kube's maxReadLength is 50 kB). */
const maxErrorBody = 50_000;

export async function proxyPodLog(req: FastifyRequest, reply: FastifyReply, registry: Registry, kubelet: KubeletClient,
  name: string, target: PodLocation): Promise<void> {
  const abort = new AbortController();
  reply.raw.on('close', () => abort.abort());
  let upstream: IncomingMessage | undefined;
  if (target.nodeName) upstream = await kubelet.get(await kubelet.locate(registry, target.nodeName), target.path, abort.signal);
  if (upstream && upstream.statusCode !== 200) throw await kubeletFailure(upstream, `pods/log`, name);
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
  raw.flushHeaders();
  if (!upstream) return void raw.end();
  upstream.on('data', (chunk: Buffer) => raw.write(chunk));
  upstream.on('end', () => raw.end());
  upstream.on('error', (err) => {
    req.log.debug({ err }, 'log stream from the kubelet ended');
    raw.end();
  });
}

async function kubeletFailure(res: IncomingMessage, resource: string, name: string): Promise<StatusError> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size >= maxErrorBody) break;
  }
  res.destroy();
  const text = Buffer.concat(chunks).subarray(0, maxErrorBody).toString('utf8').trim();
  switch (res.statusCode) {
    case 400: return errors.badRequest(text);
    case 500: return errors.internal(text);
    case 404: return new StatusError(404, 'NotFound', text || `the server could not find the requested resource ( ${resource} ${name})`, { name, kind: resource });
    case 403: return new StatusError(403, 'Forbidden', text, { name, kind: resource });
    default: return new StatusError(res.statusCode ?? 500, 'InternalError', text || `the server responded with the status code ${res.statusCode} but did not return more information`, { name, kind: resource });
  }
}

/** Request headers kube-apiserver does not pass to a kubelet: the caller's credentials are its own business. */
const droppedHeaders = new Set(['host', 'authorization', 'proxy-authorization', 'content-length']);

export async function tunnelUpgrade(req: FastifyRequest, reply: FastifyReply, registry: Registry, kubelet: KubeletClient, target: PodLocation): Promise<void> {
  const location = await kubelet.locate(registry, target.nodeName!);
  const backend = await kubelet.dial(location);
  reply.hijack();
  const client = req.raw.socket as Duplex;
  const lines = [`${req.method} ${target.path} HTTP/1.1`, `Host: ${location.host.includes(':') ? `[${location.host}]` : location.host}:${location.port}`];
  const raw = req.raw.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const header = raw[i].toLowerCase();
    if (droppedHeaders.has(header) || header.startsWith('impersonate-')) continue;
    lines.push(`${raw[i]}: ${raw[i + 1]}`);
  }
  backend.write(`${lines.join('\r\n')}\r\n\r\n`);
  const head = upgradeHead(req.raw);
  if (head?.length) backend.write(head);
  client.pipe(backend);
  backend.pipe(client);
  const close = () => {
    client.destroy();
    backend.destroy();
  };
  client.on('error', close);
  backend.on('error', close);
  client.on('close', close);
  backend.on('close', close);
}

/** Bytes the client sent after its upgrade request, kept by @fastify/websocket on the request. */
function upgradeHead(req: IncomingMessage): Buffer | undefined {
  const symbol = Object.getOwnPropertySymbols(req).find((s) => s.description === 'ws-head');
  const head = symbol ? (req as unknown as Record<symbol, unknown>)[symbol] : undefined;
  return Buffer.isBuffer(head) ? head : undefined;
}
