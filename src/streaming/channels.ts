// The channel WebSocket protocols of k8s.io/apimachinery's wsstream, shared by the kubelet API
// (which serves them) and tests: every binary message starts with a channel byte; the base64
// variants send text messages whose first character is the channel digit and whose rest is
// base64. `v5.channel.k8s.io` adds channel 255, [255, n] closing the client's stream n.
import { PassThrough, Writable } from 'node:stream';
import type { WebSocket } from 'ws';

export const remoteCommandProtocols = [
  'v5.channel.k8s.io', 'v4.channel.k8s.io', 'v4.base64.channel.k8s.io',
  'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io', 'base64.channel.k8s.io',
] as const;

/** port-forward's WebSocket protocols, as the kubelet's portforward/websocket.go names them. */
export const portForwardProtocols = ['v4.channel.k8s.io', 'v4.base64.channel.k8s.io', 'channel.k8s.io', 'base64.channel.k8s.io'] as const;

export const channel = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

/** Output goes out in messages of at most this size, as wsstream's copies do. */
const maxMessageBytes = 32 * 1024;

/** The first protocol of `ours` the client offered (kube's handshake picks the server's preference). */
export function pickProtocol(offered: Iterable<string>, ours: readonly string[]): string | false {
  const set = new Set(offered);
  return ours.find((p) => set.has(p)) ?? false;
}

/** How one negotiated protocol frames messages. */
export class ChannelSocket {
  readonly base64: boolean;
  /** The protocol version: 1 for the unversioned ones. */
  readonly version: number;

  constructor(readonly socket: WebSocket) {
    const protocol = socket.protocol;
    this.base64 = protocol.includes('base64');
    this.version = Number(/^v(\d)\./.exec(protocol)?.[1] ?? 1);
  }

  get open(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  /** Sends `data` on channel `id`, split into messages; an empty buffer sends one empty message. */
  send(id: number, data: Buffer = Buffer.alloc(0)): void {
    for (let at = 0; at === 0 || at < data.length; at += maxMessageBytes) {
      if (!this.open) return;
      const part = data.subarray(at, at + maxMessageBytes);
      if (this.base64) this.socket.send(`${String.fromCharCode(48 + id)}${part.toString('base64')}`);
      else this.socket.send(Buffer.concat([Buffer.from([id]), part]), { binary: true });
    }
  }

  /** Decodes one received message into its channel and payload; undefined for an empty one. */
  decode(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): { id: number; data: Buffer } | undefined {
    const msg = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    if (msg.length === 0) return undefined;
    if (this.base64 && !isBinary) return { id: msg[0] - 48, data: Buffer.from(msg.subarray(1).toString(), 'base64') };
    return { id: msg[0], data: msg.subarray(1) };
  }

  /** A stream whose writes go out on channel `id`, with backpressure from the socket's buffer. */
  writable(id: number): Writable {
    return new Writable({
      write: (chunk: Buffer, _enc, done) => {
        this.send(id, chunk);
        done();
      },
    });
  }
}

/** The client's stdin as a stream: channel 0 data, ended by v5's close or the socket closing. */
export function stdinStream(): PassThrough {
  return new PassThrough();
}
