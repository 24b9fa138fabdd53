// A live list of one resource, as client-go's reflector keeps one: LIST, then WATCH from the
// list's resourceVersion with bookmarks; the stream ending (the server's watch timeout) means
// watch again from the last version seen; 410 Expired means list again. No polling. Views share
// one informer per path and selector, released when the last view stops using it.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, getJson } from './api.ts';
import { keyOf, type KubeList, type KubeObject, type WatchEvent } from './types.ts';
import { watchSocket } from './watch-socket.ts';

type Listener = () => void;

export class Informer {
  readonly items = new Map<string, KubeObject>();
  error: ApiError | Error | undefined;
  synced = false;
  /** Every watch event as it came, for views that show changes (the flow, events). */
  onEvent?: (event: WatchEvent) => void;
  private rv = '';
  private readonly listeners = new Set<Listener>();
  private readonly abort = new AbortController();
  private scheduled = false;

  constructor(readonly path: string, readonly query: string) {
    void this.run();
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get listenerCount(): number { return this.listeners.size; }

  stop(): void { this.abort.abort(); }

  /** Coalesces bursts (a rollout of 1,000 pods) into one render per frame. */
  private notify(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      for (const l of this.listeners) l();
    });
  }

  private url(extra: string): string {
    const q = [this.query, extra].filter(Boolean).join('&');
    return `${this.path}${q ? `?${q}` : ''}`;
  }

  private async list(): Promise<void> {
    const list = await getJson<KubeList>(this.url(''), { signal: this.abort.signal });
    this.items.clear();
    for (const item of list.items) this.items.set(keyOf(item), item);
    this.rv = list.metadata.resourceVersion ?? '';
    this.synced = true;
    this.error = undefined;
    this.notify();
  }

  private async run(): Promise<void> {
    let backoff = 500;
    while (!this.abort.signal.aborted) {
      try {
        if (!this.synced) await this.list();
        await this.watch();
        backoff = 500;
      } catch (err) {
        if (this.abort.signal.aborted) return;
        if (err instanceof ApiError && err.code === 410) { this.synced = false; continue; }
        this.error = err as Error;
        this.notify();
        // Forbidden or Unauthorized will not change by retrying quickly.
        await new Promise((r) => setTimeout(r, err instanceof ApiError && err.code < 500 ? 15_000 : backoff));
        backoff = Math.min(backoff * 2, 10_000);
        this.synced = false;
      }
    }
  }

  private async watch(): Promise<void> {
    await watchSocket(this.url(`watch=1&allowWatchBookmarks=true&resourceVersion=${encodeURIComponent(this.rv)}`), (event) => {
      this.rv = event.object.metadata?.resourceVersion ?? this.rv;
      if (event.type === 'BOOKMARK') return;
      if (event.type === 'DELETED') this.items.delete(keyOf(event.object));
      else this.items.set(keyOf(event.object), event.object);
      this.onEvent?.(event);
      this.notify();
    }, this.abort.signal);
  }
}

const shared = new Map<string, Informer>();

function acquire(path: string, query: string): Informer {
  const key = `${path}?${query}`;
  let informer = shared.get(key);
  if (!informer) {
    informer = new Informer(path, query);
    shared.set(key, informer);
  }
  return informer;
}

function release(informer: Informer): void {
  // Kept a few seconds: going to an object and back should not list again.
  setTimeout(() => {
    if (informer.listenerCount > 0) return;
    informer.stop();
    shared.delete(`${informer.path}?${informer.query}`);
  }, 5_000);
}

export interface LiveList {
  items: KubeObject[];
  error: Error | undefined;
  synced: boolean;
}

/** The live items of `path` (null: nothing to watch), re-rendering the view on every change. */
export function useLiveList(path: string | null, query = ''): LiveList {
  const [, setTick] = useState(0);
  const [informer, setInformer] = useState<Informer | undefined>(undefined);
  useEffect(() => {
    if (!path) { setInformer(undefined); return; }
    const inf = acquire(path, query);
    setInformer(inf);
    const unsubscribe = inf.subscribe(() => setTick((t) => t + 1));
    return () => { unsubscribe(); release(inf); };
  }, [path, query]);
  if (!informer || informer.path !== path || informer.query !== query) return { items: [], error: undefined, synced: false };
  return { items: [...informer.items.values()], error: informer.error, synced: informer.synced };
}

/** The namespaced or cluster-wide collection path of a resource. */
export function collectionPath(group: string, version: string, plural: string, namespace?: string): string {
  const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
  return namespace ? `${base}/namespaces/${namespace}/${plural}` : `${base}/${plural}`;
}
