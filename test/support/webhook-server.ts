// Test support: an admission webhook served over HTTPS on 127.0.0.1 with its own CA (made by
// kubelite's own PKI code), answering each AdmissionReview with what the test's handler says.
import { createServer, type Server } from 'node:https';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPki } from '../../src/auth/pki-create.ts';

export interface AdmissionRequest {
  uid: string;
  operation: string;
  name?: string;
  namespace?: string;
  dryRun: boolean;
  object?: any;
  oldObject?: any;
  userInfo: { username: string; groups?: string[] };
  [key: string]: unknown;
}

/** The review's response; a handler may act on the cluster first (async) to stage a race. */
export type ReviewHandler = (req: AdmissionRequest, path: string) => Record<string, unknown> | Promise<Record<string, unknown>>;

export interface WebhookServer {
  url: string;
  /** base64 of the CA's PEM, for clientConfig.caBundle. */
  caBundle: string;
  requests: AdmissionRequest[];
  stop(): Promise<void>;
}

export async function startWebhookServer(handler: ReviewHandler): Promise<WebhookServer> {
  const dir = await mkdtemp(join(tmpdir(), 'kubelite-webhook-'));
  await createPki(dir, ['127.0.0.1']);
  const [ca, cert, key] = await Promise.all(['ca.crt', 'apiserver.crt', 'apiserver.key'].map((f) => readFile(join(dir, f), 'utf8')));
  const requests: AdmissionRequest[] = [];
  const server: Server = createServer({ cert, key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const review = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      requests.push(review.request);
      const response = { uid: review.request.uid, ...(await handler(review.request, req.url ?? '')) };
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `https://127.0.0.1:${port}`, caBundle: Buffer.from(ca).toString('base64'), requests,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A JSON patch as a webhook returns it. */
export function jsonPatch(ops: unknown[]): Record<string, unknown> {
  return { patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(ops)).toString('base64') };
}

/**
 * A URL on 127.0.0.1 where nothing listens, and nothing will while the test runs: a port below
 * Linux's ephemeral range (32768–60999), which every server the suite starts on port 0 is given
 * from. (A stopped server's ephemeral port is soon handed to a parallel test's next server.)
 */
export async function deadWebhookUrl(path: string): Promise<string> {
  const { createServer: createTcpServer } = await import('node:net');
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    const free = await new Promise<boolean>((resolve) => {
      const probe = createTcpServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) return `https://127.0.0.1:${port}${path}`;
  }
  throw new Error('no free port below the ephemeral range');
}
