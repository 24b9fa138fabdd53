// An in-memory API server over node:http for client and controller tests: get, list (with
// snapshot paging), create, update, merge-patch, delete and chunked WATCH for any resource
// path, with one global revision as resourceVersion. Knobs let a test break things the way
// real clusters do: close or cut every watch, compact history (a watch from before it gets
// 410, as an HTTP answer or an ERROR event), expire continue tokens, hold back live events.
// Not a conformance target — kubelite's real server is; this stays small and predictable.
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeObject, Status, WatchEventType } from '../../api/types.ts';

interface Target {
  /** `group/resource`, '' group for core. */
  collection: string;
  namespace?: string;
  name?: string;
}

interface RecordedEvent {
  type: Exclude<WatchEventType, 'ERROR' | 'BOOKMARK'>;
  object: KubeObject;
  revision: number;
  collection: string;
}

interface Watcher {
  target: Target;
  bookmarks: boolean;
  res: ServerResponse;
  timer?: NodeJS.Timeout;
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export class FakeApiServer {
  readonly objects = new Map<string, KubeObject>();
  readonly requests: RecordedRequest[] = [];
  revision = 0;
  /** Watches from a revision below this answer 410 Expired. */
  compactedRevision = 0;
  /** How a too-old watch is refused: an HTTP 410, or a 200 stream with one ERROR event (both happen in kube). */
  goneAs: 'http' | 'event' = 'http';
  /**
   * While true, events are recorded in history but sent to no watcher, live or replaying (nor
   * bookmarks): a stalled watch. Compact before clearing it, so the watchers relist.
   */
  holdEvents = false;
  /** Answer every request that carries a continue token with 410, once per token. */
  expireContinueTokens = false;
  /** Interval of BOOKMARK events for watches that allow them. */
  bookmarkIntervalMs = 50;
  private readonly history: RecordedEvent[] = [];
  private readonly watchers = new Set<Watcher>();
  private readonly snapshots = new Map<string, { revision: number; items: KubeObject[] }>();
  private readonly server = http.createServer((req, res) => void this.serve(req, res));
  private bookmarkTimer?: NodeJS.Timeout;
  url = '';

  async start(): Promise<this> {
    await new Promise<void>((resolveListen) => this.server.listen(0, '127.0.0.1', resolveListen));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.bookmarkTimer = setInterval(() => this.sendBookmarks(), this.bookmarkIntervalMs);
    return this;
  }

  async stop(): Promise<void> {
    clearInterval(this.bookmarkTimer);
    this.cutWatches();
    this.server.closeAllConnections();
    await new Promise<void>((resolveClose) => this.server.close(() => resolveClose()));
  }

  get watchCount(): number {
    return this.watchers.size;
  }

  /** Ends every watch normally (the server's timeout, an apiserver rollout). */
  closeWatches(): void {
    for (const w of [...this.watchers]) this.endWatch(w);
  }

  /** Cuts every watch's connection mid-stream (a network failure). */
  cutWatches(): void {
    for (const w of [...this.watchers]) {
      this.watchers.delete(w);
      clearTimeout(w.timer);
      w.res.socket?.destroy();
    }
  }

  /** Forgets all history and every list snapshot up to now, as etcd compaction does. */
  compact(): void {
    this.compactedRevision = this.revision;
    this.history.length = 0;
    this.snapshots.clear();
  }

  /** The objects of one collection, as `namespace/name` → object. */
  state(group: string, resource: string): Map<string, KubeObject> {
    const prefix = `${group}/${resource}/`;
    const out = new Map<string, KubeObject>();
    for (const [key, obj] of this.objects) if (key.startsWith(prefix)) out.set(key.slice(prefix.length).replace(/^\//, ''), obj);
    return out;
  }

  // ---- request handling ----

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    this.requests.push({ method: req.method ?? 'GET', url: req.url ?? '', headers: req.headers, body });
    const url = new URL(req.url ?? '/', 'http://fake');
    const target = parseTarget(url.pathname);
    if (!target) return sendStatus(res, 404, 'NotFound', 'the server could not find the requested resource');
    const q = url.searchParams;
    try {
      switch (req.method) {
        case 'GET':
          if (q.get('watch') === 'true' || q.get('watch') === '1') return this.watch(target, q, res);
          return target.name ? send(res, 200, this.mustGet(target)) : this.list(target, q, res);
        case 'POST': return send(res, 201, this.write('ADDED', target, JSON.parse(body) as KubeObject));
        case 'PUT': return send(res, 200, this.write('MODIFIED', target, JSON.parse(body) as KubeObject));
        case 'PATCH': {
          // Every patch type is applied as a merge patch; a JSON patch (an array) is recorded, not applied.
          const patch: unknown = JSON.parse(body);
          const current = this.mustGet(target);
          return send(res, 200, this.write('MODIFIED', target, (Array.isArray(patch) ? current : mergePatch(current, patch)) as KubeObject));
        }
        case 'DELETE': {
          const gone = this.write('DELETED', target, this.mustGet(target));
          return send(res, 200, success(gone));
        }
        default: return sendStatus(res, 405, 'MethodNotAllowed', 'method not allowed');
      }
    } catch (err) {
      if (err instanceof FakeStatus) return sendStatus(res, err.code, err.reason, err.message);
      return sendStatus(res, 500, 'InternalError', `Internal error occurred: ${String(err)}`);
    }
  }

  private mustGet(target: Target): KubeObject {
    const obj = this.objects.get(objectKey(target));
    if (!obj) throw new FakeStatus(404, 'NotFound', `${target.collection.split('/')[1]} "${target.name}" not found`);
    return obj;
  }

  private write(type: RecordedEvent['type'], target: Target, input: KubeObject): KubeObject {
    const name = target.name ?? input.metadata?.name;
    if (!name) throw new FakeStatus(422, 'Invalid', 'metadata.name: Required value');
    const key = objectKey({ ...target, name });
    const current = this.objects.get(key);
    if (type === 'ADDED' && current) throw new FakeStatus(409, 'AlreadyExists', `"${name}" already exists`);
    if (type !== 'ADDED' && !current) throw new FakeStatus(404, 'NotFound', `"${name}" not found`);
    if (type === 'MODIFIED' && input.metadata.resourceVersion && input.metadata.resourceVersion !== current!.metadata.resourceVersion) {
      throw new FakeStatus(409, 'Conflict', `Operation cannot be fulfilled on "${name}": the object has been modified; please apply your changes to the latest version and try again`);
    }
    const revision = ++this.revision;
    const obj: KubeObject = structuredClone(type === 'DELETED' ? current! : input);
    obj.metadata = {
      ...obj.metadata, name, namespace: target.namespace,
      uid: current?.metadata.uid ?? randomUUID(),
      creationTimestamp: current?.metadata.creationTimestamp ?? new Date().toISOString(),
      resourceVersion: String(revision),
    };
    if (type === 'DELETED') this.objects.delete(key);
    else this.objects.set(key, obj);
    const event: RecordedEvent = { type, object: obj, revision, collection: target.collection };
    this.history.push(event);
    if (!this.holdEvents) for (const w of this.watchers) if (matches(w.target, event)) writeEvent(w.res, event.type, obj);
    return obj;
  }

  private list(target: Target, q: URLSearchParams, res: ServerResponse): void {
    const limit = Number(q.get('limit') ?? 0);
    let snapshot: { revision: number; items: KubeObject[] };
    let offset = 0;
    const token = q.get('continue');
    if (token) {
      const [id, at] = token.split(':');
      const found = this.snapshots.get(id);
      if (!found || this.expireContinueTokens) {
        this.snapshots.delete(id);
        return sendStatus(res, 410, 'Expired', 'The provided continue parameter is too old to display a consistent list result.');
      }
      snapshot = found;
      offset = Number(at);
    } else {
      const items = [...this.objects.entries()]
        .filter(([key]) => key.startsWith(collectionPrefix(target)))
        .sort(([a], [b]) => (a < b ? -1 : 1)).map(([, obj]) => obj);
      snapshot = { revision: this.revision, items };
    }
    const end = limit > 0 ? offset + limit : snapshot.items.length;
    const metadata: { resourceVersion: string; continue?: string } = { resourceVersion: String(snapshot.revision) };
    if (end < snapshot.items.length) {
      // A paged list is one snapshot: later pages come from the first page's state.
      const id = randomUUID();
      this.snapshots.set(id, snapshot);
      metadata.continue = `${id}:${end}`;
    }
    // As kube-apiserver, list items carry no apiVersion/kind.
    const items = snapshot.items.slice(offset, end).map(({ apiVersion: _a, kind: _k, ...rest }) => rest);
    send(res, 200, { apiVersion: 'v1', kind: 'List', metadata, items });
  }

  private watch(target: Target, q: URLSearchParams, res: ServerResponse): void {
    const rv = q.get('resourceVersion') ?? '';
    const from = rv === '' || rv === '0' ? undefined : Number(rv);
    if (from !== undefined && from < this.compactedRevision) {
      const message = `too old resource version: ${from} (${this.compactedRevision})`;
      if (this.goneAs === 'http') return sendStatus(res, 410, 'Expired', message);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      writeEvent(res, 'ERROR', status(410, 'Expired', message));
      return void res.end();
    }
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders(); // as kube-apiserver: the client knows the watch started before any event
    if (from === undefined) {
      for (const [key, obj] of this.objects) if (key.startsWith(collectionPrefix(target))) writeEvent(res, 'ADDED', obj);
    } else if (!this.holdEvents) {
      for (const event of this.history) if (event.revision > from && matches(target, event)) writeEvent(res, event.type, event.object);
    }
    const watcher: Watcher = { target, bookmarks: q.get('allowWatchBookmarks') === 'true', res };
    const timeout = Number(q.get('timeoutSeconds') ?? 0);
    if (timeout > 0) watcher.timer = setTimeout(() => this.endWatch(watcher), timeout * 1000);
    res.on('close', () => {
      clearTimeout(watcher.timer);
      this.watchers.delete(watcher);
    });
    this.watchers.add(watcher);
  }

  private endWatch(w: Watcher): void {
    this.watchers.delete(w);
    clearTimeout(w.timer);
    w.res.end();
  }

  private sendBookmarks(): void {
    if (this.holdEvents) return;
    const bookmark: KubeObject = { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: String(this.revision) } };
    for (const w of this.watchers) if (w.bookmarks) writeEvent(w.res, 'BOOKMARK', bookmark);
  }
}

class FakeStatus extends Error {
  constructor(readonly code: number, readonly reason: string, message: string) {
    super(message);
  }
}

/** `/api/v1/[namespaces/<ns>/]<resource>[/<name>]` or `/apis/<group>/<version>/...`. */
function parseTarget(path: string): Target | undefined {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  let group: string;
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    parts.splice(0, 2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1];
    parts.splice(0, 3);
  } else return undefined;
  let namespace: string | undefined;
  if (parts.at(0) === 'namespaces' && parts.length >= 3) {
    namespace = parts[1];
    parts.splice(0, 2);
  }
  if (parts.length === 0 || parts.length > 2) return undefined;
  return { collection: `${group}/${parts[0]}`, namespace, name: parts[1] };
}

/** The key prefix of a collection, in one namespace or all. */
function collectionPrefix(t: Target): string {
  return t.namespace ? `${t.collection}/${t.namespace}/` : `${t.collection}/`;
}

function objectKey(t: Target): string {
  return `${t.collection}/${t.namespace ?? ''}/${t.name}`;
}

function matches(target: Target, event: RecordedEvent): boolean {
  return event.collection === target.collection && (!target.namespace || event.object.metadata.namespace === target.namespace);
}

/** One watch event, written in a few pieces cut at random byte offsets (even inside a UTF-8 character). */
function writeEvent(res: ServerResponse, type: WatchEventType, object: KubeObject | Status): void {
  if (res.writableEnded || res.destroyed) return;
  const line = Buffer.from(JSON.stringify({ type, object }) + '\n');
  let at = 0;
  while (at < line.length) {
    const size = 1 + Math.floor(Math.random() * line.length);
    res.write(line.subarray(at, at + size));
    at += size;
  }
}

function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function status(code: number, reason: string, message: string): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code, reason, message };
}

function success(obj: KubeObject): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 200, details: { name: obj.metadata.name, uid: obj.metadata.uid } };
}

function send(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

function sendStatus(res: ServerResponse, code: number, reason: string, message: string): void {
  send(res, code, status(code, reason, message));
}
