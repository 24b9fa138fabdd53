// Small pieces every view uses: an error box that shows the server's Status (a 403 is a
// message, never a blank page), a bar for capacity against requests, a confirm dialog.
import type { ComponentChildren } from 'preact';
import { ApiError, describeError } from '../api.ts';

export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  const forbidden = error instanceof ApiError && error.code === 403;
  return (
    <div class={`error-box ${forbidden ? 'forbidden' : ''}`} role="alert">
      <strong>{forbidden ? 'Forbidden' : 'Error'}</strong> {describeError(error)}
    </div>
  );
}

export function Bar({ used, total, label, format }: { used: number; total: number; label: string; format: (n: number) => string }) {
  const pct = total > 0 ? Math.min(100, (used / total) * 100) : 0;
  const level = pct > 90 ? 'high' : pct > 70 ? 'mid' : 'low';
  return (
    <div class="bar" title={`${label}: ${format(used)} requested of ${format(total)} allocatable`}>
      <span class="bar-label">{label}</span>
      <span class="bar-track"><span class={`bar-fill ${level}`} style={{ width: `${pct}%` }} /></span>
      <span class="bar-value">{format(used)} / {format(total)}</span>
    </div>
  );
}

export function Badge({ kind, children }: { kind: string; children: ComponentChildren }) {
  return <span class={`badge ${kind}`}>{children}</span>;
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

export function errorText(err: unknown): string {
  return err instanceof ApiError ? `${err.code} ${err.reason}: ${err.message}` : describeError(err);
}
