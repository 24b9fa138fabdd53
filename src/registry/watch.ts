// WATCH on a resource: initial state (when asked for), then every change after a revision,
// filtered by selectors with kube's transitions — an object leaving the selection is sent as
// DELETED, one entering it as ADDED (as the watch cache's cacheWatcher does).
import { errors, type StatusError } from '../api/errors.ts';
import type { KubeObject, WatchEventType } from '../api/types.ts';
import type { Storage, StorageEvent, StoredObject, WatchHandle } from '../storage/interface.ts';
import { isStorageError } from '../storage/interface.ts';
import { listPrefix } from './catalog.ts';
import { parseResourceVersion, type ListQuery } from './list-options.ts';
import { buildSelection } from './selection.ts';
import { groupVersion, type ResourceDef } from './types.ts';

export interface WatchSink {
  /** A stored version (its JSON is shared) or an object built for this event. */
  event(type: Exclude<WatchEventType, 'ERROR'>, obj: StoredObject | KubeObject): void;
  error(err: StatusError): void;
}

export interface WatchSettings {
  /** Interval of BOOKMARK events when allowWatchBookmarks=true. */
  bookmarkIntervalMs: number;
}

export const defaultWatchSettings: WatchSettings = { bookmarkIntervalMs: 60_000 };

export async function startWatch(
  storage: Storage,
  def: ResourceDef,
  namespace: string | undefined,
  q: ListQuery,
  sink: WatchSink,
  settings: WatchSettings = defaultWatchSettings,
): Promise<WatchHandle> {
  const selection = buildSelection(def, q.labelSelector, q.fieldSelector);
  const prefix = listPrefix(def, namespace ?? (def.namespaced ? selection.namespace : undefined));
  const rv = q.resourceVersion;
  // Legacy semantics: no version or "0" means "current state first"; sendInitialEvents says it explicitly.
  const initialEvents = q.sendInitialEvents ?? (!rv || rv === '0');
  let from: number;
  if (initialEvents) {
    const list = await storage.list(prefix, { predicate: selection.everything ? undefined : selection.matches });
    for (const item of list.items) sink.event('ADDED', item);
    from = list.revision;
    if (q.sendInitialEvents) sink.event('BOOKMARK', bookmark(def, from, true));
  } else {
    from = parseResourceVersion(rv!);
  }
  const deliver = (ev: StorageEvent) => {
    const now = selection.matches(ev.current.object) && ev.type !== 'DELETED';
    const before = ev.prev ? selection.matches(ev.prev.object) : ev.type !== 'ADDED' && selection.matches(ev.current.object);
    if (ev.type === 'DELETED') {
      if (selection.matches(ev.current.object)) sink.event('DELETED', ev.current);
    } else if (now && ev.type === 'ADDED') sink.event('ADDED', ev.current);
    else if (now && before) sink.event('MODIFIED', ev.current);
    else if (now) sink.event('ADDED', ev.current);
    else if (before && ev.prev) sink.event('DELETED', stampedWith(ev.prev.object, ev.revision));
  };
  let handle: WatchHandle;
  try {
    handle = await storage.watch(prefix, from, deliver);
  } catch (err) {
    if (isStorageError(err, 'Compacted')) {
      sink.error(errors.tooOldResourceVersion(from, storage.compactedRevision));
      return { stop() {} };
    }
    throw err;
  }
  const timer = q.allowWatchBookmarks
    ? setInterval(() => sink.event('BOOKMARK', bookmark(def, storage.revision, false)), settings.bookmarkIntervalMs)
    : undefined;
  timer?.unref();
  return {
    stop() {
      if (timer) clearInterval(timer);
      handle.stop();
    },
  };
}

/** The last state of an object that left the selection, carrying the revision of the change. */
function stampedWith(obj: KubeObject, revision: number): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(revision) } };
}

function bookmark(def: ResourceDef, revision: number, initialEventsEnd: boolean): KubeObject {
  const metadata: KubeObject['metadata'] = { resourceVersion: String(revision) };
  if (initialEventsEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
  return { kind: def.kind, apiVersion: groupVersion(def), metadata };
}
