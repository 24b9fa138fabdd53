// The console's frame: the header (who, which namespace), the navigation, and the view the
// hash route names. Keys: 1–6 switch views, / focuses the filter of the view.
import { useEffect, useState } from 'preact/hooks';
import { describeError, session } from './api.ts';
import { useLiveList } from './informer.ts';
import { Login, whoAmI } from './login.tsx';
import { href, useRoute } from './router.ts';
import { identity, namespace, useValue } from './state.ts';
import { ClusterView } from './views/cluster.tsx';
import { EventsView } from './views/events.tsx';
import { HealthView } from './views/health.tsx';
import { ObjectView } from './views/object.tsx';
import { ResourcesView } from './views/resources.tsx';
import { WorkloadsView } from './views/workloads.tsx';

const views = [
  { path: 'cluster', label: 'Cluster' },
  { path: 'workloads', label: 'Workloads' },
  { path: 'resources', label: 'Resources' },
  { path: 'events', label: 'Events' },
  { path: 'health', label: 'Health' },
];

function NamespacePicker() {
  const ns = useValue(namespace);
  const { items, error } = useLiveList('/api/v1/namespaces');
  const names = items.map((n) => n.metadata.name!).sort();
  // A user who may not list namespaces (a namespaced ServiceAccount) names one instead.
  if (error) {
    return (
      <label class="ns-picker">Namespace
        <input list="" value={ns} placeholder="all namespaces" aria-label="Namespace" size={14}
          onChange={(e) => namespace.set((e.target as HTMLInputElement).value.trim())} />
      </label>
    );
  }
  return (
    <label class="ns-picker">Namespace
      <select value={ns} onChange={(e) => namespace.set((e.target as HTMLSelectElement).value)} aria-label="Namespace">
        <option value="">all namespaces</option>
        {(names.includes(ns) || !ns ? names : [ns, ...names]).map((n) => <option key={n} value={n}>{n}</option>)}
      </select>
    </label>
  );
}

function Shell() {
  const route = useRoute();
  const who = useValue(identity)!;
  const view = route[0] ?? 'cluster';
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement;
      if (target.closest('input, textarea, select, .xterm') || e.ctrlKey || e.metaKey || e.altKey) return;
      const n = Number(e.key);
      if (n >= 1 && n <= views.length) location.hash = `#/${views[n - 1].path}`;
      if (e.key === '/') {
        const filter = document.querySelector<HTMLInputElement>('[data-filter]');
        if (filter) { e.preventDefault(); filter.focus(); }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  function logout() {
    const token = session.token;
    if (token) void fetch('/ui/api/logout', { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    session.clear();
    identity.set(undefined);
  }
  return (
    <div class="shell">
      <header>
        <a class="brand" href="#/cluster"><span class="logo">⎈</span> kubelite</a>
        <nav aria-label="Views">
          {views.map((v, i) => (
            <a key={v.path} href={`#/${v.path}`} class={view === v.path ? 'active' : ''} aria-current={view === v.path ? 'page' : undefined} title={`${v.label} (${i + 1})`}>{v.label}</a>
          ))}
        </nav>
        <NamespacePicker />
        <span class="who" title={who.groups.join(', ')}>{who.username}</span>
        <button class="link" onClick={logout}>Log out</button>
      </header>
      <main class="view">
        {view === 'cluster' && <ClusterView />}
        {view === 'workloads' && <WorkloadsView />}
        {view === 'resources' && <ResourcesView route={route.slice(1)} />}
        {view === 'object' && <ObjectView route={route.slice(1)} />}
        {view === 'events' && <EventsView />}
        {view === 'health' && <HealthView />}
        {!views.some((v) => v.path === view) && view !== 'object' && <p class="empty">Nothing here. <a href={href('cluster')}>Back to the cluster</a>.</p>}
      </main>
    </div>
  );
}

export function App() {
  const who = useValue(identity);
  const [checking, setChecking] = useState(!!session.token && !/[#&]token=/.test(location.hash));
  const [error, setError] = useState('');
  useEffect(() => {
    if (!checking) return;
    whoAmI().then((i) => identity.set(i)).catch((err) => { session.clear(); setError(describeError(err)); }).finally(() => setChecking(false));
  }, []);
  useEffect(() => {
    const expired = () => { session.clear(); identity.set(undefined); };
    window.addEventListener('kubelite:unauthorized', expired);
    return () => window.removeEventListener('kubelite:unauthorized', expired);
  }, []);
  if (checking) return <p class="empty">Connecting…</p>;
  if (!who) return <>{error && <p class="error banner">{error}</p>}<Login /></>;
  return <Shell />;
}
