// SPDY/3.1 framing (draft-mbelshe-httpbis-spdy-00 with 3.1's flow control frames): an 8-byte
// header, then the payload. Control frames: bit 0 set, version 3, a type; data frames: a
// 31-bit stream id. Header blocks are name/value pairs with 32-bit lengths, compressed with
// one zlib context per direction for the whole session (the SPDY/3 dictionary, sync flush).
import zlib from 'node:zlib';
import { spdy3Dictionary } from './dictionary.ts';

export const frameType = { synStream: 1, synReply: 2, rstStream: 3, settings: 4, ping: 6, goAway: 7, headers: 8, windowUpdate: 9 } as const;
export const flags = { fin: 0x01, unidirectional: 0x02 } as const;
export const rstStatus = { protocolError: 1, invalidStream: 2, refusedStream: 3, cancel: 5, internalError: 6 } as const;

/** Frames larger than this are refused (the payload length field allows 16 MiB). */
export const maxFrameBytes = 1 << 24;

export type Frame =
  | { control: true; type: number; flags: number; payload: Buffer }
  | { control: false; streamId: number; flags: number; payload: Buffer };

/** Splits a byte stream into frames; feed it chunks, take whole frames. */
export class FrameReader {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const frames: Frame[] = [];
    while (this.buffer.length >= 8) {
      const length = this.buffer.readUIntBE(5, 3);
      if (this.buffer.length < 8 + length) break;
      const head = this.buffer;
      const payload = head.subarray(8, 8 + length);
      if (head[0] & 0x80) {
        const version = head.readUInt16BE(0) & 0x7fff;
        if (version !== 3) throw new Error(`unsupported SPDY version ${version}`);
        frames.push({ control: true, type: head.readUInt16BE(2), flags: head[4], payload });
      } else {
        frames.push({ control: false, streamId: head.readUInt32BE(0) & 0x7fffffff, flags: head[4], payload });
      }
      this.buffer = head.subarray(8 + length);
    }
    return frames;
  }
}

export function controlFrame(type: number, frameFlags: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8000 | 3, 0);
  head.writeUInt16BE(type, 2);
  head[4] = frameFlags;
  head.writeUIntBE(payload.length, 5, 3);
  return Buffer.concat([head, payload]);
}

export function dataFrame(streamId: number, frameFlags: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(streamId & 0x7fffffff, 0);
  head[4] = frameFlags;
  head.writeUIntBE(payload.length, 5, 3);
  return Buffer.concat([head, payload]);
}

export function u32(...values: number[]): Buffer {
  const out = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => out.writeUInt32BE(v >>> 0, 4 * i));
  return out;
}

/**
 * Runs one block through a zlib stream with a sync flush and takes everything it produced: the
 * stream stays open, since SPDY shares one compression context by direction for the session.
 */
function process(stream: zlib.Inflate | zlib.Deflate, block: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    stream.once('error', reject);
    stream.write(block);
    stream.flush(zlib.constants.Z_SYNC_FLUSH, () => {
      stream.off('error', reject);
      const out: Buffer[] = [];
      for (let chunk = stream.read() as Buffer | null; chunk; chunk = stream.read() as Buffer | null) out.push(chunk);
      resolve(Buffer.concat(out));
    });
  });
}

export class HeaderCodec {
  private readonly inflate = zlib.createInflate({ dictionary: spdy3Dictionary });
  private readonly deflate = zlib.createDeflate({ dictionary: spdy3Dictionary });

  /** Header names lower-cased, as SPDY/3 requires; several values of one name are NUL-separated. */
  async decode(block: Buffer): Promise<Map<string, string[]>> {
    const raw = block.length ? await process(this.inflate, block) : Buffer.alloc(0);
    const headers = new Map<string, string[]>();
    if (raw.length < 4) return headers;
    const count = raw.readUInt32BE(0);
    let at = 4;
    for (let i = 0; i < count; i++) {
      if (at + 4 > raw.length) throw new Error('truncated SPDY header block');
      const nameLength = raw.readUInt32BE(at);
      const name = raw.subarray(at + 4, at + 4 + nameLength).toString('latin1').toLowerCase();
      at += 4 + nameLength;
      const valueLength = raw.readUInt32BE(at);
      const value = raw.subarray(at + 4, at + 4 + valueLength).toString('latin1');
      at += 4 + valueLength;
      if (at > raw.length) throw new Error('truncated SPDY header block');
      headers.set(name, [...(headers.get(name) ?? []), ...value.split('\0')]);
    }
    return headers;
  }

  encode(headers: Record<string, string>): Promise<Buffer> {
    const entries = Object.entries(headers);
    const parts: Buffer[] = [u32(entries.length)];
    for (const [name, value] of entries) {
      const n = Buffer.from(name.toLowerCase(), 'latin1');
      const v = Buffer.from(value, 'latin1');
      parts.push(u32(n.length), n, u32(v.length), v);
    }
    return process(this.deflate, Buffer.concat(parts));
  }

  close(): void {
    this.inflate.close();
    this.deflate.close();
  }
}
