// The one HTTP transport under ApiClient: node:http / node:https request APIs.
//
// Why not the global fetch: Node's fetch (undici) takes TLS settings (a private CA, client
// certificates, insecure-skip-tls-verify) only through an undici Agent passed as
// `dispatcher`, and undici is not a dependency we may import. node:https takes ca/cert/key/
// rejectUnauthorized directly, streams response bodies as they arrive (needed for WATCH) and
// keeps connections alive through an Agent — one transport for http and https alike.
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import type { ClientConfig } from './kubeconfig.ts';

export interface TransportRequest {
  method: string;
  /** Path and query, appended to the server URL (which may carry a path prefix). */
  path: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

export interface TransportResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body as it streams in; read it once, with text() or as a stream. */
  body: IncomingMessage;
  text(): Promise<string>;
}

export class Transport {
  readonly baseUrl: URL;
  private readonly agent: http.Agent;
  private readonly request$: typeof http.request;
  private readonly authorization?: string;
  private readonly servername?: string;

  constructor(config: ClientConfig) {
    this.baseUrl = new URL(config.server);
    const secure = this.baseUrl.protocol === 'https:';
    if (!secure && this.baseUrl.protocol !== 'http:') throw new Error(`unsupported server URL scheme: ${config.server}`);
    // Keep-alive: controllers issue many small requests; reconnecting each time costs more than the request.
    this.agent = secure
      ? new https.Agent({
        keepAlive: true,
        // One TLS context for every connection: without it each new socket parses the CA, the
        // certificate and the key again (~1 ms of CPU per connection in a burst).
        secureContext: tls.createSecureContext({ ca: config.ca, cert: config.cert, key: config.key }),
        rejectUnauthorized: !config.insecureSkipTLSVerify,
      })
      : new http.Agent({ keepAlive: true });
    this.request$ = secure ? https.request : http.request;
    this.servername = config.tlsServerName;
    if (config.token) this.authorization = `Bearer ${config.token}`;
    else if (config.username !== undefined) {
      this.authorization = `Basic ${Buffer.from(`${config.username}:${config.password ?? ''}`).toString('base64')}`;
    }
  }

  /** Sends one request; resolves when the response headers arrive. */
  request(req: TransportRequest): Promise<TransportResponse> {
    const prefix = this.baseUrl.pathname.replace(/\/+$/, '');
    const headers: Record<string, string> = { ...req.headers };
    if (this.authorization) headers.Authorization = this.authorization;
    if (req.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(req.body));
    return new Promise((resolvePromise, reject) => {
      const options: https.RequestOptions = {
        protocol: this.baseUrl.protocol,
        hostname: this.baseUrl.hostname.replace(/^\[|\]$/g, ''),
        port: this.baseUrl.port || undefined,
        path: prefix + req.path,
        method: req.method,
        headers,
        agent: this.agent,
        signal: req.signal,
      };
      if (this.servername) options.servername = this.servername;
      const outgoing = this.request$(options, (res) => {
        resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body: res, text: () => readText(res) });
      });
      outgoing.on('error', reject);
      outgoing.end(req.body);
    });
  }

  /** Closes idle keep-alive sockets so the process (or worker thread) can exit. */
  close(): void {
    this.agent.destroy();
  }
}

function readText(res: IncomingMessage): Promise<string> {
  return new Promise((resolveText, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => resolveText(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
    res.on('aborted', () => reject(new Error('response aborted')));
  });
}
