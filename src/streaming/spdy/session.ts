// The server side of a SPDY/3.1 session, as the kubelet's streaming server uses one
// (moby/spdystream under k8s.io/apimachinery's httpstream/spdy): the client opens streams with
// SYN_STREAM (their headers say what each is for), the server accepts each with SYN_REPLY;
// data flows in DATA frames until FIN; PING is echoed; received bytes are acknowledged with
// WINDOW_UPDATE so a peer that keeps SPDY/3.1's flow-control windows never stalls.
import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import { controlFrame, dataFrame, flags, FrameReader, frameType, HeaderCodec, rstStatus, u32, type Frame } from './frames.ts';

/** The most bytes put in one DATA frame. */
const maxDataBytes = 32 * 1024;

export class SpdyStream extends Duplex {
  constructor(readonly id: number, readonly headers: Map<string, string[]>, private readonly session: SpdySession) {
    super({ allowHalfOpen: true });
  }

  header(name: string): string | undefined {
    return this.headers.get(name.toLowerCase())?.[0];
  }

  override _read(): void {}

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    for (let at = 0; at < chunk.length; at += maxDataBytes) this.session.send(dataFrame(this.id, 0, chunk.subarray(at, at + maxDataBytes)));
    done();
  }

  override _final(done: (err?: Error | null) => void): void {
    this.session.send(dataFrame(this.id, flags.fin, Buffer.alloc(0)));
    done();
  }

  /** Resets the stream (RST_STREAM CANCEL), as a reset from either side ends it at once. */
  reset(): void {
    this.session.send(controlFrame(frameType.rstStream, 0, u32(this.id, rstStatus.cancel)));
    this.destroy();
  }
}

export interface SpdySession {
  on(event: 'stream', listener: (stream: SpdyStream) => void): this;
  on(event: 'close', listener: () => void): this;
}

export class SpdySession extends EventEmitter {
  private readonly reader = new FrameReader();
  private readonly codec = new HeaderCodec();
  private readonly streams = new Map<number, SpdyStream>();
  private closed = false;
  /** Frames are handled one after the other: a header block's zlib step must not be overtaken. */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly socket: Duplex, head?: Buffer) {
    super();
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('close', () => this.teardown());
    socket.on('error', () => this.teardown());
    socket.on('end', () => this.teardown());
    if (head?.length) queueMicrotask(() => this.receive(head));
  }

  send(frame: Buffer): void {
    if (!this.closed && !this.socket.destroyed) this.socket.write(frame);
  }

  /** Ends the session: GOAWAY, then the connection closes. */
  close(): void {
    if (this.closed) return;
    this.send(controlFrame(frameType.goAway, 0, u32(0, 0)));
    this.socket.end();
    this.teardown();
  }

  private receive(chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.reader.push(chunk);
    } catch {
      return this.fail();
    }
    this.queue = this.queue.then(async () => {
      for (const frame of frames) if (!this.closed) await this.handle(frame);
    }).catch(() => this.fail());
  }

  /** A malformed frame or header block: the session cannot go on, as spdystream gives up. */
  private fail(): void {
    this.socket.destroy();
    this.teardown();
  }

  private async handle(frame: Frame): Promise<void> {
    if (!frame.control) {
      const stream = this.streams.get(frame.streamId);
      if (!stream) return;
      if (frame.payload.length) {
        stream.push(Buffer.from(frame.payload));
        // Give the window back at once: the stream's consumer applies its own backpressure.
        this.send(controlFrame(frameType.windowUpdate, 0, u32(frame.streamId, frame.payload.length)));
        this.send(controlFrame(frameType.windowUpdate, 0, u32(0, frame.payload.length)));
      }
      if (frame.flags & flags.fin) stream.push(null);
      return;
    }
    const p = frame.payload;
    switch (frame.type) {
      case frameType.synStream: {
        const id = p.readUInt32BE(0) & 0x7fffffff;
        const headers = await this.codec.decode(p.subarray(10));
        const stream = new SpdyStream(id, headers, this);
        this.streams.set(id, stream);
        stream.on('close', () => this.streams.delete(id));
        this.send(controlFrame(frameType.synReply, 0, Buffer.concat([u32(id), await this.codec.encode({})])));
        if (frame.flags & flags.fin) stream.push(null);
        this.emit('stream', stream);
        return;
      }
      case frameType.headers:
        await this.codec.decode(p.subarray(4)); // keeps the shared zlib context in step
        return;
      case frameType.rstStream:
        this.streams.get(p.readUInt32BE(0) & 0x7fffffff)?.destroy();
        return;
      case frameType.ping:
        this.send(controlFrame(frameType.ping, 0, p.subarray(0, 4)));
        return;
      case frameType.goAway:
        this.close();
        return;
      default:
        // SETTINGS and WINDOW_UPDATE: no window is kept for what this side sends.
        return;
    }
  }

  private teardown(): void {
    if (this.closed) return;
    this.closed = true;
    this.codec.close();
    for (const stream of this.streams.values()) stream.destroy();
    this.streams.clear();
    this.emit('close');
  }
}
