// Logging in: the start banner's one-time URL (#token=…) is exchanged for a session token of
// the admin; or any bearer token is pasted (`kubectl create token NAME`). Either way the
// console then asks the API server who that is (SelfSubjectReview), as `kubectl auth whoami`.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, describeError, getJson, session } from './api.ts';
import { identity, type Identity } from './state.ts';

export async function whoAmI(): Promise<Identity> {
  const review = await getJson<{ status?: { userInfo?: { username?: string; groups?: string[] } } }>(
    '/apis/authentication.k8s.io/v1/selfsubjectreviews',
    { method: 'POST', body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } },
  );
  const info = review.status?.userInfo ?? {};
  return { username: info.username ?? '(unknown)', groups: info.groups ?? [] };
}

async function exchangeLoginToken(token: string): Promise<string> {
  const res = await fetch('/ui/api/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
  if (!res.ok) throw new Error(res.status === 401 ? 'This login link was already used or has expired. Restart kubelite for a new one, or paste a bearer token.' : `login failed: ${res.status}`);
  return ((await res.json()) as { sessionToken: string }).sessionToken;
}

export function Login() {
  const [token, setToken] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function useToken(bearer: string) {
    session.set(bearer);
    try {
      identity.set(await whoAmI());
    } catch (err) {
      session.clear();
      throw err instanceof ApiError && err.code === 401 ? new Error('The API server does not accept this token (401 Unauthorized).') : err;
    }
  }

  useEffect(() => {
    const m = /[#&]token=([^&]+)/.exec(location.hash);
    if (!m) return;
    // The one-time token leaves the address bar and history at once.
    history.replaceState(null, '', `${location.pathname}#/cluster`);
    setBusy(true);
    exchangeLoginToken(decodeURIComponent(m[1])).then(useToken).catch((err) => setError(describeError(err))).finally(() => setBusy(false));
  }, []);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError('');
    try { await useToken(token.trim()); } catch (err) { setError(describeError(err)); } finally { setBusy(false); }
  }

  return (
    <main class="login">
      <form class="login-card" onSubmit={submit}>
        <h1><span class="logo">⎈</span> kubelite console</h1>
        <p>Open the URL kubelite printed when it started to log in as the admin, or paste a bearer token: every request then goes to the API server as that user, and RBAC applies as it does for kubectl.</p>
        <label for="token">Bearer token</label>
        <textarea id="token" rows={4} placeholder="kubectl create token NAME" value={token} onInput={(e) => setToken((e.target as HTMLTextAreaElement).value)} />
        <button type="submit" class="primary" disabled={busy || !token.trim()}>{busy ? 'Logging in…' : 'Log in'}</button>
        {error && <p class="error" role="alert">{error}</p>}
      </form>
    </main>
  );
}
