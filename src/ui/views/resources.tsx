// Any resource the server serves, custom resources included, listed with the server's own
// table columns (Accept: as=Table, what `kubectl get` asks for) and a label selector. The
// table is asked for again when the watch says something changed, at most a few times a
// second: the rows stay exactly what kubectl would print.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { getJson, tableAccept } from '../api.ts';
import { Empty, ErrorBox } from '../components/common.tsx';
import { discover } from '../discovery.ts';
import { collectionPath, useLiveList } from '../informer.ts';
import { href, objectHref } from '../router.ts';
import { namespace, useValue } from '../state.ts';
import type { ApiResource, Table } from '../types.ts';
import { VirtualList } from '../components/virtual-list.tsx';

function ResourcePicker({ resources, selected }: { resources: ApiResource[]; selected?: ApiResource }) {
  const [filter, setFilter] = useState('');
  const shown = resources.filter((r) => r.verbs.includes('list') && (`${r.name}.${r.group} ${r.kind} ${(r.shortNames ?? []).join(' ')}`).toLowerCase().includes(filter.toLowerCase()));
  return (
    <aside class="picker">
      <input placeholder="Filter resources" value={filter} aria-label="filter resources" onInput={(e) => setFilter((e.target as HTMLInputElement).value)} />
      <ul>
        {shown.map((r) => (
          <li key={`${r.group}/${r.name}`}>
            <a class={selected === r ? 'active' : ''} ref={selected === r ? (el) => el?.scrollIntoView({ block: 'nearest' }) : undefined} href={href('resources', r.group || 'core', r.version, r.name)} data-resource={`${r.name}${r.group ? `.${r.group}` : ''}`}>
              {r.name}{r.group && <span class="muted">.{r.group}</span>}
            </a>
          </li>
        ))}
      </ul>
    </aside>
  );
}

function ResourceTable({ resource }: { resource: ApiResource }) {
  const ns = useValue(namespace);
  const [labelSelector, setLabelSelector] = useState('');
  const [applied, setApplied] = useState('');
  const [table, setTable] = useState<Table | undefined>();
  const [error, setError] = useState<unknown>();
  const path = collectionPath(resource.group, resource.version, resource.name, resource.namespaced && ns ? ns : undefined);
  const query = applied ? `labelSelector=${encodeURIComponent(applied)}` : '';
  const live = useLiveList(path, query);
  // The watch's changes, as a version that moves: every change asks for the table again.
  const version = useMemo(() => live.items.map((o) => o.metadata.resourceVersion).join(','), [live.items]);
  useEffect(() => {
    let cancelled = false;
    const timer = setTimeout(() => {
      getJson<Table>(`${path}${query ? `?${query}` : ''}`, { accept: tableAccept })
        .then((t) => { if (!cancelled) { setTable(t); setError(undefined); } })
        .catch((err) => { if (!cancelled) setError(err); });
    }, 150);
    return () => { cancelled = true; clearTimeout(timer); };
  }, [path, query, version]);
  const columns = (table?.columnDefinitions ?? []).filter((c) => !c.priority);
  const showNamespace = resource.namespaced && !ns;
  const plural = resource.name;
  return (
    <section class="resource-table">
      <div class="toolbar">
        <h2>{resource.kind}<span class="muted"> {resource.group || 'core'}/{resource.version}</span></h2>
        <form class="inline" onSubmit={(e) => { e.preventDefault(); setApplied(labelSelector.trim()); }}>
          <input data-filter class="selector" placeholder="label selector, e.g. app=web,tier!=db" value={labelSelector} aria-label="label selector" onInput={(e) => setLabelSelector((e.target as HTMLInputElement).value)} />
          <button type="submit">Filter</button>
        </form>
        <span class="muted">{table ? `${table.rows.length} ${table.rows.length === 1 ? 'item' : 'items'}` : ''}</span>
      </div>
      <ErrorBox error={error ?? live.error} />
      {table && table.rows.length === 0 && <Empty>No {resource.name} {ns && resource.namespaced ? `in ${ns}` : ''}{applied ? ` matching ${applied}` : ''}.</Empty>}
      {table && table.rows.length > 0 && (
        <div class="table" role="table" aria-label={`${plural} table`} style={{ '--cols': (showNamespace ? 1 : 0) + columns.length }}>
          <div class="tr th" role="row">
            {showNamespace && <span role="columnheader">Namespace</span>}
            {columns.map((c) => <span key={c.name} role="columnheader" title={c.description}>{c.name}</span>)}
          </div>
          <VirtualList items={table.rows} rowHeight={30} height={Math.min(table.rows.length * 30, 620)} render={(row) => {
            const meta = row.object?.metadata ?? {};
            const name = meta.name ?? String(row.cells[0]);
            const link = objectHref({ group: resource.group, version: resource.version, plural, namespace: meta.namespace, name });
            return (
              <a class="tr" href={link} data-row={name}>
                {showNamespace && <span role="cell">{meta.namespace}</span>}
                {columns.map((c) => <span key={c.name} role="cell">{String(row.cells[table.columnDefinitions.indexOf(c)] ?? '')}</span>)}
              </a>
            );
          }} />
        </div>
      )}
    </section>
  );
}

export function ResourcesView({ route }: { route: string[] }) {
  const [resources, setResources] = useState<ApiResource[]>([]);
  const [error, setError] = useState<unknown>();
  const [group, version, plural] = route;
  useEffect(() => { discover(true).then(setResources, setError); }, [plural]);
  const selected = resources.find((r) => r.group === (group === 'core' ? '' : group) && r.name === plural && (!version || r.version === version));
  return (
    <div class="resources">
      <ResourcePicker resources={resources} selected={selected} />
      <div class="resource-main">
        <ErrorBox error={error} />
        {selected ? <ResourceTable key={`${selected.group}/${selected.name}`} resource={selected} /> : <Empty>Choose a resource on the left: every kind the server serves is there, custom resources included.</Empty>}
      </div>
    </div>
  );
}
