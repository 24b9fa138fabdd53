// Compact JWS (RFC 7515) signed and verified with node:crypto, as kube-apiserver's
// pkg/serviceaccount/jwt.go does it through go-jose: the header names the algorithm and a key
// id, the payload is the claims as JSON with its keys sorted (Go marshals the merged claims
// map that way), and an ECDSA signature is r‖s, not DER. The key id is kube's
// keyIDFromPublicKey: base64url(SHA-256(DER of the SubjectPublicKeyInfo)).
import { createHash, createPrivateKey, createPublicKey, sign, verify, X509Certificate, type KeyObject } from 'node:crypto';

export interface JwsHeader {
  alg: string;
  kid?: string;
  typ?: string;
}

/** A token split into its parts, decoded but not verified. */
export interface ParsedJws {
  header: JwsHeader;
  claims: Record<string, unknown>;
  /** header.payload, the bytes the signature covers. */
  signingInput: string;
  signature: Buffer;
}

const base64url = /^[A-Za-z0-9_-]*$/;

export function encodeSegment(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decodeSegment(segment: string): unknown {
  if (!base64url.test(segment)) throw new Error('illegal base64 data');
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
}

/** The JSON a Go map marshals to: object keys sorted at every level. */
export function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortedKeys((value as Record<string, unknown>)[k])]));
}

/** Splits and decodes a compact JWS; undefined when it is not one (kube: not a token this authenticator reads). */
export function parseJws(token: string): ParsedJws | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const header = decodeSegment(parts[0]) as JwsHeader;
    const claims = decodeSegment(parts[1]) as Record<string, unknown>;
    if (!base64url.test(parts[2])) return undefined;
    if (typeof header !== 'object' || header === null || typeof claims !== 'object' || claims === null) return undefined;
    return { header, claims, signingInput: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2], 'base64url') };
  } catch {
    return undefined;
  }
}

/** kube's keyIDFromPublicKey. */
export function keyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64url');
}

/** The JWS algorithm kube picks for a key: ES256/384/512 by curve, RS256 for RSA. */
export function algorithmOf(key: KeyObject): string {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') return 'ES256';
    if (curve === 'secp384r1') return 'ES384';
    if (curve === 'secp521r1') return 'ES512';
  }
  throw new Error(`unsupported service account signing key: ${key.asymmetricKeyType} ${key.asymmetricKeyDetails?.namedCurve ?? ''}`.trim());
}

const hashOf: Record<string, string> = { ES256: 'sha256', ES384: 'sha384', ES512: 'sha512', RS256: 'sha256' };

/** Signs `claims` with `privateKey`: header {alg, kid}, as go-jose writes kube's tokens. */
export function signJws(claims: Record<string, unknown>, privateKey: KeyObject, kid?: string): string {
  const alg = algorithmOf(privateKey);
  const header: JwsHeader = kid === undefined ? { alg } : { alg, kid };
  const signingInput = `${encodeSegment(header)}.${encodeSegment(sortedKeys(claims))}`;
  const signature = sign(hashOf[alg], Buffer.from(signingInput), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${signature.toString('base64url')}`;
}

/** Whether `key` signed the token (and the header's algorithm is the key's). */
export function verifyJws(jws: ParsedJws, key: KeyObject): boolean {
  let alg: string;
  try {
    alg = algorithmOf(key);
  } catch {
    return false;
  }
  if (jws.header.alg !== alg) return false;
  return verify(hashOf[alg], Buffer.from(jws.signingInput), { key, dsaEncoding: 'ieee-p1363' }, jws.signature);
}

/** A PEM private key (PKCS#8, SEC1 or PKCS#1). */
export function privateKeyFromPem(pem: string): KeyObject {
  return createPrivateKey(pem);
}

/** Every public key in a PEM bundle (PUBLIC KEY, RSA PUBLIC KEY, or the public half of a private key or certificate), as --service-account-key-file reads it. */
export function publicKeysFromPem(pem: string): KeyObject[] {
  const blocks = pem.match(/-----BEGIN [A-Z ]+-----[\s\S]+?-----END [A-Z ]+-----/g) ?? [];
  return blocks.map((block) => (block.startsWith('-----BEGIN CERTIFICATE') ? new X509Certificate(block).publicKey : createPublicKey(block)));
}
