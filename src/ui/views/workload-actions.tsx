// What `kubectl scale|set image|rollout restart|rollout undo|rollout pause|resume|delete` do,
// as the same API requests, sent as the logged-in user: a user without the right sees the
// server's 403 next to the button.
import { useState } from 'preact/hooks';
import { patch, request } from '../api.ts';
import { errorText } from '../components/common.tsx';
import type { KubeObject } from '../types.ts';

export interface WorkloadKind {
  kind: string;
  group: string;
  plural: string;
  scalable?: boolean;
  hasTemplate?: boolean;
  rollout?: boolean;
  pausable?: boolean;
  suspendable?: boolean;
}

export function objectPath(k: WorkloadKind, obj: KubeObject): string {
  return `/apis/${k.group}/v1/namespaces/${obj.metadata.namespace}/${k.plural}/${obj.metadata.name}`;
}

/** kubectl rollout undo: the template of the ReplicaSet with the previous revision, without its pod-template-hash. */
async function undo(path: string, deployment: KubeObject, replicaSets: KubeObject[]): Promise<string> {
  const revision = (rs: KubeObject) => Number(rs.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0);
  const current = Number(deployment.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0);
  const previous = replicaSets.filter((rs) => revision(rs) < current).sort((a, b) => revision(b) - revision(a))[0];
  if (!previous) throw new Error('no rollout history found: there is no earlier revision to roll back to');
  const template = structuredClone(previous.spec.template);
  delete template.metadata?.labels?.['pod-template-hash'];
  await patch(path, [{ op: 'replace', path: '/spec/template', value: template }], 'json');
  return `rolled back to revision ${revision(previous)}`;
}

export function WorkloadActions({ kind, obj, children }: { kind: WorkloadKind; obj: KubeObject; children?: KubeObject[] }) {
  const path = objectPath(kind, obj);
  const [replicas, setReplicas] = useState(String(obj.spec?.replicas ?? 1));
  const containers: { name: string; image: string }[] = (kind.kind === 'CronJob' ? obj.spec?.jobTemplate?.spec?.template?.spec?.containers : obj.spec?.template?.spec?.containers) ?? [];
  const [container, setContainer] = useState(containers[0]?.name ?? '');
  const [image, setImage] = useState(containers[0]?.image ?? '');
  const [propagation, setPropagation] = useState('Background');
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | undefined>();
  const [busy, setBusy] = useState(false);

  async function run(what: string, action: () => Promise<string | void>) {
    setBusy(true);
    setResult(undefined);
    try {
      setResult({ ok: true, text: (await action()) || `${what}: done` });
    } catch (err) {
      setResult({ ok: false, text: `${what} failed: ${errorText(err)}` });
    } finally {
      setBusy(false);
    }
  }

  const scale = () => run('scale', async () => {
    const n = Number(replicas);
    if (!Number.isInteger(n) || n < 0) throw new Error('replicas must be a non-negative integer');
    await patch(`${path}/scale`, { spec: { replicas: n } }, 'merge');
    return `scaled to ${n}`;
  });
  const setImageAction = () => run('set image', async () => {
    await patch(path, { spec: { template: { spec: { containers: [{ name: container, image }] } } } }, 'strategic');
    return `${container} → ${image}`;
  });
  const restart = () => run('restart', async () => {
    await patch(path, { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() } } } } }, 'strategic');
    return 'restarted';
  });
  const remove = () => run('delete', async () => {
    await request(path, { method: 'DELETE', body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: propagation } });
    setConfirmDelete(false);
    return `deleted (${propagation})`;
  });
  const name = obj.metadata.name!;
  return (
    <div class="actions" aria-label={`actions for ${name}`}>
      {kind.scalable && (
        <form class="inline" onSubmit={(e) => { e.preventDefault(); void scale(); }}>
          <input type="number" min={0} value={replicas} aria-label={`replicas of ${name}`} data-action="replicas" onInput={(e) => setReplicas((e.target as HTMLInputElement).value)} />
          <button type="submit" disabled={busy} data-action="scale">Scale</button>
        </form>
      )}
      {kind.hasTemplate && containers.length > 0 && (
        <form class="inline" onSubmit={(e) => { e.preventDefault(); void setImageAction(); }}>
          {containers.length > 1 && (
            <select value={container} aria-label="container" onChange={(e) => setContainer((e.target as HTMLSelectElement).value)}>
              {containers.map((c) => <option key={c.name}>{c.name}</option>)}
            </select>
          )}
          <input class="image" value={image} aria-label={`image of ${name}`} data-action="image" onInput={(e) => setImage((e.target as HTMLInputElement).value)} />
          <button type="submit" disabled={busy} data-action="set-image">Set image</button>
        </form>
      )}
      {kind.rollout && <button disabled={busy} onClick={restart} data-action="restart">Restart</button>}
      {kind.kind === 'Deployment' && <button disabled={busy} data-action="undo" onClick={() => run('undo', () => undo(path, obj, children ?? []))}>Undo</button>}
      {kind.pausable && (
        <button disabled={busy} data-action="pause" onClick={() => run(obj.spec?.paused ? 'resume' : 'pause', () => patch(path, { spec: { paused: !obj.spec?.paused } }, 'merge').then(() => undefined))}>
          {obj.spec?.paused ? 'Resume' : 'Pause'}
        </button>
      )}
      {kind.suspendable && (
        <button disabled={busy} data-action="suspend" onClick={() => run(obj.spec?.suspend ? 'resume' : 'suspend', () => patch(path, { spec: { suspend: !obj.spec?.suspend } }, 'merge').then(() => undefined))}>
          {obj.spec?.suspend ? 'Resume' : 'Suspend'}
        </button>
      )}
      {!confirmDelete ? <button class="danger" disabled={busy} data-action="delete" onClick={() => setConfirmDelete(true)}>Delete…</button> : (
        <span class="inline confirm">
          <select value={propagation} aria-label="propagation policy" onChange={(e) => setPropagation((e.target as HTMLSelectElement).value)}>
            <option value="Background">Background: delete dependents after</option>
            <option value="Foreground">Foreground: dependents first</option>
            <option value="Orphan">Orphan: keep dependents</option>
          </select>
          <button class="danger" disabled={busy} data-action="confirm-delete" onClick={remove}>Delete {name}</button>
          <button onClick={() => setConfirmDelete(false)}>Cancel</button>
        </span>
      )}
      {result && <span class={`result ${result.ok ? 'ok' : 'failed'}`} role={result.ok ? 'status' : 'alert'}>{result.text}</span>}
    </div>
  );
}
