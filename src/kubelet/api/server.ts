// The simulated nodes' kubelet API: HTTPS on a port per node (on the address the nodes
// advertise, each Node's status.daemonEndpoints.kubeletEndpoint.Port, which is where
// kube-apiserver dials it), every request authenticated and authorized as the kubelet's
// webhook mode does (auth.ts), then served by path (routes.ts). Streaming requests (exec,
// attach, portForward) arrive as HTTP upgrades: WebSocket channel protocols, or SPDY/3.1.
// Each port is a bare TCP listener handing its connections to one HTTPS server: one TLS
// context and one set of handlers for every node, which tells the nodes apart by the port a
// connection arrived on. (A TLS server per node cost 1,000 nodes ~2.5 s of start-up CPU
// creating 1,000 identical TLS contexts.)
import { createServer, type Server } from 'node:https';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { KubeObject } from '../../api/types.ts';
import type { ApiClient, Store } from '../../client/index.ts';
import type { ContainerRuntime } from '../container-runtime.ts';
import { KubeletAuth } from './auth.ts';
import { serveContainerLogs, serveRun } from './logs-and-run.ts';
import { serveNodeInfo } from './node-info.ts';
import { httpError, writeRawError, KubeletHttpError } from './errors.ts';
import { parseKubeletPath } from './routes.ts';
import { serveStreamingUpgrade } from './streaming.ts';

export interface KubeletServerOptions {
  /** The nodes served, each on its own port. */
  nodeNames: string[];
  /** The address to listen on and advertise (the nodes' InternalIP). */
  address: string;
  /** Each node's port; absent or 0 picks a free one (the default: many kubelite servers share one host). */
  ports?: Record<string, number>;
  tls: { cert: string; key: string; clientCA?: string };
  client: ApiClient;
  runtime: ContainerRuntime;
  /** The kubelet's pod cache (every bound pod this process simulates). */
  pods: Store<KubeObject>;
  log: Logger;
}

export interface KubeletServer {
  /** Each node's port on `address`. */
  ports: Map<string, number>;
  close(): Promise<void>;
}

/** What every handler needs: the node, its pods and its runtime. */
export interface KubeletContext {
  nodeName: string;
  runtime: ContainerRuntime;
  pods: Store<KubeObject>;
  log: Logger;
  startTime: Date;
}

interface NodeEndpoint {
  ctx: KubeletContext;
  auth: KubeletAuth;
}

/** Listens at most this many ports at a time (start-up of 1,000 nodes). */
const listenConcurrency = 50;

export async function startKubeletServer(opts: KubeletServerOptions): Promise<KubeletServer> {
  const startTime = new Date();
  const endpoints = new Map<number, NodeEndpoint>();
  const endpointOf = (req: IncomingMessage): NodeEndpoint => {
    const endpoint = endpoints.get(req.socket.localPort ?? 0);
    if (!endpoint) throw new KubeletHttpError(404, '404 page not found');
    return endpoint;
  };
  // Ask for a client certificate, but let requests without one on to bearer token authentication.
  const server: Server = createServer({ cert: opts.tls.cert, key: opts.tls.key, ca: opts.tls.clientCA, requestCert: true, rejectUnauthorized: false });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void handle(req, res).catch((err: unknown) => {
      if (!(err instanceof KubeletHttpError)) opts.log.warn({ err, url: req.url }, 'kubelet API request failed');
      if (!res.headersSent) httpError(res, err);
      else res.destroy();
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    void (async () => {
      const { ctx, auth } = endpointOf(req);
      const decision = await auth.check(req);
      if ('status' in decision) return writeRawError(socket, new KubeletHttpError(decision.status, decision.message));
      await serveStreamingUpgrade(ctx, req, socket, head, parseKubeletPath(req.url ?? '/'));
    })().catch((err: unknown) => {
      if (!(err instanceof KubeletHttpError)) opts.log.warn({ err, url: req.url }, 'kubelet API upgrade failed');
      writeRawError(socket, err);
    });
  });
  server.on('tlsClientError', (err) => opts.log.debug({ err }, 'kubelet API TLS handshake failed'));

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const { ctx, auth } = endpointOf(req);
    const decision = await auth.check(req);
    if ('status' in decision) throw new KubeletHttpError(decision.status, decision.message);
    const route = parseKubeletPath(req.url ?? '/');
    switch (route.kind) {
      case 'containerLogs': return serveContainerLogs(ctx, req, res, route);
      case 'run': return serveRun(ctx, req, res, route);
      case 'exec':
      case 'attach':
      case 'portForward':
        throw new KubeletHttpError(400, 'Upgrade request required');
      case 'notFound':
        throw new KubeletHttpError(404, '404 page not found');
      default:
        return serveNodeInfo(ctx, req, res, route.kind);
    }
  };

  const listeners: TcpServer[] = [];
  const close = async () => {
    server.closeAllConnections();
    await Promise.all([...listeners.map((l) => new Promise<void>((resolve) => l.close(() => resolve()))), new Promise<void>((resolve) => server.close(() => resolve()))]);
  };
  const ports = new Map<string, number>();
  try {
    for (let i = 0; i < opts.nodeNames.length; i += listenConcurrency) {
      await Promise.all(opts.nodeNames.slice(i, i + listenConcurrency).map(async (nodeName) => {
        const listener = createTcpServer((socket) => server.emit('connection', socket));
        listeners.push(listener);
        const port = await listen(listener, opts.ports?.[nodeName] ?? 0, opts.address);
        ports.set(nodeName, port);
        const ctx: KubeletContext = { nodeName, runtime: opts.runtime, pods: opts.pods, log: opts.log, startTime };
        endpoints.set(port, { ctx, auth: new KubeletAuth(opts.client, nodeName) });
      }));
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { ports, close };
}

function listen(listener: TcpServer, port: number, address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(port, address, () => {
      listener.off('error', reject);
      const bound = listener.address();
      resolve(typeof bound === 'object' && bound ? bound.port : 0);
    });
  });
}
