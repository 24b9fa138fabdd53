// WATCH over a WebSocket, one event per binary.k8s.io message, as kube-apiserver serves it.
// Not a streaming fetch: a browser gives one origin only six HTTP/1.1 connections, and every
// open watch would hold one, starving the console's other requests; WebSockets have their own,
// far larger, budget. The bearer token travels as kube's base64url.bearer.authorization.k8s.io
// subprotocol (a browser cannot set headers on a WebSocket).
import { ApiError, session } from './api.ts';
import type { Status, WatchEvent } from './types.ts';

export function bearerProtocol(token: string): string {
  const bytes = new TextEncoder().encode(token);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return `base64url.bearer.authorization.k8s.io.${btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`;
}

export function socketUrl(path: string): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${path}`;
}

/**
 * Watches `path` (with its query, watch=1 included) until the server ends the watch (resolves),
 * `signal` aborts (resolves) or it fails (rejects; an ERROR event's Status as an ApiError).
 */
export function watchSocket(path: string, onEvent: (event: WatchEvent) => void, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const protocols = ['binary.k8s.io'];
    if (session.token) protocols.push(bearerProtocol(session.token));
    const ws = new WebSocket(socketUrl(path), protocols);
    ws.binaryType = 'arraybuffer';
    const decoder = new TextDecoder();
    let opened = false;
    let failed = false;
    const abort = () => { ws.close(); resolve(); };
    signal.addEventListener('abort', abort, { once: true });
    ws.onopen = () => { opened = true; };
    ws.onmessage = (m) => {
      if (failed) return;
      const text = typeof m.data === 'string' ? m.data : decoder.decode(m.data as ArrayBuffer);
      const event = JSON.parse(text) as WatchEvent;
      if (event.type === 'ERROR') {
        failed = true;
        const status = event.object as unknown as Status;
        ws.close();
        reject(new ApiError(status.code ?? 500, status, status.message ?? 'watch error'));
        return;
      }
      try { onEvent(event); } catch (err) { failed = true; ws.close(); reject(err); }
    };
    ws.onclose = () => {
      signal.removeEventListener('abort', abort);
      if (failed) return;
      // Refused at the upgrade (401, 403): the browser tells no status; the LIST before it would have.
      if (!opened) reject(new Error(`the server refused to watch ${path.split('?')[0]}`));
      else resolve();
    };
  });
}
