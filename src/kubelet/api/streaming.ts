// exec, attach and portForward as upgrades: the request is checked (pod, container, options)
// before anything is switched, so a refusal is a plain HTTP error, never a 101. Then the
// connection speaks one of: the channel WebSocket protocols (v5/v4/… for exec and attach,
// v4.channel.k8s.io framing for port-forward, as client libraries use them), SPDY/3.1
// (client-go's executors, kubectl's fallback), or SPDY tunnelled in a WebSocket
// (`SPDY/3.1+portforward.k8s.io`, kubectl 1.31+ port-forward). The runtime gets Node streams.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { createWebSocketStream, WebSocketServer, type WebSocket } from 'ws';
import type { KubeObject } from '../../api/types.ts';
import { pickProtocol, remoteCommandProtocols } from '../../streaming/channels.ts';
import { parsePorts, portForwardWebSocketProtocols, servePortForwardWebSocket } from '../../streaming/port-forward-ws.ts';
import { exitCodeStatus, failureStatus, serveRemoteCommand, successStatus, type ChannelStatus, type ServedStreams, type StreamOptions } from '../../streaming/remotecommand.ts';
import { portForwardProtocol, serveSpdyPortForward } from '../../streaming/spdy/port-forward.ts';
import { serveSpdyRemoteCommand, spdyRemoteCommandProtocols } from '../../streaming/spdy/remotecommand.ts';
import { SpdySession } from '../../streaming/spdy/session.ts';
import { RuntimeError } from '../container-runtime.ts';
import { KubeletHttpError } from './errors.ts';
import { podOnNode, queryBool, requireContainer } from './pod-lookup.ts';
import type { KubeletRoute } from './routes.ts';
import type { KubeletContext } from './server.ts';

/** kubectl 1.31+ tunnels its SPDY port-forward session through a WebSocket with this subprotocol. */
const spdyTunnelProtocol = `SPDY/3.1+${portForwardProtocol}`;

export async function serveStreamingUpgrade(ctx: KubeletContext, req: IncomingMessage, socket: Duplex, head: Buffer, route: KubeletRoute): Promise<void> {
  if (route.kind !== 'exec' && route.kind !== 'attach' && route.kind !== 'portForward') throw new KubeletHttpError(404, '404 page not found');
  const pod = podOnNode(ctx, route.namespace, route.pod, route.uid);
  const q = new URL(req.url ?? '/', 'https://kubelet').searchParams;
  const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
  const spdy = upgrade === 'spdy/3.1';
  if (!spdy && upgrade !== 'websocket') throw new KubeletHttpError(400, `unsupported upgrade protocol "${req.headers.upgrade}"`);
  const offered = (spdy ? req.headers['x-stream-protocol-version'] : req.headers['sec-websocket-protocol']);
  const protocols = String(offered ?? '').split(',').map((p) => p.trim()).filter(Boolean);

  if (route.kind === 'portForward') {
    const connect = (port: number) => ctx.runtime.portForward(pod, port);
    const describe = (port: number, err: Error) => portForwardError(pod, port, err);
    if (spdy) {
      if (!protocols.includes(portForwardProtocol)) throw negotiationError(protocols, [portForwardProtocol]);
      return serveSpdyPortForward(acceptSpdy(socket, head, portForwardProtocol), connect, describe);
    }
    if (protocols.includes(spdyTunnelProtocol)) {
      const ws = await acceptWebSocket(req, socket, head, spdyTunnelProtocol);
      return serveSpdyPortForward(new SpdySession(createWebSocketStream(ws)), connect, describe);
    }
    let ports: number[];
    try {
      ports = parsePorts([...q.getAll('port'), ...q.getAll('ports')]);
    } catch (err) {
      throw new KubeletHttpError(400, (err as Error).message);
    }
    // No subprotocol at all is the original binary framing, which the kubelet accepts too.
    const protocol = protocols.length ? pickProtocol(protocols, portForwardWebSocketProtocols) : '';
    if (protocol === false) throw negotiationError(protocols, [...portForwardWebSocketProtocols]);
    const ws = await acceptWebSocket(req, socket, head, protocol);
    return servePortForwardWebSocket(ws, ports, (port) => connect(port).catch((err: Error) => {
      throw new Error(describe(port, err));
    }));
  }

  requireContainer(pod, route.container);
  const opts: StreamOptions = {
    stdin: queryBool(q, 'input', 'stdin'), stdout: queryBool(q, 'output', 'stdout'),
    stderr: queryBool(q, 'error', 'stderr'), tty: queryBool(q, 'tty'),
  };
  if (!opts.stdin && !opts.stdout && !opts.stderr) throw new KubeletHttpError(400, 'you must specify at least 1 of stdin, stdout, stderr');
  const command = q.getAll('command');
  if (route.kind === 'exec' && command.length === 0) throw new KubeletHttpError(400, 'you must specify at least one command for the container');
  const run = async (streams: ServedStreams): Promise<ChannelStatus> => {
    try {
      if (route.kind === 'attach') {
        await ctx.runtime.attach(pod, route.container, streams);
        return successStatus;
      }
      const code = await ctx.runtime.exec(pod, route.container, command, streams);
      return code === 0 ? successStatus : exitCodeStatus(code, command);
    } catch (err) {
      if (err instanceof RuntimeError) return failureStatus(err.message, err.reason, err.code);
      ctx.log.warn({ err, pod: pod.metadata.name, container: route.container }, `kubelet: ${route.kind} failed`);
      throw err;
    }
  };
  if (spdy) {
    const protocol = pickProtocol(protocols, spdyRemoteCommandProtocols);
    if (protocol === false) throw negotiationError(protocols, spdyRemoteCommandProtocols);
    return serveSpdyRemoteCommand(acceptSpdy(socket, head, protocol), protocol, opts, run);
  }
  const protocol = pickProtocol(protocols, remoteCommandProtocols);
  if (protocol === false) throw negotiationError(protocols, [...remoteCommandProtocols]);
  void serveRemoteCommand(await acceptWebSocket(req, socket, head, protocol), opts, run);
}

function negotiationError(client: string[], server: string[]): KubeletHttpError {
  return new KubeletHttpError(403, `unable to upgrade: unable to negotiate protocol: client supports [${client.join(' ')}], server supports [${server.join(' ')}]`);
}

/** The kubelet's wording of a failed forward: its sandbox, then the runtime's reason. */
function portForwardError(pod: KubeObject, port: number, err: Error): string {
  const sandbox = createHash('sha256').update(`sandbox:${pod.metadata.uid}`).digest('hex');
  return `error forwarding port ${port} to pod ${sandbox}, uid : ${err.message}`;
}

function acceptWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer, protocol: string): Promise<WebSocket> {
  return new Promise((resolve) => {
    const server = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: () => protocol || false });
    if (protocol.includes('/')) {
      // `ws` refuses subprotocols that are not RFC 6455 tokens, and kubectl's SPDY tunnel
      // protocol has a '/': negotiate it here instead (gorilla/websocket accepts it, as kube does).
      delete req.headers['sec-websocket-protocol'];
      server.on('headers', (headers) => headers.push(`Sec-WebSocket-Protocol: ${protocol}`));
    }
    server.handleUpgrade(req, socket, head, (ws) => resolve(ws));
  });
}

/** Answers the SPDY upgrade (httpstream's Handshake: the chosen protocol in X-Stream-Protocol-Version). */
function acceptSpdy(socket: Duplex, head: Buffer, protocol: string): SpdySession {
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${protocol}\r\n\r\n`);
  return new SpdySession(socket, head);
}
