// The shell's file descriptors: an Input a command reads as bytes arrive (EOF is null) and an
// Output it writes to, awaiting while a slow reader catches up. A Pipe is both ends of `a | b`;
// once its reader is gone a write fails with BrokenPipe, so `seq 1 1000000 | head -1` ends the
// way SIGPIPE ends it in a real shell.
import type { Readable, Writable } from 'node:stream';

export interface Input {
  /** The next chunk, or null at end of input. */
  read(): Promise<Buffer | null>;
}

export interface Output {
  write(data: string | Buffer): Promise<void>;
}

export class BrokenPipe extends Error {
  constructor() {
    super('broken pipe');
  }
}

/** Pipe capacity before a writer waits, as Linux's 64 KiB pipe buffer. */
const pipeCapacity = 64 * 1024;

export class Pipe implements Input, Output {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private closed = false;
  private readerGone = false;
  private wakeReader?: () => void;
  private wakeWriter?: () => void;

  async write(data: string | Buffer): Promise<void> {
    if (this.readerGone) throw new BrokenPipe();
    const chunk = typeof data === 'string' ? Buffer.from(data) : data;
    if (!chunk.length) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
    this.wakeReader?.();
    while (this.size > pipeCapacity && !this.readerGone) await new Promise<void>((r) => (this.wakeWriter = r));
  }

  async read(): Promise<Buffer | null> {
    while (!this.chunks.length) {
      if (this.closed) return null;
      await new Promise<void>((r) => (this.wakeReader = r));
    }
    const chunk = this.chunks.shift()!;
    this.size -= chunk.length;
    this.wakeWriter?.();
    return chunk;
  }

  /** The writer finished: the reader sees EOF after what is buffered. */
  close(): void {
    this.closed = true;
    this.wakeReader?.();
  }

  /** The reader finished: writers get BrokenPipe. */
  closeReader(): void {
    this.readerGone = true;
    this.chunks.length = 0;
    this.size = 0;
    this.wakeWriter?.();
  }
}

export const emptyInput: Input = { read: async () => null };

export const nullOutput: Output = { write: async () => undefined };

export function bufferInput(data: string | Buffer): Input {
  let done = false;
  return {
    read: async () => {
      if (done) return null;
      done = true;
      const b = typeof data === 'string' ? Buffer.from(data) : data;
      return b.length ? b : null;
    },
  };
}

/** Collects what is written, for `$(...)` and tests. */
export class Collector implements Output {
  private readonly chunks: Buffer[] = [];
  async write(data: string | Buffer): Promise<void> {
    this.chunks.push(typeof data === 'string' ? Buffer.from(data) : data);
  }
  text(): string {
    return Buffer.concat(this.chunks).toString();
  }
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** A node Readable as an Input (the client's stdin). */
export function readableInput(stream: Readable): Input {
  const queue: Buffer[] = [];
  let ended = false;
  let wake: (() => void) | undefined;
  stream.on('data', (d: Buffer | string) => {
    queue.push(typeof d === 'string' ? Buffer.from(d) : d);
    wake?.();
  });
  const end = () => {
    ended = true;
    wake?.();
  };
  stream.on('end', end);
  stream.on('close', end);
  stream.on('error', end);
  return {
    async read() {
      while (!queue.length) {
        if (ended) return null;
        await new Promise<void>((r) => (wake = r));
      }
      return queue.shift()!;
    },
  };
}

/** A node Writable as an Output; with `crlf`, a terminal's ONLCR (each \n sent as \r\n). */
export function writableOutput(stream: Writable, crlf = false): Output {
  return {
    async write(data) {
      let chunk = typeof data === 'string' ? Buffer.from(data) : data;
      if (crlf) chunk = Buffer.from(chunk.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
      if (stream.destroyed || stream.writableEnded) throw new BrokenPipe();
      if (!stream.write(chunk)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            stream.off('drain', done);
            stream.off('close', done);
            resolve();
          };
          stream.on('drain', done);
          stream.on('close', done);
        });
      }
    },
  };
}

/**
 * Reads whole lines (without the newline) from an Input; the last line may lack one. Also an
 * Input itself, giving what it buffered first: a script read from stdin and the commands in it
 * share one stream, as they share the fd in a real shell.
 */
export class LineReader implements Input {
  private buffer = '';
  private eof = false;

  constructor(private readonly input: Input) {}

  async read(): Promise<Buffer | null> {
    if (this.buffer) {
      const rest = Buffer.from(this.buffer);
      this.buffer = '';
      return rest;
    }
    if (this.eof) return null;
    return this.input.read();
  }

  async readLine(): Promise<string | null> {
    for (;;) {
      const nl = this.buffer.indexOf('\n');
      if (nl >= 0) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        return line;
      }
      if (this.eof) {
        if (!this.buffer) return null;
        const rest = this.buffer;
        this.buffer = '';
        return rest;
      }
      const chunk = await this.input.read();
      if (chunk === null) this.eof = true;
      else this.buffer += chunk.toString();
    }
  }
}

/** Everything an Input gives until EOF. */
export async function readAll(input: Input, limit = 256 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for (let c = await input.read(); c !== null; c = await input.read()) {
    chunks.push(c);
    size += c.length;
    if (size > limit) break;
  }
  return Buffer.concat(chunks);
}
