// The flow of one object: every write (from the watch history, by resourceVersion) and every
// event about it, merged into one timeline by resourceVersion — for a pod, the user's or the
// controller's create, the scheduler's binding and Scheduled event, the kubelet's status
// writes up to Running — and then live as it goes on.
import { useEffect, useState } from 'preact/hooks';
import { Empty, ErrorBox } from '../components/common.tsx';
import { watchHistory, type FlowEntry } from '../flow-history.ts';
import { collectionPath } from '../informer.ts';
import type { KubeObject } from '../types.ts';
import { eventSource, eventTime, useObjectEvents } from './object-events.tsx';
import type { ObjectRef } from './object.tsx';

function eventEntries(events: KubeObject[]): FlowEntry[] {
  return events.map((e) => ({
    rv: Number(e.metadata.resourceVersion), time: eventTime(e), source: 'event' as const,
    tags: [`event:${e.reason}`], actor: eventSource(e),
    text: `${e.type === 'Warning' ? 'Warning ' : ''}${e.reason}: ${e.message}${(e.count as number) > 1 ? ` (x${e.count})` : ''}`,
  }));
}

function timeOf(t: string): string {
  return t ? new Date(t).toLocaleTimeString() : '';
}

export function FlowView({ objRef, current }: { objRef: ObjectRef; current?: KubeObject }) {
  const [writes, setWrites] = useState<FlowEntry[]>([]);
  const [note, setNote] = useState('');
  const [error, setError] = useState<unknown>();
  const events = useObjectEvents(objRef, current?.metadata.uid);
  useEffect(() => {
    const abort = new AbortController();
    setWrites([]);
    const collection = collectionPath(objRef.resource.group, objRef.resource.version, objRef.resource.name, objRef.resource.namespaced ? objRef.namespace : undefined);
    watchHistory({
      collection, name: objRef.name, signal: abort.signal,
      onEntry: (e) => setWrites((all) => [...all, e]),
      onNote: setNote,
    }).catch((err) => { if (!abort.signal.aborted) setError(err); });
    return () => abort.abort();
  }, [objRef.resource.name, objRef.namespace, objRef.name]);
  const entries = [...writes, ...eventEntries(events.items)].sort((a, b) => a.rv - b.rv || a.time.localeCompare(b.time));
  return (
    <div class="flow">
      <p class="muted">Every write to this object (from a watch on its history) and every event about it, in resourceVersion order. New ones appear as they happen.</p>
      {note && <p class="note">{note}</p>}
      <ErrorBox error={error ?? events.error} />
      {entries.length === 0 && !error && <Empty>Waiting for the history…</Empty>}
      <ol class="timeline" aria-label="flow">
        {entries.map((e) => (
          <li key={`${e.source}${e.rv}${e.tags[0]}`} class={`entry ${e.source} ${e.tags.map((t) => t.split(/[:=]/)[0]).join(' ')}`} data-tags={e.tags.join(' ')} data-rv={e.rv}>
            <span class="rv" title="resourceVersion">{e.rv}</span>
            <span class="time">{timeOf(e.time)}</span>
            <span class={`source ${e.source}`}>{e.source === 'event' ? 'event' : 'write'}</span>
            <span class="actor">{e.actor}</span>
            <span class="what">{e.text}</span>
          </li>
        ))}
      </ol>
    </div>
  );
}
