// The X.509 half of the CSR controllers, over @peculiar/x509: reading a PKCS#10 request and
// checking it against a signer's rules (kube's certificates.ValidateKubeletServingCSR,
// ValidateKubeletClientCSR, isKubeAPIServerClient), and issuing a certificate from the
// cluster CA as kube's authority.Sign does (backdated 5 minutes, capped at the CA's expiry).
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const backdateMs = 5 * 60_000;

export interface ParsedRequest {
  req: x509.Pkcs10CertificateRequest;
  commonName: string;
  organizations: string[];
  dns: string[];
  ips: string[];
  emails: string[];
  uris: string[];
}

function subjectValues(name: x509.Name, type: string): string[] {
  return name.toJSON().flatMap((rdn) => rdn[type] ?? []);
}

/** ParseCSR: the request's subject and SANs; throws when it is no PEM CERTIFICATE REQUEST. */
export function parseRequest(pem: string): ParsedRequest {
  if (!/-----BEGIN (NEW )?CERTIFICATE REQUEST-----/.test(pem)) throw new Error('PEM block type must be CERTIFICATE REQUEST');
  const req = new x509.Pkcs10CertificateRequest(pem);
  const san = req.extensions.find((e) => e instanceof x509.SubjectAlternativeNameExtension) as x509.SubjectAlternativeNameExtension | undefined;
  const names = san?.names.toJSON() ?? [];
  const of = (type: string) => names.filter((n) => n.type === type).map((n) => n.value);
  const subject = new x509.Name(req.subject);
  return {
    req, commonName: subjectValues(subject, 'CN')[0] ?? '', organizations: subjectValues(subject, 'O'),
    dns: of('dns'), ips: of('ip'), emails: of('email'), uris: of('url'),
  };
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));

/** The node rules both kubelet signers share. */
function checkNodeSubject(p: ParsedRequest): void {
  if (!sameSet(p.organizations, ['system:nodes'])) throw new Error('subject organization is not system:nodes');
  if (!p.commonName.startsWith('system:node:')) throw new Error('subject common name does not begin with system:node:');
}

/** ValidateKubeletClientCSR's usages: digital signature and client auth, key encipherment optional. */
export function checkKubeletClient(p: ParsedRequest, usages: string[]): void {
  checkNodeSubject(p);
  if (p.dns.length) throw new Error('dnsNames subjectAltName content is not allowed');
  if (p.emails.length) throw new Error('emailAddresses subjectAltName content is not allowed');
  if (p.ips.length) throw new Error('ipAddresses subjectAltName content is not allowed');
  if (p.uris.length) throw new Error('uris subjectAltName content is not allowed');
  if (!sameSet(usages, ['digital signature', 'client auth']) && !sameSet(usages, ['key encipherment', 'digital signature', 'client auth'])) {
    throw new Error(`usages did not match [digital signature client auth] or [key encipherment digital signature client auth]`);
  }
}

export function checkKubeletServing(p: ParsedRequest, usages: string[]): void {
  checkNodeSubject(p);
  if (!p.dns.length && !p.ips.length) throw new Error('DNS or IP subjectAltName is required');
  if (p.emails.length) throw new Error('Email subjectAltNames are not allowed');
  if (p.uris.length) throw new Error('URI subjectAltNames are not allowed');
  if (!sameSet(usages, ['digital signature', 'server auth']) && !sameSet(usages, ['key encipherment', 'digital signature', 'server auth'])) {
    throw new Error('usages did not match [digital signature server auth] or [key encipherment digital signature server auth]');
  }
}

export function checkKubeAPIServerClient(_p: ParsedRequest, usages: string[]): void {
  const allowed = ['digital signature', 'key encipherment', 'client auth'];
  for (const u of usages) if (!allowed.includes(u)) throw new Error(`invalid usage for client certificate: ${u}`);
}

export interface SigningCA {
  cert: x509.X509Certificate;
  key: CryptoKey;
}

export async function loadCA(certFile: string, keyFile: string): Promise<SigningCA> {
  const cert = new x509.X509Certificate(await readFile(certFile, 'utf8'));
  const keyPem = await readFile(keyFile, 'utf8');
  const der = Buffer.from(keyPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  const algorithm = cert.publicKey.algorithm as EcKeyImportParams | RsaHashedImportParams;
  const key = await webcrypto.subtle.importKey('pkcs8', der, algorithm, false, ['sign']) as CryptoKey;
  return { cert, key };
}

const keyUsageFlags: Record<string, number> = {
  'digital signature': x509.KeyUsageFlags.digitalSignature,
  'key encipherment': x509.KeyUsageFlags.keyEncipherment,
  'content commitment': x509.KeyUsageFlags.nonRepudiation,
  'data encipherment': x509.KeyUsageFlags.dataEncipherment,
  'key agreement': x509.KeyUsageFlags.keyAgreement,
  'cert sign': x509.KeyUsageFlags.keyCertSign,
  'crl sign': x509.KeyUsageFlags.cRLSign,
};
const extKeyUsages: Record<string, string> = {
  'client auth': x509.ExtendedKeyUsage.clientAuth,
  'server auth': x509.ExtendedKeyUsage.serverAuth,
  'code signing': x509.ExtendedKeyUsage.codeSigning,
  'email protection': x509.ExtendedKeyUsage.emailProtection,
  'timestamping': x509.ExtendedKeyUsage.timeStamping,
  'ocsp signing': x509.ExtendedKeyUsage.ocspSigning,
};

/** authority.Sign: the request's subject, key and SANs; the CSR's usages; valid from 5 minutes ago for `ttlMs`, never past the CA. */
export async function issueCertificate(ca: SigningCA, p: ParsedRequest, usages: string[], ttlMs: number, now = Date.now()): Promise<string> {
  const notBefore = new Date(now - backdateMs);
  const notAfter = new Date(Math.min(now + ttlMs, ca.cert.notAfter.getTime()));
  const flags = usages.reduce((f, u) => f | (keyUsageFlags[u] ?? 0), 0);
  const ext = usages.map((u) => extKeyUsages[u]).filter(Boolean);
  const extensions: x509.Extension[] = [new x509.BasicConstraintsExtension(false, undefined, true)];
  if (flags) extensions.push(new x509.KeyUsagesExtension(flags, true));
  if (ext.length) extensions.push(new x509.ExtendedKeyUsageExtension(ext));
  extensions.push(await x509.AuthorityKeyIdentifierExtension.create(ca.cert));
  const sans = [
    ...p.dns.map((value) => ({ type: 'dns' as const, value })), ...p.ips.map((value) => ({ type: 'ip' as const, value })),
    ...p.emails.map((value) => ({ type: 'email' as const, value })), ...p.uris.map((value) => ({ type: 'url' as const, value })),
  ];
  if (sans.length) extensions.push(new x509.SubjectAlternativeNameExtension(sans));
  const serial = Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)));
  serial[0] &= 0x7f; // a positive serial number
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial.toString('hex'),
    subject: p.req.subject, issuer: ca.cert.subject, notBefore, notAfter,
    signingAlgorithm: { name: ca.key.algorithm.name, hash: 'SHA-256' },
    publicKey: await p.req.publicKey.export(), signingKey: ca.key, extensions,
  });
  return cert.toString('pem') + '\n';
}
