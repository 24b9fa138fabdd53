// Loads a kubeconfig (clientcmd's v1 Config) into the few settings a client needs: the current
// context's server, TLS trust and client credentials, bearer token and default namespace.
// Paths inside a kubeconfig are relative to the file, as clientcmd resolves them.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';

/** Everything ApiClient needs to reach one API server as one user. */
export interface ClientConfig {
  /** Base URL, e.g. `https://127.0.0.1:6443` (a path prefix is kept). */
  server: string;
  /** PEM bundle of CAs trusted for the server (certificate-authority[-data]). */
  ca?: string;
  insecureSkipTLSVerify?: boolean;
  /** Name checked against the server certificate instead of the URL's host (tls-server-name). */
  tlsServerName?: string;
  token?: string;
  /** PEM client certificate and key (client-certificate[-data], client-key[-data]). */
  cert?: string;
  key?: string;
  username?: string;
  password?: string;
  /** The context's namespace; `default` when it names none. */
  namespace: string;
}

interface NamedEntry<T> {
  name: string;
  [kind: string]: T | string | undefined;
}

interface KubeconfigCluster {
  server?: string;
  'certificate-authority'?: string;
  'certificate-authority-data'?: string;
  'insecure-skip-tls-verify'?: boolean;
  'tls-server-name'?: string;
}

interface KubeconfigUser {
  token?: string;
  tokenFile?: string;
  'client-certificate'?: string;
  'client-certificate-data'?: string;
  'client-key'?: string;
  'client-key-data'?: string;
  username?: string;
  password?: string;
  exec?: unknown;
  'auth-provider'?: unknown;
}

interface KubeconfigContext {
  cluster?: string;
  user?: string;
  namespace?: string;
}

interface KubeconfigFile {
  'current-context'?: string;
  clusters?: NamedEntry<KubeconfigCluster>[];
  users?: NamedEntry<KubeconfigUser>[];
  contexts?: NamedEntry<KubeconfigContext>[];
}

export interface LoadKubeconfigOptions {
  /** A context other than current-context, as `kubectl --context`. */
  context?: string;
}

/** The file kubectl would read: $KUBECONFIG's first entry, else ~/.kube/config. */
export function defaultKubeconfigPath(): string {
  const env = process.env.KUBECONFIG?.split(process.platform === 'win32' ? ';' : ':').find((p) => p);
  return env ?? join(homedir(), '.kube', 'config');
}

export function loadKubeconfig(path: string = defaultKubeconfigPath(), opts: LoadKubeconfigOptions = {}): ClientConfig {
  const absolute = resolve(path);
  return parseKubeconfig(readFileSync(absolute, 'utf8'), { ...opts, baseDir: dirname(absolute) });
}

export function parseKubeconfig(text: string, opts: LoadKubeconfigOptions & { baseDir?: string } = {}): ClientConfig {
  const doc = (parseYaml(text) ?? {}) as KubeconfigFile;
  const baseDir = opts.baseDir ?? process.cwd();
  const contextName = opts.context ?? doc['current-context'];
  if (!contextName) throw new Error('kubeconfig: no context given and current-context is not set');
  const context = pick<KubeconfigContext>(doc.contexts, contextName, 'context');
  if (!context) throw new Error(`kubeconfig: context "${contextName}" not found`);
  const cluster = context.cluster ? pick<KubeconfigCluster>(doc.clusters, context.cluster, 'cluster') : undefined;
  if (!cluster?.server) throw new Error(`kubeconfig: cluster "${context.cluster ?? ''}" of context "${contextName}" has no server`);
  const user = (context.user ? pick<KubeconfigUser>(doc.users, context.user, 'user') : undefined) ?? {};
  if (user.exec || user['auth-provider']) {
    // Credential plugins run external programs; kubelite's workers never need them.
    throw new Error(`kubeconfig: user "${context.user}" uses exec/auth-provider credentials, which this client does not support`);
  }
  const read = (file: string | undefined) => (file ? readFileSync(isAbsolute(file) ? file : join(baseDir, file), 'utf8') : undefined);
  const decode = (data: string | undefined) => (data ? Buffer.from(data, 'base64').toString('utf8') : undefined);
  return {
    server: cluster.server.replace(/\/+$/, ''),
    ca: decode(cluster['certificate-authority-data']) ?? read(cluster['certificate-authority']),
    insecureSkipTLSVerify: cluster['insecure-skip-tls-verify'] === true,
    tlsServerName: cluster['tls-server-name'],
    token: user.token ?? read(user.tokenFile)?.trim(),
    cert: decode(user['client-certificate-data']) ?? read(user['client-certificate']),
    key: decode(user['client-key-data']) ?? read(user['client-key']),
    username: user.username,
    password: user.password,
    namespace: context.namespace || 'default',
  };
}

function pick<T>(entries: NamedEntry<T>[] | undefined, name: string, kind: string): T | undefined {
  const entry = entries?.find((e) => e.name === name);
  return entry ? ((entry[kind] as T | undefined) ?? ({} as T)) : undefined;
}
