// Test support for authentication: HTTPS requests that trust the test CA (global fetch cannot
// take one), kubeconfigs holding exactly one credential, client certificates signed with the
// cluster CA, and ServiceAccount-shaped JWTs signed directly with <data-dir>/pki/sa.key — made
// here with node:crypto alone, independently of the server's signing code.
import 'reflect-metadata';
import { createHash, createPrivateKey, createPublicKey, sign, webcrypto } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';

export interface HttpsResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json(): any;
}

export interface HttpsOptions {
  ca: string;
  method?: string;
  token?: string;
  cert?: string;
  key?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** One request to the secure port, trusting `ca`, with a bearer token or a client certificate. */
export function httpsRequest(url: string, opts: HttpsOptions): Promise<HttpsResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
    if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    if (payload !== undefined) headers['content-type'] = 'application/json';
    const req = request(url, { method: opts.method ?? (payload ? 'POST' : 'GET'), ca: opts.ca, cert: opts.cert, key: opts.key, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** A kubeconfig with the server, its CA and one credential: a bearer token or a client certificate. */
export async function writeUserKubeconfig(path: string, server: string, ca: string, user: { token: string } | { cert: string; key: string }): Promise<string> {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const credential = 'token' in user
    ? `    token: ${user.token}`
    : `    client-certificate-data: ${b64(user.cert)}\n    client-key-data: ${b64(user.key)}`;
  await writeFile(path, `apiVersion: v1
kind: Config
clusters:
- name: kubelite
  cluster:
    server: ${server}
    certificate-authority-data: ${b64(ca)}
users:
- name: test-user
  user:
${credential}
contexts:
- name: test
  context:
    cluster: kubelite
    user: test-user
current-context: test
`);
  return path;
}

const ecdsa = { name: 'ECDSA', namedCurve: 'P-256' } as const;
x509.cryptoProvider.set(webcrypto as unknown as Crypto);

/** A client certificate for CN=`user`, O=`groups`, signed by <data-dir>/pki/ca.key. */
export async function signClientCertificate(dataDir: string, user: string, groups: string[] = []): Promise<{ cert: string; key: string }> {
  const pki = join(dataDir, 'pki');
  const caCert = new x509.X509Certificate(await readFile(join(pki, 'ca.crt'), 'utf8'));
  const caPem = await readFile(join(pki, 'ca.key'), 'utf8');
  const caKey = await webcrypto.subtle.importKey('pkcs8', createPrivateKey(caPem).export({ type: 'pkcs8', format: 'der' }), ecdsa, false, ['sign']);
  const keys = await webcrypto.subtle.generateKey(ecdsa, true, ['sign', 'verify']) as CryptoKeyPair;
  const subject = [...groups.map((g) => `O=${g}`), `CN=${user}`].join(', ');
  const cert = await x509.X509CertificateGenerator.create({
    subject, issuer: caCert.subject, notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 3600_000),
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' }, publicKey: keys.publicKey, signingKey: caKey,
    extensions: [new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth])],
  });
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const key = `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END PRIVATE KEY-----\n`;
  return { cert: cert.toString('pem'), key };
}

/** An ES256 JWT signed with <data-dir>/pki/sa.key (or `keyPem`), its kid as kube derives it. */
export async function signServiceAccountJwt(dataDir: string, claims: Record<string, unknown>, keyPem?: string): Promise<string> {
  const key = createPrivateKey(keyPem ?? await readFile(join(dataDir, 'pki', 'sa.key'), 'utf8'));
  const kid = createHash('sha256').update(createPublicKey(key).export({ type: 'spki', format: 'der' })).digest('base64url');
  const segment = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${segment({ alg: 'ES256', kid })}.${segment(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

/** The claims of a JWT, unverified. */
export function jwtClaims(token: string): any {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

export function jwtHeader(token: string): any {
  return JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8'));
}
