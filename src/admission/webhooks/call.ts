// Calling one webhook over HTTPS, as k8s.io/apiserver's webhook client: POST the
// AdmissionReview to clientConfig.url (or https://<service>.<namespace>.svc:<port><path> for a
// service reference, which resolves only where that name does: a simulated cluster has no
// service network), trusting only clientConfig.caBundle when given, with `?timeout=<n>s` and
// the webhook's timeoutSeconds as the deadline. Failures are worded as Go's HTTP client words
// them, since kube passes them to the client: `Post "https://…": dial tcp …: connect: connection refused`.
import { request } from 'node:https';

export interface ClientConfig {
  url?: string;
  service?: { name: string; namespace: string; path?: string; port?: number };
  caBundle?: string;
}

/** The URL the webhook is called at, with kube's timeout query parameter. */
export function webhookURL(cc: ClientConfig, timeoutSeconds: number): URL {
  let url: URL;
  if (cc.url) url = new URL(cc.url);
  else if (cc.service) {
    const s = cc.service;
    url = new URL(`https://${s.name}.${s.namespace}.svc:${s.port ?? 443}${s.path ?? ''}`);
  } else throw new Error('invalid webhook clientConfig: exactly one of url or service is required');
  url.searchParams.set('timeout', `${timeoutSeconds}s`);
  return url;
}

export async function callWebhook(cc: ClientConfig, timeoutSeconds: number, body: unknown): Promise<unknown> {
  const url = webhookURL(cc, timeoutSeconds);
  const payload = Buffer.from(JSON.stringify(body));
  const ca = cc.caBundle ? Buffer.from(cc.caBundle, 'base64').toString('utf8') : undefined;
  const target = `Post "${url.toString()}"`;
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST', agent: false, ca, timeout: timeoutSeconds * 1000,
      headers: { 'content-type': 'application/json', accept: 'application/json, */*', 'content-length': payload.length },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err) => reject(new Error(`${target}: ${goNetError(err, url)}`)));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) > 299) {
          reject(new Error(`an error on the server (${JSON.stringify(text)}) has prevented the request from succeeding`));
          return;
        }
        try {
          resolve(JSON.parse(text));
        } catch (err) {
          reject(new Error(`received invalid webhook response: ${(err as Error).message}`));
        }
      });
    });
    const timer = setTimeout(() => req.destroy(Object.assign(new Error('context deadline exceeded'), { code: 'DEADLINE' })), timeoutSeconds * 1000);
    req.on('close', () => clearTimeout(timer));
    req.on('timeout', () => req.destroy(Object.assign(new Error('context deadline exceeded'), { code: 'DEADLINE' })));
    req.on('error', (err) => reject(new Error(`${target}: ${goNetError(err, url)}`)));
    req.end(payload);
  });
}

/** Node's socket and TLS errors in the words of Go's net and crypto/tls packages. */
function goNetError(err: NodeJS.ErrnoException, url: URL): string {
  const hostPort = `${url.hostname.replace(/^\[|\]$/g, '')}:${url.port || 443}`;
  switch (err.code) {
    case 'ECONNREFUSED': return `dial tcp ${hostPort}: connect: connection refused`;
    case 'ENOTFOUND': return `dial tcp: lookup ${url.hostname}: no such host`;
    case 'DEADLINE': return 'context deadline exceeded';
    case 'ECONNRESET': return `read tcp ${hostPort}: read: connection reset by peer`;
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `tls: failed to verify certificate: x509: certificate is not valid for ${url.hostname}`;
    default: return err.message;
  }
}
