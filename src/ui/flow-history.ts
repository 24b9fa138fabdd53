// An object's history from the API alone: a watch on its name from the oldest resourceVersion
// the server still keeps (it answers 410 "too old resource version: R (OLDEST)" below that,
// and the watch starts again from OLDEST), so that every write since creation comes back in
// order, then goes on live. Each write is described by what changed from the version before
// and attributed to the managers whose managedFields entries it touched.
import { ApiError } from './api.ts';
import type { KubeObject, ManagedFieldsEntry, WatchEvent } from './types.ts';
import { watchSocket } from './watch-socket.ts';

export interface FlowEntry {
  /** The resourceVersion that orders it (numeric in kubelite and on etcd, where it is the store's revision). */
  rv: number;
  time: string;
  source: 'write' | 'event';
  /** A stable tag the tests and styles use: created, binding, phase:Running, condition:Ready, event:Scheduled… */
  tags: string[];
  actor: string;
  text: string;
}

function managerKey(e: ManagedFieldsEntry): string {
  return `${e.manager}|${e.operation}|${e.subresource ?? ''}`;
}

/** The managers whose entries this write added or changed (their time or fields), as "name (subresource)". */
function actorsOf(prev: KubeObject | undefined, next: KubeObject): string[] {
  const before = new Map((prev?.metadata.managedFields ?? []).map((e) => [managerKey(e), JSON.stringify(e)]));
  return (next.metadata.managedFields ?? [])
    .filter((e) => before.get(managerKey(e)) !== JSON.stringify(e))
    .map((e) => `${e.manager}${e.subresource ? ` (${e.subresource})` : ''}`);
}

function conditionMap(obj: KubeObject | undefined): Map<string, string> {
  return new Map(((obj?.status?.conditions ?? []) as { type: string; status: string }[]).map((c) => [c.type, c.status]));
}

/** What one write changed, in words, with tags. */
export function describeWrite(type: WatchEvent['type'], prev: KubeObject | undefined, next: KubeObject): { tags: string[]; text: string[]; actor: string } {
  const tags: string[] = [];
  const text: string[] = [];
  let actors = actorsOf(prev, next);
  if (type === 'ADDED' && !prev) { tags.push('created'); text.push('created'); }
  if (type === 'DELETED') { tags.push('deleted'); text.push('deleted'); }
  if (next.spec?.nodeName && next.spec.nodeName !== prev?.spec?.nodeName) {
    tags.push('binding');
    text.push(`bound to node ${next.spec.nodeName} (pods/binding)`);
    // The binding subresource writes no managedFields entry: the scheduler is who binds.
    if (actors.length === 0) actors = ['scheduler (binding)'];
  }
  if (next.status?.phase && next.status.phase !== prev?.status?.phase) {
    tags.push(`phase:${next.status.phase}`);
    text.push(prev?.status?.phase ? `phase ${prev.status.phase} → ${next.status.phase}` : `phase ${next.status.phase}`);
  }
  const before = conditionMap(prev);
  for (const [cond, status] of conditionMap(next)) {
    if (before.get(cond) !== status) { tags.push(`condition:${cond}=${status}`); text.push(`${cond}=${status}`); }
  }
  if (next.metadata.deletionTimestamp && !prev?.metadata.deletionTimestamp) { tags.push('deleting'); text.push('deletion requested'); }
  if (prev && next.metadata.generation !== prev.metadata.generation) { tags.push('spec'); text.push(`spec changed (generation ${next.metadata.generation})`); }
  if (prev && JSON.stringify(next.metadata.labels) !== JSON.stringify(prev.metadata.labels)) { tags.push('labels'); text.push('labels changed'); }
  if (prev && JSON.stringify(next.metadata.annotations) !== JSON.stringify(prev.metadata.annotations)) { tags.push('annotations'); text.push('annotations changed'); }
  if (text.length === 0) {
    const changed = prev ? Object.keys({ ...prev, ...next }).filter((k) => k !== 'metadata' && JSON.stringify(prev[k]) !== JSON.stringify(next[k])) : [];
    text.push(changed.length ? `${changed.join(', ')} changed` : 'updated');
    tags.push('update');
  }
  return { tags, text, actor: actors.join(', ') || (type === 'DELETED' ? 'garbage collector or a user' : 'unknown') };
}

function latestTime(obj: KubeObject): string {
  const times = (obj.metadata.managedFields ?? []).map((e) => e.time ?? '').sort();
  return times[times.length - 1] || obj.metadata.creationTimestamp || '';
}

export interface HistoryOptions {
  collection: string;
  name: string;
  onEntry: (e: FlowEntry) => void;
  onNote: (note: string) => void;
  signal: AbortSignal;
}

/** Watches the object's history and goes on live until `signal` aborts. */
export async function watchHistory(opts: HistoryOptions): Promise<void> {
  const previous = new Map<string, KubeObject>();
  let from = '1';
  for (let attempt = 0; attempt < 5 && !opts.signal.aborted; attempt++) {
    const url = `${opts.collection}?fieldSelector=${encodeURIComponent(`metadata.name=${opts.name}`)}&watch=1&resourceVersion=${from}`;
    try {
      await watchSocket(url, (event) => {
        if (event.type === 'BOOKMARK') return;
        const obj = event.object;
        from = obj.metadata.resourceVersion ?? from;
        const uid = obj.metadata.uid ?? '';
        const d = describeWrite(event.type, previous.get(uid), obj);
        previous.set(uid, obj);
        opts.onEntry({ rv: Number(obj.metadata.resourceVersion), time: latestTime(obj), source: 'write', tags: d.tags, actor: d.actor, text: d.text.join('; ') });
      }, opts.signal);
    } catch (err) {
      if (opts.signal.aborted) return;
      const oldest = err instanceof ApiError && err.code === 410 ? /\((\d+)\)\s*$/.exec(err.message)?.[1] : undefined;
      if (oldest) {
        opts.onNote(`The server keeps history from resourceVersion ${oldest} on; earlier writes are compacted.`);
        from = oldest;
        continue;
      }
      throw err;
    }
  }
}
