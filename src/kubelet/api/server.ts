// One simulated node's kubelet API: HTTPS on its own port (a port per node, on the address the
// node advertises), every request authenticated and authorized as the kubelet's webhook mode
// does (auth.ts), then served by path (routes.ts). Streaming requests (exec, attach,
// portForward) arrive as HTTP upgrades: WebSocket channel protocols, or SPDY/3.1.
import { createServer, type Server } from 'node:https';
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
  nodeName: string;
  /** The address to listen on and advertise (the node's InternalIP). */
  address: string;
  /** 0 picks a free port (the default: many kubelite servers share one host). */
  port?: number;
  tls: { cert: string; key: string; clientCA?: string };
  client: ApiClient;
  runtime: ContainerRuntime;
  /** The kubelet's pod cache (every bound pod this process simulates). */
  pods: Store<KubeObject>;
  log: Logger;
}

export interface KubeletServer {
  port: number;
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

export async function startKubeletServer(opts: KubeletServerOptions): Promise<KubeletServer> {
  const auth = new KubeletAuth(opts.client, opts.nodeName);
  const ctx: KubeletContext = { nodeName: opts.nodeName, runtime: opts.runtime, pods: opts.pods, log: opts.log, startTime: new Date() };
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

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.address, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
