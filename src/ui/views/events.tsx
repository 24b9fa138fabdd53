// Events as they happen, from a watch: newest first, filtered by type and by text (reason,
// object, message, source), in a virtualised list so an event storm stays smooth.
import { useState } from 'preact/hooks';
import { Empty, ErrorBox } from '../components/common.tsx';
import { VirtualList } from '../components/virtual-list.tsx';
import { collectionPath, useLiveList } from '../informer.ts';
import { age } from '../pod-status.ts';
import { objectHref } from '../router.ts';
import { namespace, useValue } from '../state.ts';
import { eventSource, eventTime } from './object-events.tsx';

const pluralOf: Record<string, { group: string; plural: string }> = {
  Pod: { group: '', plural: 'pods' }, Node: { group: '', plural: 'nodes' }, Deployment: { group: 'apps', plural: 'deployments' },
  ReplicaSet: { group: 'apps', plural: 'replicasets' }, StatefulSet: { group: 'apps', plural: 'statefulsets' },
  DaemonSet: { group: 'apps', plural: 'daemonsets' }, Job: { group: 'batch', plural: 'jobs' }, CronJob: { group: 'batch', plural: 'cronjobs' },
};

export function EventsView() {
  const ns = useValue(namespace) || undefined;
  const events = useLiveList(collectionPath('', 'v1', 'events', ns));
  const [text, setText] = useState('');
  const [type, setType] = useState('');
  const needle = text.toLowerCase();
  const shown = events.items
    .filter((e) => !type || e.type === type)
    .filter((e) => {
      if (!needle) return true;
      const io = e.involvedObject as { kind?: string; name?: string };
      return `${e.reason} ${io?.kind}/${io?.name} ${e.message} ${eventSource(e)}`.toLowerCase().includes(needle);
    })
    .sort((a, b) => eventTime(b).localeCompare(eventTime(a)) || Number(b.metadata.resourceVersion) - Number(a.metadata.resourceVersion));
  return (
    <div class="events">
      <div class="toolbar">
        <h2>Events</h2>
        <input data-filter placeholder="filter: reason, object, message, source" value={text} aria-label="filter events" onInput={(e) => setText((e.target as HTMLInputElement).value)} />
        <select value={type} aria-label="event type" onChange={(e) => setType((e.target as HTMLSelectElement).value)}>
          <option value="">all types</option><option>Normal</option><option>Warning</option>
        </select>
        <span class="muted">{shown.length} of {events.items.length}</span>
      </div>
      <ErrorBox error={events.error} />
      {events.synced && shown.length === 0 && <Empty>No events{text || type ? ' match' : ' yet'}.</Empty>}
      <div class="table events-table" style={{ '--cols': 6 }}>
        <div class="tr th"><span>Age</span><span>Type</span><span>Reason</span><span>Object</span><span>From</span><span>Message</span></div>
        <VirtualList items={shown} rowHeight={30} height={600} render={(e) => {
          const io = e.involvedObject as { kind?: string; name?: string; namespace?: string };
          const target = io?.kind ? pluralOf[io.kind] : undefined;
          return (
            <div class={`tr ${e.type === 'Warning' ? 'warning' : ''}`} data-reason={e.reason as string}>
              <span>{age(eventTime(e))}</span><span>{e.type as string}</span><span>{e.reason as string}</span>
              <span>{target ? <a href={objectHref({ ...target, version: 'v1', namespace: io.namespace, name: io.name! }, 'flow')}>{io.kind}/{io.name}</a> : `${io?.kind}/${io?.name}`}</span>
              <span>{eventSource(e)}</span><span title={e.message as string}>{e.message as string}</span>
            </div>
          );
        }} />
      </div>
    </div>
  );
}
