// The admin kubeconfig kubelite writes for kubectl and client libraries.
import { writeFile } from 'node:fs/promises';
import { encodeYaml } from './server/negotiate.ts';

export interface KubeconfigOptions {
  server: string;
  clusterName?: string;
  namespace?: string;
}

export function kubeconfigYaml(opts: KubeconfigOptions): string {
  const name = opts.clusterName ?? 'kubelite';
  return encodeYaml({
    apiVersion: 'v1',
    kind: 'Config',
    // @kubernetes/client-node refuses a plain-HTTP server unless TLS verification is marked
    // skipped; until kubelite serves TLS, say so for http:// servers (kubectl ignores it there).
    clusters: [{ name, cluster: opts.server.startsWith('http://') ? { server: opts.server, 'insecure-skip-tls-verify': true } : { server: opts.server } }],
    users: [{ name: `${name}-admin`, user: {} }],
    contexts: [{ name, context: { cluster: name, user: `${name}-admin`, namespace: opts.namespace ?? 'default' } }],
    'current-context': name,
    preferences: {},
  });
}

export async function writeKubeconfig(path: string, opts: KubeconfigOptions): Promise<void> {
  await writeFile(path, kubeconfigYaml(opts), { mode: 0o600 });
}
