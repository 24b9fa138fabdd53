// Test support for workload controllers: JSON reads, pod readiness, and a pod watch that
// checks an invariant at every event (not by polling, which could miss a moment).
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/types.ts';
import type { TestServer } from './server.ts';

export async function getJson<T = KubeObject>(server: TestServer, path: string): Promise<T> {
  const res = await server.request(path);
  assert.equal(res.status, 200, path);
  return (await res.json()) as T;
}

export function isReady(pod: KubeObject): boolean {
  return !!pod.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True');
}

/** Not being deleted and not finished: a pod that counts against maxSurge. */
export function isLive(pod: KubeObject): boolean {
  return !pod.metadata.deletionTimestamp && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';
}

export interface PodWatch {
  /** The live pods now, by name. */
  readonly pods: Map<string, KubeObject>;
  /** Every event, with the live pods and every pod not yet deleted (terminating too) at that moment. */
  readonly history: { type: string; pod: KubeObject; live: KubeObject[]; existing: KubeObject[] }[];
  readonly events: number;
  readonly maxLive: number;
  readonly minReady: number;
  stop(): void;
}

/** Lists the pods a label selector matches, then watches them from the list's resourceVersion. */
export async function watchPods(server: TestServer, labelSelector: string, namespace = 'default'): Promise<PodWatch> {
  const base = `/api/v1/namespaces/${namespace}/pods?labelSelector=${encodeURIComponent(labelSelector)}`;
  const list = await getJson<{ metadata: { resourceVersion: string }; items: KubeObject[] }>(server, base);
  const pods = new Map(list.items.filter(isLive).map((p) => [p.metadata.name!, p]));
  const existing = new Map(list.items.map((p) => [p.metadata.name!, p]));
  const state = { events: 0, maxLive: pods.size, minReady: [...pods.values()].filter(isReady).length };
  const history: PodWatch['history'] = [];
  const abort = new AbortController();
  const res = await server.request(`${base}&watch=true&resourceVersion=${list.metadata.resourceVersion}`, { signal: abort.signal });
  assert.equal(res.status, 200);
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
          const line = buffer.slice(0, nl).trim();
          buffer = buffer.slice(nl + 1);
          if (!line) continue;
          const { type, object } = JSON.parse(line) as { type: string; object: KubeObject };
          if (type !== 'ADDED' && type !== 'MODIFIED' && type !== 'DELETED') continue;
          state.events++;
          if (type === 'DELETED' || !isLive(object)) pods.delete(object.metadata.name!);
          else pods.set(object.metadata.name!, object);
          if (type === 'DELETED') existing.delete(object.metadata.name!);
          else existing.set(object.metadata.name!, object);
          const live = [...pods.values()];
          history.push({ type, pod: object, live, existing: [...existing.values()] });
          state.maxLive = Math.max(state.maxLive, live.length);
          state.minReady = Math.min(state.minReady, live.filter(isReady).length);
        }
      }
    } catch {
      // aborted by stop()
    }
  })();
  return {
    pods, history,
    get events() { return state.events; },
    get maxLive() { return state.maxLive; },
    get minReady() { return state.minReady; },
    stop: () => abort.abort(),
  };
}
