// A PKCS#10 certificate signing request, read synchronously: the registry checks a CSR's
// signature inside validation (kube's certificates.ParseCSR + CheckSignature), and the
// signers read the subject and public key of the same request. DER is walked to a fixed
// depth of three (CertificationRequest → CertificationRequestInfo → its fields), never recursively.
import { createPublicKey, verify, type KeyObject } from 'node:crypto';

interface Tlv {
  tag: number;
  /** The whole element (header + content), for signing input. */
  raw: Buffer;
  content: Buffer;
}

/** One DER element at `offset`; throws on truncated or indefinite lengths. */
function readTlv(buf: Buffer, offset: number): Tlv & { end: number } {
  if (offset + 2 > buf.length) throw new Error('asn1: structure error: truncated');
  const tag = buf[offset];
  let len = buf[offset + 1];
  let header = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new Error('asn1: structure error: unsupported length');
    if (offset + 2 + n > buf.length) throw new Error('asn1: structure error: truncated');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[offset + 2 + i];
    header += n;
  }
  const end = offset + header + len;
  if (end > buf.length) throw new Error('asn1: structure error: data truncated');
  return { tag, raw: buf.subarray(offset, end), content: buf.subarray(offset + header, end), end };
}

function children(el: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let off = 0; off < el.content.length;) {
    const child = readTlv(el.content, off);
    out.push(child);
    off = child.end;
  }
  return out;
}

function oidString(content: Buffer): string {
  const parts: number[] = [Math.floor(content[0] / 40), content[0] % 40];
  let value = 0;
  for (let i = 1; i < content.length; i++) {
    value = value * 128 + (content[i] & 0x7f);
    if (!(content[i] & 0x80)) {
      parts.push(value);
      value = 0;
    }
  }
  return parts.join('.');
}

/** Signature algorithms x509.CheckSignature accepts, by OID → node's digest name (null: none, as Ed25519). */
const signatureDigests: Record<string, string | null> = {
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.1': 'sha1',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.3.101.112': null,
};

export interface CertificateRequest {
  /** The DER of the public key (SubjectPublicKeyInfo). */
  publicKeyInfo: Buffer;
  publicKey: KeyObject;
  signatureAlgorithm: string;
  /** certificationRequestInfo, the signed bytes. */
  tbs: Buffer;
  signature: Buffer;
}

/** The first PEM block of `pem` ("" when there is none). */
function firstPemBlock(pem: string): { type: string; der: Buffer } | undefined {
  const m = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/.exec(pem);
  if (!m) return undefined;
  return { type: m[1], der: Buffer.from(m[2].replace(/[^A-Za-z0-9+/=]/g, ''), 'base64') };
}

/** ParseCSR's errors, worded as kube words them. */
export function parseCertificateRequest(pem: string): CertificateRequest {
  const block = firstPemBlock(pem);
  if (!block || block.type !== 'CERTIFICATE REQUEST') throw new Error('PEM block type must be CERTIFICATE REQUEST');
  const top = readTlv(block.der, 0);
  const [info, algorithm, signature] = children(top);
  if (top.tag !== 0x30 || !info || !algorithm || !signature || info.tag !== 0x30 || signature.tag !== 0x03) {
    throw new Error('asn1: structure error: not a certificate request');
  }
  const infoFields = children(info);
  const spki = infoFields[2];
  if (!spki || spki.tag !== 0x30) throw new Error('asn1: structure error: missing subject public key info');
  const algOid = children(algorithm)[0];
  if (!algOid || algOid.tag !== 0x06) throw new Error('asn1: structure error: missing signature algorithm');
  return {
    publicKeyInfo: Buffer.from(spki.raw),
    publicKey: createPublicKey({ key: Buffer.from(spki.raw), format: 'der', type: 'spki' }),
    signatureAlgorithm: oidString(algOid.content),
    tbs: Buffer.from(info.raw),
    // A BIT STRING's first content byte counts unused bits (0 for signatures).
    signature: Buffer.from(signature.content.subarray(1)),
  };
}

/** x509.CertificateRequest.CheckSignature. */
export function checkRequestSignature(csr: CertificateRequest): void {
  const digest = signatureDigests[csr.signatureAlgorithm];
  if (digest === undefined) throw new Error('x509: cannot verify signature: algorithm unimplemented');
  if (verify(digest, csr.tbs, csr.publicKey, csr.signature)) return;
  const type = csr.publicKey.asymmetricKeyType;
  throw new Error(type === 'rsa' ? 'crypto/rsa: verification error' : type === 'ed25519' ? 'x509: Ed25519 verification failure' : 'x509: ECDSA verification failure');
}
