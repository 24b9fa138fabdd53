// WATCH over WebSocket on the same URL as the HTTP stream, one event per message, as
// kube-apiserver serves it: plain text frames, or base64-encoded frames when the client
// asks for the `base64.binary.k8s.io` subprotocol (and binary frames for `binary.k8s.io`).
// Upgrades of pods/exec, attach and portforward never get here: kubelet-proxy/ tunnels them.
import type { FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { errors, StatusError } from '../api/errors.ts';
import type { KubeObject } from '../api/types.ts';
import { parseListQuery } from '../registry/list-options.ts';
import type { Registry } from '../registry/registry.ts';
import { parseIncludeObject } from '../registry/table.ts';
import { negotiate } from './negotiate.ts';
import { parseApiPath } from './request-info.ts';
import { watchEventEncoder } from './watch-encoding.ts';
import { defaultWatchLimits, watchTimeoutMs, type WatchLimits } from './watch-http.ts';

export const watchSubprotocols = ['base64.binary.k8s.io', 'binary.k8s.io'];

/** Picks the subprotocol kube would: the first one offered that it knows, else none (plain). */
export function selectWatchProtocol(offered: Set<string>): string | false {
  for (const p of offered) if (watchSubprotocols.includes(p)) return p;
  return false;
}

/** The subprotocol for a GET upgrade the server accepts itself: a watch's. */
export function selectWebSocketProtocol(offered: Set<string>): string | false {
  return selectWatchProtocol(offered);
}

export async function serveWatchWebSocket(socket: WebSocket, req: FastifyRequest, registry: Registry,
  limits: WatchLimits = defaultWatchLimits): Promise<void> {
  const protocol = socket.protocol;
  const send = (text: string) => {
    if (socket.readyState !== socket.OPEN) return;
    if (protocol === 'base64.binary.k8s.io') socket.send(Buffer.from(text).toString('base64'));
    else if (protocol === 'binary.k8s.io') socket.send(Buffer.from(text));
    else socket.send(text);
    if (socket.bufferedAmount > limits.maxBufferedBytes) {
      req.log.warn({ url: req.url, buffered: socket.bufferedAmount }, 'closing websocket watch of a client that does not read');
      socket.terminate();
    }
  };
  try {
    const path = parseApiPath(req.url, registry.catalog);
    if (path.kind !== 'resource' || path.name !== undefined) throw errors.methodNotAllowed();
    const q = req.query as Record<string, string>;
    const query = parseListQuery(q);
    if (!query.watch) throw errors.badRequest('only watch requests can be served over a websocket');
    const rep = negotiate(req.headers.accept, ['Table', 'PartialObjectMetadata']);
    const encode = watchEventEncoder(path.def, rep, parseIncludeObject(q.includeObject));
    const handle = await registry.watch(path.def, path.namespace, query, {
      event: (type, obj) => send(encode(type, obj).trimEnd()),
      error: (err) => {
        send(encode('ERROR', err.status as unknown as KubeObject).trimEnd());
        socket.close(1000);
      },
    });
    const timer = setTimeout(() => socket.close(1000), watchTimeoutMs(query));
    socket.on('close', () => {
      clearTimeout(timer);
      handle.stop();
    });
    if (socket.readyState !== socket.OPEN) {
      clearTimeout(timer);
      handle.stop();
    }
  } catch (err) {
    const status = err instanceof StatusError ? err : errors.internal((err as Error).message);
    send(JSON.stringify(status.status));
    socket.close(1000);
  }
}
