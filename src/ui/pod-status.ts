// A pod's state in one word, coloured as the console shows it: kubectl's STATUS column logic,
// reduced to what a colour can say.
import type { KubeObject } from './types.ts';

export type PodState = 'running' | 'ready' | 'pending' | 'succeeded' | 'failed' | 'terminating' | 'unknown';

export function podState(pod: KubeObject): PodState {
  if (pod.metadata.deletionTimestamp) return 'terminating';
  const phase = pod.status?.phase;
  if (phase === 'Running') {
    const ready = (pod.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
    return ready ? 'ready' : 'running';
  }
  if (phase === 'Pending') return 'pending';
  if (phase === 'Succeeded') return 'succeeded';
  if (phase === 'Failed') return 'failed';
  return 'unknown';
}

export function podReason(pod: KubeObject): string {
  if (pod.metadata.deletionTimestamp) return 'Terminating';
  for (const cs of pod.status?.containerStatuses ?? []) {
    const waiting = cs.state?.waiting?.reason;
    if (waiting) return waiting;
  }
  return pod.status?.reason ?? pod.status?.phase ?? 'Unknown';
}

export function nodeReady(node: KubeObject): boolean {
  return (node.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
}

export function age(timestamp: string | undefined): string {
  if (!timestamp) return '';
  const s = Math.max(0, Math.floor((Date.now() - Date.parse(timestamp)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}
