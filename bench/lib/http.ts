// The load generator's HTTP client: node:http (or node:https with a client certificate, as
// kubectl's admin kubeconfig authenticates) over a keep-alive Agent. It costs less CPU per
// request than fetch (undici) on Node 20, which matters when client and server share 2 cores.
import http from 'node:http';
import https from 'node:https';

export interface HttpResponse {
  status: number;
  /** The body as text ('' when discarded). */
  body: string;
  bytes: number;
}

export interface RequestOptions {
  body?: unknown;
  contentType?: string;
  /** Count the body's bytes without keeping them (large LISTs). */
  discardBody?: boolean;
}

/** The CA to trust and the client certificate to present, PEM (an https:// base URL needs them). */
export interface ClientTls {
  ca: string;
  cert: string;
  key: string;
}

export class HttpClient {
  readonly host: string;
  readonly port: number;
  private readonly agent: http.Agent;
  private readonly transport: typeof http | typeof https;

  constructor(baseUrl: string, maxSockets = 128, tls?: ClientTls) {
    const url = new URL(baseUrl);
    this.host = url.hostname;
    this.port = Number(url.port);
    const agentOptions = { keepAlive: true, maxSockets, maxFreeSockets: maxSockets };
    if (url.protocol === 'https:') {
      if (!tls) throw new Error(`${baseUrl}: an https URL needs the CA and a client certificate`);
      this.transport = https;
      this.agent = new https.Agent({ ...agentOptions, ...tls });
    } else {
      this.transport = http;
      this.agent = new http.Agent(agentOptions);
    }
  }

  request(method: string, path: string, opts: RequestOptions = {}): Promise<HttpResponse> {
    const payload = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    const headers: http.OutgoingHttpHeaders = { accept: 'application/json' };
    if (payload !== undefined) {
      headers['content-type'] = opts.contentType ?? 'application/json';
      headers['content-length'] = Buffer.byteLength(payload);
    }
    return new Promise((resolve, reject) => {
      const req = this.transport.request({ host: this.host, port: this.port, method, path, headers, agent: this.agent }, (res) => {
        const status = res.statusCode ?? 0;
        const keep = !opts.discardBody || status >= 300;
        const chunks: Buffer[] = [];
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (keep) chunks.push(chunk);
        });
        res.on('end', () => resolve({ status, body: keep ? Buffer.concat(chunks).toString('utf8') : '', bytes }));
        res.on('error', reject);
      });
      // No per-request timer (it costs the client CPU on every request): each stage is bounded
      // by its deadline and the run by its watchdog.
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** As `request`, but a non-2xx answer is an error that quotes the server's Status. */
  async expectOk(method: string, path: string, opts: RequestOptions = {}): Promise<HttpResponse> {
    const res = await this.request(method, path, opts);
    if (res.status < 200 || res.status >= 300) throw new Error(`${method} ${path}: HTTP ${res.status}: ${res.body.slice(0, 300)}`);
    return res;
  }

  /** 429 answers `retrying` waited out so far. */
  tooManyRequests = 0;

  /**
   * As `expectOk`, but a 429 (max-in-flight or priority and fairness) is waited out and
   * retried, as client-go does: after its Retry-After, up to 10 times.
   */
  async retrying(method: string, path: string, opts: RequestOptions = {}): Promise<HttpResponse> {
    for (let attempt = 1; ; attempt++) {
      const res = await this.request(method, path, opts);
      if (res.status !== 429 || attempt >= 10) {
        if (res.status < 200 || res.status >= 300) throw new Error(`${method} ${path}: HTTP ${res.status}: ${res.body.slice(0, 300)}`);
        return res;
      }
      this.tooManyRequests++;
      const seconds = Number((/"retryAfterSeconds":(\d+)/.exec(res.body) ?? [])[1] ?? 1);
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    }
  }

  close(): void {
    this.agent.destroy();
  }
}
