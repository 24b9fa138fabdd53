// The kubelet's port-forward over a channel WebSocket (kube's
// pkg/kubelet/cri/streaming/portforward/websocket.go): `?ports=80,443` names the ports; port i
// has data channel 2i and error channel 2i+1, and the server's first message on each carries
// the port as 2 little-endian bytes. Client data on channel 2i goes to a connection to port i.
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { ChannelSocket } from './channels.ts';

export const portForwardWebSocketProtocols = ['v4.channel.k8s.io', 'v4.base64.channel.k8s.io'] as const;

/** Ports from the query, as the kubelet's parsePortForwardOptions checks them; throws with its message. */
export function parsePorts(values: string[]): number[] {
  const ports: number[] = [];
  for (const value of values.flatMap((v) => v.split(','))) {
    const port = Number(value.trim());
    if (!/^\d+$/.test(value.trim()) || port < 1 || port > 65535) throw new Error(`unable to parse "${value}" as a port: invalid port`);
    ports.push(port);
  }
  if (ports.length === 0) throw new Error('query parameter "port" is required');
  return ports;
}

export function servePortForwardWebSocket(socket: WebSocket, ports: number[], connect: (port: number) => Promise<Duplex>): void {
  const conn = new ChannelSocket(socket);
  const targets = new Map<number, Duplex>();
  const pending = new Map<number, Buffer[]>();
  socket.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
    const msg = conn.decode(data, isBinary);
    if (!msg || msg.id % 2 !== 0 || msg.id / 2 >= ports.length) return;
    const target = targets.get(msg.id / 2);
    if (target) target.write(msg.data);
    else pending.get(msg.id / 2)?.push(msg.data);
  });
  socket.on('close', () => {
    for (const target of targets.values()) target.destroy();
  });
  // Every port's connection is over (or never came): the session ends, as the kubelet's does.
  const closeWhenIdle = () => {
    if (targets.size === 0 && pending.size === 0 && conn.open) socket.close(1000);
  };
  ports.forEach((port, i) => {
    const prefix = Buffer.alloc(2);
    prefix.writeUInt16LE(port);
    conn.send(2 * i, prefix);
    conn.send(2 * i + 1, prefix);
    pending.set(i, []);
    connect(port).then((target) => {
      if (!conn.open) return void target.destroy();
      targets.set(i, target);
      for (const chunk of pending.get(i) ?? []) target.write(chunk);
      pending.delete(i);
      target.on('data', (chunk: Buffer) => conn.send(2 * i, chunk));
      target.on('error', (err) => conn.send(2 * i + 1, Buffer.from(err.message)));
      target.on('close', () => {
        if (targets.get(i) === target) targets.delete(i);
        closeWhenIdle();
      });
    }, (err: Error) => {
      pending.delete(i);
      conn.send(2 * i + 1, Buffer.from(err.message));
      closeWhenIdle();
    });
  });
}
