// Making the PKI's files (see pki.ts) with @peculiar/x509 over WebCrypto: ECDSA P-256 keys,
// a self-signed CA, and leaf certificates it signs. Loaded only when something is missing.
import 'reflect-metadata';
import { isIP } from 'node:net';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { builtinIdentities, kubeletServingNames, pkiConstants } from './pki.ts';

const { crypto, ecdsa, signing, tenYears, oneYear } = pkiConstants;
x509.cryptoProvider.set(crypto as unknown as Crypto);

interface CA {
  cert: x509.X509Certificate;
  key: CryptoKey;
}

function pem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n');
  return `-----BEGIN ${label}-----\n${b64}-----END ${label}-----\n`;
}

async function newKeys(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(ecdsa, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  return pem('PRIVATE KEY', await crypto.subtle.exportKey('pkcs8', key));
}

async function importPrivateKey(pemText: string): Promise<CryptoKey> {
  const der = Buffer.from(pemText.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  return crypto.subtle.importKey('pkcs8', der, ecdsa, true, ['sign']) as Promise<CryptoKey>;
}

/** A distinguished name with the commas and pluses of values escaped. */
function dn(cn: string, organizations: string[] = []): string {
  const esc = (v: string) => v.replace(/([,+"\\<>;=])/g, '\\$1');
  return [...organizations.map((o) => `O=${esc(o)}`), `CN=${esc(cn)}`].join(', ');
}

async function loadOrCreateCA(dir: string, stem = 'ca', commonName = 'kubernetes'): Promise<CA> {
  const certFile = join(dir, `${stem}.crt`);
  const keyFile = join(dir, `${stem}.key`);
  if (existsSync(certFile) && existsSync(keyFile)) {
    return { cert: new x509.X509Certificate(await readFile(certFile, 'utf8')), key: await importPrivateKey(await readFile(keyFile, 'utf8')) };
  }
  const keys = await newKeys();
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: dn(commonName),
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + tenYears),
    signingAlgorithm: signing,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  await writeFile(keyFile, await privateKeyPem(keys.privateKey), { mode: 0o600 });
  await writeFile(certFile, cert.toString('pem') + '\n');
  return { cert, key: keys.privateKey };
}

async function issue(ca: CA, subject: string, usage: x509.ExtendedKeyUsage, names: string[] = []): Promise<{ cert: string; key: string }> {
  const keys = await newKeys();
  const now = Date.now();
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension([usage]),
    await x509.AuthorityKeyIdentifierExtension.create(ca.cert),
  ];
  if (names.length > 0) {
    extensions.push(new x509.SubjectAlternativeNameExtension(names.map((n) => ({ type: isIP(n) ? 'ip' as const : 'dns' as const, value: n }))));
  }
  const cert = await x509.X509CertificateGenerator.create({
    subject,
    issuer: ca.cert.subject,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + oneYear),
    signingAlgorithm: signing,
    publicKey: keys.publicKey,
    signingKey: ca.key,
    extensions,
  });
  return { cert: cert.toString('pem') + '\n', key: await privateKeyPem(keys.privateKey) };
}

/** Writes whatever of the PKI is missing under `dir`; the serving certificate always (its names may have changed). */
export async function createPki(dir: string, servingNames: string[]): Promise<void> {
  const ca = await loadOrCreateCA(dir);
  const write = async (stem: string, pair: { cert: string; key: string }) => {
    await writeFile(join(dir, `${stem}.key`), pair.key, { mode: 0o600 });
    await writeFile(join(dir, `${stem}.crt`), pair.cert);
  };
  await write('apiserver', await issue(ca, dn('kube-apiserver'), x509.ExtendedKeyUsage.serverAuth, servingNames));
  for (const id of Object.values(builtinIdentities)) {
    if (existsSync(join(dir, `${id.file}.crt`)) && existsSync(join(dir, `${id.file}.key`))) continue;
    await write(id.file, await issue(ca, dn(id.user, id.groups), x509.ExtendedKeyUsage.clientAuth));
  }
  // The front-proxy CA and the client the aggregator proxies with, as kubeadm's
  // front-proxy-ca.crt and front-proxy-client.crt (requestheader authentication).
  if (!existsSync(join(dir, 'front-proxy-client.crt')) || !existsSync(join(dir, 'front-proxy-client.key'))) {
    const frontProxyCA = await loadOrCreateCA(dir, 'front-proxy-ca', 'front-proxy-ca');
    await write('front-proxy-client', await issue(frontProxyCA, dn('front-proxy-client'), x509.ExtendedKeyUsage.clientAuth));
  }
  if (!existsSync(join(dir, 'kubelet-serving.crt')) || !existsSync(join(dir, 'kubelet-serving.key'))) {
    await write('kubelet-serving', await issue(ca, dn('kubelite-kubelet'), x509.ExtendedKeyUsage.serverAuth, kubeletServingNames()));
  }
  if (!existsSync(join(dir, 'sa.key')) || !existsSync(join(dir, 'sa.pub'))) {
    const keys = await newKeys();
    await writeFile(join(dir, 'sa.key'), await privateKeyPem(keys.privateKey), { mode: 0o600 });
    await writeFile(join(dir, 'sa.pub'), pem('PUBLIC KEY', await crypto.subtle.exportKey('spki', keys.publicKey)));
  }
}
