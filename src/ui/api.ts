// The console's only way to the cluster: the public Kubernetes API, with the session's bearer
// token, exactly as kubectl with that user's kubeconfig. Errors are the server's metav1.Status.
import type { KubeObject, Status } from './types.ts';

const tokenKey = 'kubelite.console.token';

/** The bearer token lives in sessionStorage: it survives a reload, not the tab. */
export const session = {
  get token(): string | null { return sessionStorage.getItem(tokenKey); },
  set(token: string): void { sessionStorage.setItem(tokenKey, token); },
  clear(): void { sessionStorage.removeItem(tokenKey); },
};

export class ApiError extends Error {
  constructor(readonly code: number, readonly status: Status | undefined, message: string) {
    super(message);
  }
  get reason(): string { return this.status?.reason ?? ''; }
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  contentType?: string;
  accept?: string;
  signal?: AbortSignal;
}

function headers(opts: RequestOptions): Record<string, string> {
  const h: Record<string, string> = { accept: opts.accept ?? 'application/json' };
  const token = session.token;
  if (token) h.authorization = `Bearer ${token}`;
  if (opts.body !== undefined) h['content-type'] = opts.contentType ?? 'application/json';
  return h;
}

/** Turns a failed response into an ApiError carrying the server's Status. */
async function failure(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  let status: Status | undefined;
  try { status = JSON.parse(text) as Status; } catch { /* not a Status */ }
  const message = status?.message ?? (text.trim() || `${res.status} ${res.statusText}`);
  if (res.status === 401) window.dispatchEvent(new CustomEvent('kubelite:unauthorized'));
  return new ApiError(res.status, status, message);
}

export async function request(path: string, opts: RequestOptions = {}): Promise<Response> {
  const body = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  const res = await fetch(path, { method: opts.method ?? (body ? 'POST' : 'GET'), headers: headers(opts), body, signal: opts.signal });
  if (!res.ok) throw await failure(res);
  return res;
}

export async function getJson<T = KubeObject>(path: string, opts: RequestOptions = {}): Promise<T> {
  return (await request(path, opts)).json() as Promise<T>;
}

export async function getText(path: string, opts: RequestOptions = {}): Promise<string> {
  return (await request(path, { ...opts, accept: opts.accept ?? 'text/plain, */*' })).text();
}

export const tableAccept = 'application/json;as=Table;v=v1;g=meta.k8s.io, application/json';

/** A merge patch, a strategic merge patch or a server-side apply, as kubectl sends them. */
export function patch(path: string, body: unknown, type: 'json' | 'merge' | 'strategic' | 'apply', query = ''): Promise<KubeObject> {
  const contentType = { json: 'application/json-patch+json', merge: 'application/merge-patch+json', strategic: 'application/strategic-merge-patch+json', apply: 'application/apply-patch+yaml' }[type];
  return getJson(`${path}${query ? `?${query}` : ''}`, { method: 'PATCH', body, contentType });
}

/** Reads newline-delimited chunks of a streaming response (watch events, followed logs). */
export async function readLines(res: Response, onLine: (line: string) => void): Promise<void> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (line.trim()) onLine(line);
    }
  }
  if (buffer.trim()) onLine(buffer);
}

export function describeError(err: unknown): string {
  if (err instanceof ApiError) return `${err.code} ${err.reason || 'Error'}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}
