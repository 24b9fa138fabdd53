// The objects the stages write, and the namespaces they live in.
import type { HttpClient } from './http.ts';

export function configMap(name: string, data: Record<string, string> = { key: 'value' }) {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data };
}

/** A minimal valid pod; `app` takes 100 values, so each value selects 1% of the pods. */
export function pod(name: string, i: number) {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, labels: { app: `a${i % 100}` } },
    spec: { containers: [{ name: 'c', image: 'busybox' }] },
  };
}

export async function createNamespace(client: HttpClient, name: string): Promise<void> {
  await client.expectOk('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } });
}

/** The store's current revision, as a LIST of nothing reports it. */
export async function currentResourceVersion(client: HttpClient, path: string): Promise<string> {
  const res = await client.expectOk('GET', `${path}?limit=1`);
  return (JSON.parse(res.body) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
}
