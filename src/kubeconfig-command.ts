// `kubelite kubeconfig`: prints the admin kubeconfig a server wrote into its data dir, pointed at
// the address the caller reaches it by (a container's published port, another host's name), e.g.
// `docker exec kubelite kubelite kubeconfig --server https://localhost:6443 > kubeconfig`.
// Reads two files and starts nothing, so it works beside a running server and without one.
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import YAML from 'yaml';
import { encodeYaml } from './server/negotiate.ts';

export interface KubeconfigCommandOptions {
  /** The server's --data-dir. */
  dataDir: string;
  /** The API server URL to write into every cluster; default: the one recorded in the file. */
  server?: string;
}

export interface KubeconfigCommandResult {
  yaml: string;
  /** Problems worth telling the user about on stderr (the kubeconfig is printed anyway). */
  warnings: string[];
}

interface Kubeconfig {
  clusters?: { name: string; cluster: Record<string, unknown> }[];
}

export function adminKubeconfig(opts: KubeconfigCommandOptions): KubeconfigCommandResult {
  const path = join(opts.dataDir, 'kubeconfig');
  if (!existsSync(path)) {
    throw new Error(`no kubeconfig in ${opts.dataDir}: kubelite writes ${path} when it starts (is --data-dir the server's?)`);
  }
  const text = readFileSync(path, 'utf8');
  if (opts.server === undefined) return { yaml: text, warnings: [] };
  const url = serverUrl(opts.server);
  const config = YAML.parse(text) as Kubeconfig;
  if (!config?.clusters?.length) throw new Error(`${path}: no clusters in it`);
  for (const { cluster } of config.clusters) {
    cluster.server = url.href.replace(/\/$/, '');
    // As kubeconfigYaml: a plain-HTTP server (the --insecure-port) is marked as not verified,
    // and kubectl refuses a CA together with that.
    if (url.protocol === 'http:') {
      delete cluster['certificate-authority-data'];
      cluster['insecure-skip-tls-verify'] = true;
    }
  }
  return { yaml: encodeYaml(config), warnings: url.protocol === 'https:' ? sanWarnings(opts.dataDir, config, url) : [] };
}

function serverUrl(server: string): URL {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new Error(`--server: not a URL: ${server} (want https://HOST:PORT)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`--server: want an https:// URL, not ${server}`);
  return url;
}

/**
 * Whether the serving certificate kubelite generated names the host the kubeconfig now points
 * at; kubectl fails with an x509 error when it does not. Only said when that certificate is the
 * one in use as far as the file can tell (its CA is the kubeconfig's), not with --tls-cert-file.
 */
function sanWarnings(dataDir: string, config: Kubeconfig, url: URL): string[] {
  const certFile = join(dataDir, 'pki', 'apiserver.crt');
  const caFile = join(dataDir, 'pki', 'ca.crt');
  if (!existsSync(certFile) || !existsSync(caFile)) return [];
  const caData = config.clusters?.[0]?.cluster['certificate-authority-data'];
  if (typeof caData !== 'string' || Buffer.from(caData, 'base64').toString('utf8').trim() !== readFileSync(caFile, 'utf8').trim()) return [];
  const cert = new X509Certificate(readFileSync(certFile));
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const covered = isIP(host) ? cert.checkIP(host) !== undefined : cert.checkHost(host) !== undefined;
  if (covered) return [];
  return [`the serving certificate ${certFile} is not valid for "${host}" (it names ${cert.subjectAltName}); ` +
    `start kubelite with --advertise-address ${host} to add it, or kubectl will refuse the connection`];
}
