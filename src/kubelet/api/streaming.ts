// exec, attach and portForward as upgrades: the request is checked (pod, container, options)
// before anything is switched, so a refusal is a plain HTTP error, never a 101; then the
// connection becomes a channel WebSocket (src/streaming/) and the runtime gets Node streams.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { pickProtocol, remoteCommandProtocols } from '../../streaming/channels.ts';
import { parsePorts, portForwardWebSocketProtocols, servePortForwardWebSocket } from '../../streaming/port-forward-ws.ts';
import { exitCodeStatus, serveRemoteCommand, successStatus, failureStatus, type ChannelStatus, type StreamOptions } from '../../streaming/remotecommand.ts';
import { RuntimeError } from '../container-runtime.ts';
import { KubeletHttpError } from './errors.ts';
import { podOnNode, queryBool, requireContainer } from './pod-lookup.ts';
import type { KubeletRoute } from './routes.ts';
import type { KubeletContext } from './server.ts';

export async function serveStreamingUpgrade(ctx: KubeletContext, req: IncomingMessage, socket: Duplex, head: Buffer, route: KubeletRoute): Promise<void> {
  if (route.kind !== 'exec' && route.kind !== 'attach' && route.kind !== 'portForward') throw new KubeletHttpError(404, '404 page not found');
  const pod = podOnNode(ctx, route.namespace, route.pod, route.uid);
  const q = new URL(req.url ?? '/', 'https://kubelet').searchParams;
  const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
  if (upgrade !== 'websocket') throw new KubeletHttpError(400, `unsupported upgrade protocol "${req.headers.upgrade}"`);
  const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim()).filter(Boolean);

  if (route.kind === 'portForward') {
    let ports: number[];
    try {
      ports = parsePorts([...q.getAll('port'), ...q.getAll('ports')]);
    } catch (err) {
      throw new KubeletHttpError(400, (err as Error).message);
    }
    // No subprotocol at all is the original binary framing, which the kubelet accepts too.
    const protocol = offered.length ? pickProtocol(offered, portForwardWebSocketProtocols) : '';
    if (protocol === false) throw new KubeletHttpError(400, `none of the requested subprotocols is supported: ${offered.join(', ')}`);
    const ws = await accept(req, socket, head, protocol);
    servePortForwardWebSocket(ws, ports, (port) => ctx.runtime.portForward(pod, port));
    return;
  }

  requireContainer(pod, route.container);
  const opts: StreamOptions = {
    stdin: queryBool(q, 'input', 'stdin'), stdout: queryBool(q, 'output', 'stdout'),
    stderr: queryBool(q, 'error', 'stderr'), tty: queryBool(q, 'tty'),
  };
  if (!opts.stdin && !opts.stdout && !opts.stderr) throw new KubeletHttpError(400, 'you must specify at least 1 of stdin, stdout, stderr');
  const command = q.getAll('command');
  if (route.kind === 'exec' && command.length === 0) throw new KubeletHttpError(400, 'you must specify at least one command for the container');
  const protocol = pickProtocol(offered, remoteCommandProtocols);
  if (protocol === false) throw new KubeletHttpError(400, `none of the requested subprotocols is supported: ${offered.join(', ')}`);
  const ws = await accept(req, socket, head, protocol);
  const container = route.container;
  void serveRemoteCommand(ws, opts, async (streams): Promise<ChannelStatus> => {
    try {
      if (route.kind === 'attach') {
        await ctx.runtime.attach(pod, container, streams);
        return successStatus;
      }
      const code = await ctx.runtime.exec(pod, container, command, streams);
      return code === 0 ? successStatus : exitCodeStatus(code, command);
    } catch (err) {
      if (err instanceof RuntimeError) return failureStatus(err.message, err.reason, err.code);
      ctx.log.warn({ err, pod: pod.metadata.name, container }, `kubelet: ${route.kind} failed`);
      throw err;
    }
  });
}

function accept(req: IncomingMessage, socket: Duplex, head: Buffer, protocol: string): Promise<WebSocket> {
  return new Promise((resolve) => {
    const server = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: () => protocol || false });
    server.handleUpgrade(req, socket, head, (ws) => resolve(ws));
  });
}
