// YAML view and edit through server-side apply with the console's field manager
// (`kubectl apply --server-side --field-manager=kubelite-console`): a change to a field
// another manager owns comes back as a 409 Conflict whose causes name the fields and their
// managers, shown as such, with the choice to force (take ownership) as --force-conflicts does.
import { useEffect, useState } from 'preact/hooks';
import { parse, stringify } from 'yaml';
import { ApiError, patch } from '../api.ts';
import { errorText } from '../components/common.tsx';
import { objectPathOf } from './object-path.ts';
import type { ObjectRef } from './object.tsx';
import type { KubeObject, Status } from '../types.ts';
import { lineDiff } from '../diff.ts';

export const fieldManager = 'kubelite-console';

/** What a user edits: the object without its managedFields (as `kubectl get -o yaml` shows by default). */
function editable(obj: KubeObject, ref: ObjectRef): string {
  const { managedFields: _managed, ...metadata } = obj.metadata;
  const apiVersion = ref.resource.group ? `${ref.resource.group}/${ref.resource.version}` : ref.resource.version;
  return stringify({ apiVersion, kind: ref.resource.kind, ...obj, metadata });
}

/** The applied configuration: the fields the server sets itself stay out, or the console would own them. */
function applyBody(text: string, ref: ObjectRef): KubeObject {
  const doc = parse(text) as KubeObject;
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('the YAML is not an object');
  const meta = { ...(doc.metadata ?? {}) } as Record<string, unknown>;
  for (const f of ['managedFields', 'resourceVersion', 'uid', 'creationTimestamp', 'generation', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds']) delete meta[f];
  const { status: _status, ...rest } = doc;
  return { ...rest, apiVersion: doc.apiVersion ?? (ref.resource.group ? `${ref.resource.group}/${ref.resource.version}` : ref.resource.version), kind: doc.kind ?? ref.resource.kind, metadata: meta };
}

export function YamlEditor({ objRef, obj }: { objRef: ObjectRef; obj: KubeObject }) {
  const live = editable(obj, objRef);
  const [text, setText] = useState(live);
  const [dirty, setDirty] = useState(false);
  const [showDiff, setShowDiff] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string; conflicts?: Status['details'] } | undefined>();
  const [busy, setBusy] = useState(false);
  // Follow the live object while the user has not started editing.
  useEffect(() => { if (!dirty) setText(live); }, [live]);

  async function apply(force: boolean) {
    setBusy(true);
    setResult(undefined);
    try {
      const body = applyBody(text, objRef);
      const query = `fieldManager=${fieldManager}&fieldValidation=Strict${force ? '&force=true' : ''}`;
      const updated = await patch(objectPathOf(objRef), body, 'apply', query);
      setDirty(false);
      setText(editable(updated, objRef));
      setResult({ ok: true, text: `applied as ${fieldManager}: resourceVersion ${updated.metadata.resourceVersion}` });
    } catch (err) {
      const conflicts = err instanceof ApiError && err.code === 409 ? err.status?.details : undefined;
      setResult({ ok: false, text: errorText(err), conflicts });
    } finally {
      setBusy(false);
    }
  }

  const diff = showDiff ? lineDiff(live, text) : [];
  return (
    <div class="yaml-editor">
      <div class="toolbar">
        <button class="primary" disabled={busy || !dirty} onClick={() => apply(false)} data-action="apply">Apply (server-side)</button>
        <button disabled={!dirty} onClick={() => { setText(live); setDirty(false); setResult(undefined); }}>Revert</button>
        <label class="check"><input type="checkbox" checked={showDiff} onChange={() => setShowDiff(!showDiff)} /> Diff against the live object</label>
        <span class="muted">field manager <code>{fieldManager}</code> · resourceVersion {obj.metadata.resourceVersion}{dirty && live !== text ? ' · edited' : ''}</span>
      </div>
      {result && (
        <div class={`apply-result ${result.ok ? 'ok' : 'failed'}`} role={result.ok ? 'status' : 'alert'}>
          <div>{result.text}</div>
          {result.conflicts?.causes && (
            <>
              <ul class="conflicts">{result.conflicts.causes.map((c, i) => <li key={i}><code>{c.field}</code> {c.message}</li>)}</ul>
              <button class="danger" disabled={busy} onClick={() => apply(true)} data-action="force-apply">Apply with force (take ownership)</button>
            </>
          )}
        </div>
      )}
      {showDiff ? (
        <pre class="diff" aria-label="diff">{diff.map((d, i) => <div key={i} class={`diff-${d.op}`}>{d.op === 'add' ? '+ ' : d.op === 'del' ? '- ' : '  '}{d.line}</div>)}</pre>
      ) : (
        <textarea class="code" spellcheck={false} aria-label="YAML" value={text} rows={32}
          onInput={(e) => { setText((e.target as HTMLTextAreaElement).value); setDirty(true); }} />
      )}
    </div>
  );
}
