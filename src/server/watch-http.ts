// WATCH over chunked HTTP: one JSON event per line, as kube-apiserver streams them.
// A watcher that stops reading is closed once its unsent bytes pass a bound, so it cannot
// hold memory or slow anyone else; the client re-lists.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { StatusError } from '../api/errors.ts';
import type { KubeObject, WatchEventType } from '../api/types.ts';
import type { Registry } from '../registry/registry.ts';
import type { ListQuery } from '../registry/list-options.ts';
import { toTable, type IncludeObject } from '../registry/table.ts';
import type { ResourceDef } from '../registry/types.ts';
import type { StoredObject } from '../storage/interface.ts';
import { contentTypeOf, encodeYaml, type Representation } from './negotiate.ts';

export interface WatchLimits {
  /** Unsent bytes after which a slow watcher is closed. */
  maxBufferedBytes: number;
}

export const defaultWatchLimits: WatchLimits = { maxBufferedBytes: 16 * 1024 * 1024 };

function isStored(obj: StoredObject | KubeObject): obj is StoredObject {
  return typeof (obj as StoredObject).json === 'string' && (obj as StoredObject).object !== undefined;
}

export async function serveWatch(
  req: FastifyRequest,
  reply: FastifyReply,
  registry: Registry,
  target: { def: ResourceDef; namespace?: string; rep: Representation; includeObject: IncludeObject; query: ListQuery },
  limits: WatchLimits = defaultWatchLimits,
): Promise<void> {
  const { def, rep } = target;
  const raw = reply.raw;
  let closed = false;
  let headersSent = false;
  let tableHeaderSent = false;
  const pending: string[] = [];

  const write = (line: string) => {
    if (!headersSent) {
      pending.push(line);
      return;
    }
    if (closed) return;
    raw.write(line);
    if (raw.writableLength > limits.maxBufferedBytes) {
      req.log.warn({ resource: def.plural, buffered: raw.writableLength }, 'closing watch of a client that does not read');
      finish();
    }
  };
  const encodeObject = (obj: StoredObject | KubeObject): string => {
    const object = isStored(obj) ? obj.object : obj;
    if (rep.view === 'Table') {
      const table = toTable(def, [object], { includeObject: target.includeObject, version: rep.viewVersion, noHeaders: tableHeaderSent });
      tableHeaderSent = true;
      return JSON.stringify(table);
    }
    return isStored(obj) ? obj.json : JSON.stringify(obj);
  };
  const sendEvent = (type: WatchEventType, obj: StoredObject | KubeObject) => {
    if (rep.encoding === 'yaml') {
      write(`${encodeYaml({ type, object: JSON.parse(encodeObject(obj)) })}---\n`);
      return;
    }
    write(`{"type":"${type}","object":${encodeObject(obj)}}\n`);
  };

  const timeoutSeconds = target.query.timeoutSeconds ?? 1800 + Math.floor(Math.random() * 1800);
  let handle: { stop(): void } | undefined;
  const timer = setTimeout(() => finish(), timeoutSeconds * 1000);
  function finish() {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    handle?.stop();
    if (headersSent) raw.end();
  }
  raw.on('close', finish);

  handle = await registry.watch(def, target.namespace, target.query, {
    event: (type, obj) => sendEvent(type, obj),
    error: (err: StatusError) => {
      sendEvent('ERROR', err.status as unknown as KubeObject);
      finish();
    },
  });
  if (closed) handle.stop();

  reply.hijack();
  raw.writeHead(200, {
    'Content-Type': contentTypeOf(rep.encoding),
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  headersSent = true;
  for (const line of pending.splice(0)) raw.write(line);
  if (closed) raw.end();
}
