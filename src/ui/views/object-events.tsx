// The events about one object, live: events in its namespace whose involvedObject is it
// (fieldSelector involvedObject.name, then its uid), as `kubectl describe` shows them.
import { collectionPath, useLiveList } from '../informer.ts';
import { Empty, ErrorBox } from '../components/common.tsx';
import { age } from '../pod-status.ts';
import type { KubeObject } from '../types.ts';
import type { ObjectRef } from './object.tsx';

export function eventTime(ev: KubeObject): string {
  return (ev.lastTimestamp ?? ev.eventTime ?? ev.firstTimestamp ?? ev.metadata.creationTimestamp ?? '') as string;
}

export function eventSource(ev: KubeObject): string {
  const source = ev.source as { component?: string; host?: string } | undefined;
  return (ev.reportingComponent as string) || source?.component || '';
}

export function useObjectEvents(objRef: ObjectRef, uid: string | undefined) {
  const ns = objRef.namespace ?? 'default';
  const live = useLiveList(collectionPath('', 'v1', 'events', ns), `fieldSelector=${encodeURIComponent(`involvedObject.name=${objRef.name}`)}`);
  const items = live.items.filter((e) => !uid || (e.involvedObject as { uid?: string })?.uid === uid);
  return { ...live, items };
}

export function ObjectEvents({ objRef, obj }: { objRef: ObjectRef; obj?: KubeObject }) {
  const events = useObjectEvents(objRef, obj?.metadata.uid);
  const sorted = events.items.sort((a, b) => eventTime(b).localeCompare(eventTime(a)));
  return (
    <div>
      <ErrorBox error={events.error} />
      {events.synced && sorted.length === 0 && <Empty>No events about this object (events expire after an hour).</Empty>}
      <table class="plain">
        <thead><tr><th>Type</th><th>Reason</th><th>Age</th><th>From</th><th>Message</th></tr></thead>
        <tbody>
          {sorted.map((e) => (
            <tr key={e.metadata.uid} class={e.type === 'Warning' ? 'warning' : ''}>
              <td>{e.type as string}</td><td>{e.reason as string}</td><td>{age(eventTime(e))}{(e.count as number) > 1 ? ` (x${e.count})` : ''}</td><td>{eventSource(e)}</td><td>{e.message as string}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
