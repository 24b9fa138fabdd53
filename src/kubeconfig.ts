// The admin kubeconfig kubelite writes for kubectl and client libraries.
import { writeFile } from 'node:fs/promises';
import { encodeYaml } from './server/negotiate.ts';

export interface KubeconfigOptions {
  server: string;
  clusterName?: string;
  namespace?: string;
  /** PEM of the CA that signed the server's certificate. */
  ca?: string;
  /** PEM client certificate and key: who the kubeconfig's user is. */
  clientCert?: string;
  clientKey?: string;
  token?: string;
  /** The user entry's name (default `<cluster>-admin`). */
  userName?: string;
}

const base64 = (pem: string) => Buffer.from(pem).toString('base64');

export function kubeconfigYaml(opts: KubeconfigOptions): string {
  const name = opts.clusterName ?? 'kubelite';
  const userName = opts.userName ?? `${name}-admin`;
  // @kubernetes/client-node refuses a plain-HTTP server unless TLS verification is marked
  // skipped: say so for http:// servers (kubectl ignores it there).
  const cluster: Record<string, unknown> = { server: opts.server };
  if (opts.server.startsWith('http://')) cluster['insecure-skip-tls-verify'] = true;
  else if (opts.ca) cluster['certificate-authority-data'] = base64(opts.ca);
  const user: Record<string, unknown> = {};
  if (opts.clientCert && opts.clientKey) {
    user['client-certificate-data'] = base64(opts.clientCert);
    user['client-key-data'] = base64(opts.clientKey);
  }
  if (opts.token) user.token = opts.token;
  return encodeYaml({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster }],
    users: [{ name: userName, user }],
    contexts: [{ name, context: { cluster: name, user: userName, namespace: opts.namespace ?? 'default' } }],
    'current-context': name,
    preferences: {},
  });
}

export async function writeKubeconfig(path: string, opts: KubeconfigOptions): Promise<void> {
  await writeFile(path, kubeconfigYaml(opts), { mode: 0o600 });
}
