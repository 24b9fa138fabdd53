// Who owns which field (metadata.managedFields): each manager with its operation, subresource
// and time, and every field path with its owners — the answer to "who wrote this?".
import { fieldPaths } from '../fields-v1.ts';
import { Empty } from '../components/common.tsx';
import type { KubeObject } from '../types.ts';

export function ManagedFieldsView({ obj }: { obj: KubeObject }) {
  const entries = obj.metadata.managedFields ?? [];
  if (entries.length === 0) return <Empty>No managedFields on this object.</Empty>;
  const owners = new Map<string, string[]>();
  entries.forEach((e) => {
    const who = `${e.manager ?? '?'}${e.subresource ? ` (${e.subresource})` : ''}`;
    for (const path of fieldPaths(e.fieldsV1)) {
      if (!owners.has(path)) owners.set(path, []);
      owners.get(path)!.push(who);
    }
  });
  return (
    <div class="managed-fields">
      <table class="plain">
        <thead><tr><th>Manager</th><th>Operation</th><th>Subresource</th><th>API version</th><th>Time</th><th>Fields</th></tr></thead>
        <tbody>
          {entries.map((e, i) => (
            <tr key={i} data-manager={e.manager}><td><b>{e.manager}</b></td><td>{e.operation}</td><td>{e.subresource ?? ''}</td><td>{e.apiVersion}</td><td>{e.time}</td><td>{fieldPaths(e.fieldsV1).length}</td></tr>
          ))}
        </tbody>
      </table>
      <h3>Owners per field</h3>
      <table class="plain fields">
        <thead><tr><th>Field</th><th>Owned by</th></tr></thead>
        <tbody>
          {[...owners.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([path, who]) => (
            <tr key={path}><td><code>{path}</code></td><td>{who.map((w) => <span key={w} class={`owner ${who.length > 1 ? 'shared' : ''}`}>{w}</span>)}</td></tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
