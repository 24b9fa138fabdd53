// A container's log, following (`kubectl logs -f --tail=500`): the pods/log stream read as it
// comes, kept to the last few thousand lines.
import { useEffect, useRef, useState } from 'preact/hooks';
import { readLines, request } from '../api.ts';
import { ErrorBox } from '../components/common.tsx';
import type { KubeObject } from '../types.ts';

const keepLines = 5000;

export function PodLogs({ pod }: { pod: KubeObject }) {
  const containers: string[] = (pod.spec?.containers ?? []).map((c: { name: string }) => c.name);
  const [container, setContainer] = useState(containers[0] ?? '');
  const [lines, setLines] = useState<string[]>([]);
  const [error, setError] = useState<unknown>();
  const [follow, setFollow] = useState(true);
  const pre = useRef<HTMLPreElement>(null);
  const { namespace, name } = pod.metadata;
  useEffect(() => {
    const abort = new AbortController();
    setLines([]);
    setError(undefined);
    const path = `/api/v1/namespaces/${namespace}/pods/${name}/log?container=${encodeURIComponent(container)}&tailLines=500${follow ? '&follow=true' : ''}`;
    request(path, { accept: '*/*', signal: abort.signal })
      .then((res) => readLines(res, (line) => setLines((all) => [...all.slice(-(keepLines - 1)), line])))
      .catch((err) => { if (!abort.signal.aborted) setError(err); });
    return () => abort.abort();
  }, [namespace, name, container, follow]);
  useEffect(() => { if (follow && pre.current) pre.current.scrollTop = pre.current.scrollHeight; }, [lines]);
  return (
    <div class="logs">
      <div class="toolbar">
        {containers.length > 1 && (
          <select value={container} aria-label="container" onChange={(e) => setContainer((e.target as HTMLSelectElement).value)}>
            {containers.map((c) => <option key={c}>{c}</option>)}
          </select>
        )}
        <label class="check"><input type="checkbox" checked={follow} onChange={() => setFollow(!follow)} /> Follow</label>
        <span class="muted">{lines.length} lines</span>
      </div>
      <ErrorBox error={error} />
      <pre class="log" ref={pre} aria-label="log">{lines.join('\n')}</pre>
    </div>
  );
}
