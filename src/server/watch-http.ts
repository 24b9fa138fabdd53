// WATCH over chunked HTTP: one JSON event per line, as kube-apiserver streams them.
// A watcher that stops reading is closed once its unsent bytes pass a bound, so it cannot
// hold memory or slow anyone else; the client re-lists.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { StatusError } from '../api/errors.ts';
import type { KubeObject } from '../api/types.ts';
import type { ListQuery } from '../registry/list-options.ts';
import type { Registry } from '../registry/registry.ts';
import type { IncludeObject } from '../registry/table.ts';
import type { ResourceDef } from '../registry/types.ts';
import { contentTypeOf, type Representation } from './negotiate.ts';
import { watchEventBytesEncoder } from './watch-encoding.ts';

export interface WatchLimits {
  /** Unsent bytes after which a slow watcher is closed. */
  maxBufferedBytes: number;
}

export const defaultWatchLimits: WatchLimits = { maxBufferedBytes: 16 * 1024 * 1024 };

export interface WatchTarget {
  def: ResourceDef;
  namespace?: string;
  rep: Representation;
  includeObject: IncludeObject;
  query: ListQuery;
}

const frames = new WeakMap<Buffer, Buffer>();

/** `line` as one chunk of a chunked HTTP body; frames of shared Buffers are cached with them. */
function chunkFrame(line: string | Buffer): Buffer {
  if (typeof line === 'string') return frame(Buffer.from(line));
  let framed = frames.get(line);
  if (!framed) frames.set(line, (framed = frame(line)));
  return framed;
}

function frame(data: Buffer): Buffer {
  const head = `${data.length.toString(16)}\r\n`;
  // Not Buffer.concat: a small result is a slice of the shared pool slab, and a cached frame
  // would keep its whole 8 KiB slab alive (see ownBytes in watch-encoding.ts).
  const framed = Buffer.allocUnsafeSlow(head.length + data.length + 2);
  framed.write(head, 0, 'latin1');
  data.copy(framed, head.length);
  framed.write('\r\n', head.length + data.length, 'latin1');
  return framed;
}

/** kube-apiserver ends a watch without timeoutSeconds after a random 30–60 minutes. */
export function watchTimeoutMs(query: ListQuery): number {
  return (query.timeoutSeconds ?? 1800 + Math.floor(Math.random() * 1800)) * 1000;
}

export async function serveWatch(req: FastifyRequest, reply: FastifyReply, registry: Registry, target: WatchTarget,
  limits: WatchLimits = defaultWatchLimits): Promise<void> {
  const raw = reply.raw;
  const encode = watchEventBytesEncoder(target.def, target.rep, target.includeObject);
  let closed = false;
  let headersSent = false;
  const pending: Array<string | Buffer> = [];

  const write = (line: string | Buffer) => {
    if (!headersSent) {
      pending.push(line);
      return;
    }
    if (closed) return;
    // Whole HTTP chunks go straight to the socket: a shared event's frame is built once for
    // every watcher, instead of Node framing the same bytes again per response.
    const socket = raw.socket;
    if (!socket || socket.destroyed) return finish();
    socket.write(chunkFrame(line));
    if (socket.writableLength > limits.maxBufferedBytes) {
      req.log.warn({ resource: target.def.plural, buffered: socket.writableLength }, 'closing watch of a client that does not read');
      socket.destroy();
      finish();
    }
  };
  let handle: { stop(): void } | undefined;
  const timer = setTimeout(() => finish(), watchTimeoutMs(target.query));
  function finish() {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    handle?.stop();
    if (headersSent && !raw.destroyed) raw.end();
  }
  raw.on('close', finish);

  handle = await registry.watch(target.def, target.namespace, target.query, {
    event: (type, obj) => write(encode(type, obj)),
    error: (err: StatusError) => {
      write(encode('ERROR', err.status as unknown as KubeObject));
      finish();
    },
  });
  if (closed) handle.stop();

  reply.hijack();
  raw.writeHead(200, {
    'Content-Type': contentTypeOf(target.rep.encoding),
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
    // Warnings set before the stream starts (a deprecated version's) still go out.
    ...(reply.getHeader('Warning') !== undefined && { Warning: reply.getHeader('Warning') as string | string[] }),
  });
  headersSent = true;
  // Clients (client-node, client-go) wait for the headers before reading events: send them now.
  raw.flushHeaders();
  for (const line of pending.splice(0)) raw.write(line);
  if (closed) raw.end();
}
