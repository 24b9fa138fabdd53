// A kubelet's serving certificate when none is given: self-signed for the node's addresses,
// as a kubelet without --tls-cert-file makes one at start (kube-apiserver does not verify
// kubelet certificates unless --kubelet-certificate-authority is set). kubelite's own
// kubelets get one signed by the cluster CA instead (pki/kubelet-serving.crt).
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);
const ecdsa = { name: 'ECDSA', namedCurve: 'P-256' } as const;

export async function selfSignedServingCert(hostname: string, names: string[]): Promise<{ cert: string; key: string }> {
  const keys = await webcrypto.subtle.generateKey(ecdsa, true, ['sign', 'verify']) as CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${hostname}@${Math.floor(now / 1000)}`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 365 * 24 * 3600 * 1000),
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([...new Set(names)].map((n) => ({ type: isIP(n) ? 'ip' as const : 'dns' as const, value: n }))),
    ],
  });
  const der = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n');
  return { cert: cert.toString('pem') + '\n', key: `-----BEGIN PRIVATE KEY-----\n${b64}-----END PRIVATE KEY-----\n` };
}
