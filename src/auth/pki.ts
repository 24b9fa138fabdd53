// The cluster's PKI in <data-dir>/pki/, made on first start as kubeadm makes /etc/kubernetes/pki:
// a CA, the API server's serving certificate (SANs for localhost, 127.0.0.1, the host name,
// the advertise address and the `kubernetes` Service's names and IP), client certificates for
// the admin and for each in-process worker (CN = user, O = groups, as kube reads them), and the
// key pair that signs ServiceAccount tokens; for the kubelet API, the API server's
// kubelet-client certificate (kube's --kubelet-client-certificate) and a serving certificate
// for kubelite's own kubelets (every simulated node listens on this host). Files already there are reused; a serving
// certificate whose SANs no longer cover what is asked for is made again.
import { X509Certificate, webcrypto } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

export interface ClientIdentity {
  /** The file stem under pki/, e.g. `admin` → admin.crt + admin.key. */
  file: string;
  user: string;
  groups: string[];
}

/** The identities kubelite's own parts connect as, named as kubeadm names them. */
export const builtinIdentities: Record<'admin' | 'controllerManager' | 'scheduler' | 'kubelet' | 'apiserverKubeletClient', ClientIdentity> = {
  admin: { file: 'admin', user: 'kubernetes-admin', groups: ['kubeadm:cluster-admins'] },
  controllerManager: { file: 'controller-manager', user: 'system:kube-controller-manager', groups: [] },
  scheduler: { file: 'scheduler', user: 'system:kube-scheduler', groups: [] },
  // One client for every simulated node, in the nodes group (kubelets' credentials as kubeadm's).
  kubelet: { file: 'kubelet', user: 'system:kubelite-kubelet', groups: ['system:nodes'] },
  // How the API server authenticates to kubelets (kubeadm's apiserver-kubelet-client.crt).
  apiserverKubeletClient: { file: 'apiserver-kubelet-client', user: 'kube-apiserver-kubelet-client', groups: ['kubeadm:cluster-admins'] },
};

/** The names on kubelite's kubelets' serving certificate: their listeners are on this host. */
export function kubeletServingNames(): string[] {
  return ['localhost', '127.0.0.1', '::1', hostname()];
}

export interface ServingNames {
  /** Extra DNS names and IP addresses for the serving certificate (--advertise-address, --host). */
  extra?: string[];
}

export interface Pki {
  dir: string;
  caCert: string;
  servingCert: string;
  servingKey: string;
  /** PEM of each built-in identity's client certificate and key. */
  clients: Record<keyof typeof builtinIdentities, { cert: string; key: string }>;
  /** The serving certificate of kubelite's kubelets (kubelet-serving.crt), signed by the CA. */
  kubeletServing: { cert: string; key: string };
  /** The ServiceAccount token signing key (sa.key) and its public half (sa.pub). */
  serviceAccountKey: string;
  serviceAccountPublicKey: string;
  /** The requestheader CA and the client certificate API aggregation proxies with. */
  frontProxyCaCert: string;
  frontProxyClient: { cert: string; key: string };
}

const tenYears = 10 * 365 * 24 * 3600 * 1000;
const oneYear = 365 * 24 * 3600 * 1000;
const ecdsa = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const signing = { name: 'ECDSA', hash: 'SHA-256' } as const;

/** The serving certificate's names: kube-apiserver's defaults plus the host's and the caller's. */
export function servingNames(opts: ServingNames = {}): string[] {
  const names = [
    'localhost', '127.0.0.1', '::1', hostname(),
    'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', '10.96.0.1',
    ...(opts.extra ?? []),
  ];
  return [...new Set(names.filter((n) => n && n !== '0.0.0.0' && n !== '::'))];
}

/** Loads <dir>/pki, making whatever is missing. */
export async function ensurePki(dataDir: string, opts: ServingNames = {}): Promise<Pki> {
  const dir = join(dataDir, 'pki');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const names = servingNames(opts);
  const file = (name: string) => join(dir, name);
  const present = (...names: string[]) => names.every((n) => existsSync(file(n)));
  const wantedClients = Object.values(builtinIdentities).flatMap((id) => [`${id.file}.crt`, `${id.file}.key`]);
  const servingOk = present('apiserver.crt', 'apiserver.key') && coversNames(await readFile(file('apiserver.crt'), 'utf8'), names);
  const frontProxy = ['front-proxy-ca.crt', 'front-proxy-ca.key', 'front-proxy-client.crt', 'front-proxy-client.key'];
  if (!present('ca.crt', 'ca.key', 'sa.key', 'sa.pub', 'kubelet-serving.crt', 'kubelet-serving.key', ...frontProxy, ...wantedClients) || !servingOk) {
    // Only a first start (or a new name) pays for loading the X.509 library and making keys.
    const { createPki } = await import('./pki-create.ts');
    await createPki(dir, names);
  }
  const read = (name: string) => readFile(file(name), 'utf8');
  const clients = {} as Pki['clients'];
  for (const [role, id] of Object.entries(builtinIdentities) as [keyof typeof builtinIdentities, ClientIdentity][]) {
    clients[role] = { cert: await read(`${id.file}.crt`), key: await read(`${id.file}.key`) };
  }
  return {
    dir,
    caCert: await read('ca.crt'),
    servingCert: await read('apiserver.crt'),
    servingKey: await read('apiserver.key'),
    clients,
    kubeletServing: { cert: await read('kubelet-serving.crt'), key: await read('kubelet-serving.key') },
    serviceAccountKey: await read('sa.key'),
    serviceAccountPublicKey: await read('sa.pub'),
    frontProxyCaCert: await read('front-proxy-ca.crt'),
    frontProxyClient: { cert: await read('front-proxy-client.crt'), key: await read('front-proxy-client.key') },
  };
}

/** True when the certificate's subjectAltName lists every name. */
function coversNames(pem: string, names: string[]): boolean {
  const san = new X509Certificate(pem).subjectAltName ?? '';
  const listed = new Set(san.split(', ').map((entry) => entry.replace(/^(DNS|IP Address):/, '').toLowerCase()));
  return names.every((n) => listed.has(n.toLowerCase()) || listed.has(expandIPv6(n)));
}

/** node prints IPv6 SANs expanded (0:0:0:0:0:0:0:1); ::1 is the only one kubelite adds itself. */
function expandIPv6(name: string): string {
  return name === '::1' ? '0:0:0:0:0:0:0:1' : name.toLowerCase();
}

export const pkiConstants = { tenYears, oneYear, ecdsa, signing, crypto: webcrypto };
