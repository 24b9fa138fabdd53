// One object: its YAML (view and server-side apply), who owns which field, its flow (every
// write and event in order), its events, and for pods the logs and a terminal. The object is
// kept live by a watch on its name (fieldSelector=metadata.name=…, as `kubectl get -w NAME`).
import { useEffect, useState } from 'preact/hooks';
import { Empty, ErrorBox } from '../components/common.tsx';
import { discover } from '../discovery.ts';
import { collectionPath, useLiveList } from '../informer.ts';
import { href, objectHref } from '../router.ts';
import type { ApiResource, KubeObject } from '../types.ts';
import { FlowView } from './flow.tsx';
import { ManagedFieldsView } from './managed-fields.tsx';
import { ObjectEvents } from './object-events.tsx';
import { PodLogs } from './pod-logs.tsx';
import { PodTerminal } from './pod-terminal.tsx';
import { YamlEditor } from './yaml-editor.tsx';

export interface ObjectRef {
  resource: ApiResource;
  namespace?: string;
  name: string;
}

const tabs = [
  { id: 'yaml', label: 'YAML' },
  { id: 'fields', label: 'Field owners' },
  { id: 'flow', label: 'Flow' },
  { id: 'events', label: 'Events' },
  { id: 'logs', label: 'Logs', pods: true },
  { id: 'exec', label: 'Terminal', pods: true },
];

export function ObjectView({ route }: { route: string[] }) {
  const [group, version, plural, ns, name, tab = 'yaml'] = route;
  const [resource, setResource] = useState<ApiResource | undefined>();
  const [error, setError] = useState<unknown>();
  const namespace = ns && ns !== '_' ? ns : undefined;
  useEffect(() => {
    discover().then((all) => {
      const found = all.find((r) => r.group === (group === 'core' ? '' : group) && r.name === plural);
      if (found) setResource(found);
      else setError(new Error(`the server does not serve ${plural}${group === 'core' ? '' : `.${group}`}`));
    }, setError);
  }, [group, plural]);
  const live = useLiveList(resource ? collectionPath(resource.group, version, plural, namespace) : null, `fieldSelector=${encodeURIComponent(`metadata.name=${name}`)}`);
  const obj: KubeObject | undefined = live.items[0];
  const ref = resource && { resource: { ...resource, version }, namespace, name };
  const isPod = resource?.group === '' && plural === 'pods';
  return (
    <div class="object">
      <div class="toolbar">
        <h2><a href={href('resources', group, version, plural)} class="muted">{resource?.kind ?? plural}</a> {namespace ? `${namespace}/` : ''}{name}</h2>
        <div class="tabs" role="tablist">
          {tabs.filter((t) => !t.pods || isPod).map((t) => (
            <a key={t.id} role="tab" aria-selected={t.id === tab} class={t.id === tab ? 'active' : ''}
              href={objectHref({ group: group === 'core' ? '' : group, version, plural, namespace, name }, t.id)}>{t.label}</a>
          ))}
        </div>
      </div>
      <ErrorBox error={error ?? live.error} />
      {ref && live.synced && !obj && tab !== 'flow' && <Empty>{plural} "{name}" not found{namespace ? ` in ${namespace}` : ''} (it may have been deleted).</Empty>}
      {ref && tab === 'yaml' && obj && <YamlEditor objRef={ref} obj={obj} />}
      {ref && tab === 'fields' && obj && <ManagedFieldsView obj={obj} />}
      {ref && tab === 'flow' && <FlowView objRef={ref} current={obj} />}
      {ref && tab === 'events' && <ObjectEvents objRef={ref} obj={obj} />}
      {ref && tab === 'logs' && obj && <PodLogs pod={obj} />}
      {ref && tab === 'exec' && obj && <PodTerminal pod={obj} />}
    </div>
  );
}
