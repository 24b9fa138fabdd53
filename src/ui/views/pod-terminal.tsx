// A terminal in the page: xterm.js over the pods/exec WebSocket, in Kubernetes' channel
// protocol (v5.channel.k8s.io, falling back to v4): byte 0 of each binary frame is the
// channel — 0 stdin, 1 stdout, 2 stderr, 3 the error channel's Status, 4 resize. A browser
// cannot set an Authorization header on a WebSocket, so the bearer token travels as
// kube-apiserver's base64url.bearer.authorization.k8s.io.<token> subprotocol.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Terminal } from '@xterm/xterm';
import { session } from '../api.ts';
import { bearerProtocol, socketUrl } from '../watch-socket.ts';
import type { KubeObject } from '../types.ts';

export function PodTerminal({ pod }: { pod: KubeObject }) {
  const host = useRef<HTMLDivElement>(null);
  const containers: string[] = (pod.spec?.containers ?? []).map((c: { name: string }) => c.name);
  const [container, setContainer] = useState(containers[0] ?? '');
  const [command, setCommand] = useState('sh');
  const [interactive, setInteractive] = useState(false);
  const [session_, setSession] = useState(0);
  const [state, setState] = useState('');
  const { namespace, name } = pod.metadata;
  useEffect(() => {
    if (!session_ || !host.current) return;
    let cleanup: (() => void) | undefined;
    let cancelled = false;
    // xterm.js is most of the bundle's weight: loaded when a terminal is first opened.
    void import('@xterm/xterm').then(({ Terminal: XTerm }) => {
      if (cancelled || !host.current) return;
      cleanup = connect(new XTerm({ cols: 120, rows: 30, fontFamily: 'ui-monospace, Menlo, Consolas, monospace', fontSize: 13, theme: { background: '#0f172a' } }), host.current);
    });
    return () => { cancelled = true; cleanup?.(); };
  }, [session_]);

  function connect(term: Terminal, el: HTMLElement): () => void {
    term.open(el);
    term.focus();
    const params = new URLSearchParams({ container, stdout: 'true', tty: 'true' });
    if (interactive) params.set('stdin', 'true');
    for (const part of command.trim().split(/\s+/)) params.append('command', part);
    const url = socketUrl(`/api/v1/namespaces/${namespace}/pods/${name}/exec?${params}`);
    const protocols = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
    if (session.token) protocols.push(bearerProtocol(session.token));
    const ws = new WebSocket(url, protocols);
    ws.binaryType = 'arraybuffer';
    const encoder = new TextEncoder();
    const send = (channel: number, data: Uint8Array) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      const frame = new Uint8Array(data.length + 1);
      frame[0] = channel;
      frame.set(data, 1);
      ws.send(frame);
    };
    const resize = () => send(4, encoder.encode(JSON.stringify({ Width: term.cols, Height: term.rows })));
    ws.onopen = () => { setState(`connected (${ws.protocol})`); resize(); };
    ws.onmessage = (m) => {
      const bytes = new Uint8Array(m.data as ArrayBuffer);
      if (bytes[0] === 1 || bytes[0] === 2) term.write(bytes.subarray(1));
      if (bytes[0] === 3 && bytes.length > 1) {
        const status = JSON.parse(new TextDecoder().decode(bytes.subarray(1))) as { status?: string; message?: string };
        setState(status.status === 'Success' ? 'exited 0' : `ended: ${status.message ?? ''}`);
      }
    };
    ws.onclose = (e) => setState((s) => (s.startsWith('connected') || !s ? `closed${e.reason ? `: ${e.reason}` : ''}` : s));
    ws.onerror = () => setState('the server refused the connection (is exec allowed for you?)');
    // Ctrl-D ends stdin (v5's close frame [255, 0]), as a terminal's EOF does.
    const input = term.onData((d) => {
      if (d === '\x04' && ws.protocol === 'v5.channel.k8s.io') { ws.send(new Uint8Array([255, 0])); return; }
      send(0, encoder.encode(d));
    });
    return () => { input.dispose(); ws.close(); term.dispose(); };
  }
  return (
    <div class="terminal">
      <form class="toolbar" onSubmit={(e) => { e.preventDefault(); setSession((n) => n + 1); }}>
        {containers.length > 1 && (
          <select value={container} aria-label="container" onChange={(e) => setContainer((e.target as HTMLSelectElement).value)}>
            {containers.map((c) => <option key={c}>{c}</option>)}
          </select>
        )}
        <input value={command} aria-label="command" onInput={(e) => setCommand((e.target as HTMLInputElement).value)} />
        <label class="check" title="send what you type as stdin; Ctrl-D ends it"><input type="checkbox" checked={interactive} onChange={() => setInteractive(!interactive)} /> stdin</label>
        <button type="submit" class="primary">{session_ ? 'Reconnect' : 'Connect'}</button>
        <span class="muted">{state}</span>
      </form>
      <div class="xterm-host" ref={host} />
    </div>
  );
}
