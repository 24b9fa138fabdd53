// ApiClient: client-go's typed REST client in small — every verb over one transport, a
// client-side token bucket (client-go's QPS/Burst, default 5/10), a User-Agent, and errors
// as ApiError carrying the server's metav1.Status.
import type { KubeObject, ListMeta, Status } from '../api/types.ts';
import { ApiError } from './errors.ts';
import { loadKubeconfig, type ClientConfig, type LoadKubeconfigOptions } from './kubeconfig.ts';
import { sleep, TokenBucket } from './rate-limit.ts';
import { apiVersionOf, queryString, resourcePath, type ResourceDescriptor } from './resource.ts';
import { Transport, type TransportResponse } from './transport.ts';
import { consumeWatchStream, type Watch, type WatchEvent } from './watch.ts';

export interface ApiClientOptions {
  /** Requests per second after the burst is spent (client-go default 5; 0 = unlimited). */
  qps?: number;
  burst?: number;
  userAgent?: string;
  /** Retries of a 429 or 5xx answer that carries Retry-After, as client-go's request retry does. */
  maxRetries?: number;
}

export interface KubeList<T extends KubeObject = KubeObject> {
  apiVersion?: string;
  kind?: string;
  metadata: ListMeta;
  items: T[];
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
  /** Items as PartialObjectMetadata (client-go's metadata client; not sent as a parameter). */
  metadataOnly?: boolean;
  /** Aborts the request (not sent to the server). */
  signal?: AbortSignal;
}

export interface WatchOptions {
  namespace?: string;
  resourceVersion?: string;
  labelSelector?: string;
  fieldSelector?: string;
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
  sendInitialEvents?: boolean;
  /** Objects as PartialObjectMetadata (client-go's metadata client; not sent as a parameter). */
  metadataOnly?: boolean;
  /** Aborts the watch, before or after it started (not sent to the server). */
  signal?: AbortSignal;
}

export interface WriteOptions {
  /** Defaults to the object's metadata.namespace. */
  namespace?: string;
  fieldManager?: string;
  dryRun?: boolean;
  fieldValidation?: 'Ignore' | 'Warn' | 'Strict';
}

export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';

export interface PatchOptions {
  namespace?: string;
  /** Required for apply patches (server-side apply names the manager). */
  fieldManager?: string;
  /** Apply only: take ownership of conflicting fields. */
  force?: boolean;
  subresource?: string;
  dryRun?: boolean;
}

export interface DeleteOptions {
  namespace?: string;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

const patchContentTypes: Record<PatchType, string> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

// The metadata client's media types: JSON first, as client-go's metadata client asks.
const metadataListAccept = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';
const metadataAccept = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json';

export const defaultUserAgent = `kubelite-client/0.1.0 (${process.platform}/${process.arch})`;

export class ApiClient {
  readonly config: ClientConfig;
  private readonly transport: Transport;
  private readonly limiter: TokenBucket;
  private readonly userAgent: string;
  private readonly maxRetries: number;

  constructor(config: ClientConfig, opts: ApiClientOptions = {}) {
    this.config = config;
    this.transport = new Transport(config);
    this.limiter = new TokenBucket({ qps: opts.qps ?? 5, burst: opts.burst ?? 10 });
    this.userAgent = opts.userAgent ?? defaultUserAgent;
    this.maxRetries = opts.maxRetries ?? 3;
  }

  static fromKubeconfig(path?: string, opts: ApiClientOptions & LoadKubeconfigOptions = {}): ApiClient {
    return new ApiClient(loadKubeconfig(path, opts), opts);
  }

  /** The namespace of the kubeconfig's context, for callers that do not name one. */
  get namespace(): string {
    return this.config.namespace;
  }

  async get<T extends KubeObject>(res: ResourceDescriptor<T>, name: string, opts: { namespace?: string; metadataOnly?: boolean; subresource?: string } = {}): Promise<T> {
    return this.json<T>('GET', resourcePath(res, { namespace: this.ns(res, opts.namespace), name, subresource: opts.subresource }), undefined, undefined, undefined,
      opts.metadataOnly ? metadataAccept : undefined);
  }

  /** One page of a list; pass `continue` from the previous page's metadata to get the next. */
  async list<T extends KubeObject>(res: ResourceDescriptor<T>, opts: ListOptions = {}): Promise<KubeList<T>> {
    const { namespace, signal, metadataOnly, ...query } = opts;
    return this.json<KubeList<T>>('GET', resourcePath(res, { namespace }) + queryString({ ...query }), undefined, undefined, signal,
      metadataOnly ? metadataListAccept : undefined);
  }

  /**
   * Every page of a list as one: follows `continue` until the server has no more. All pages
   * share the first page's resourceVersion (a paged list is one consistent snapshot).
   */
  async listAll<T extends KubeObject>(res: ResourceDescriptor<T>, opts: ListOptions = {}): Promise<KubeList<T>> {
    const items: T[] = [];
    let page: KubeList<T>;
    let token = opts.continue;
    do {
      page = await this.list(res, { ...opts, continue: token });
      items.push(...(page.items ?? []));
      token = page.metadata?.continue;
    } while (token);
    return { ...page, metadata: { resourceVersion: page.metadata?.resourceVersion }, items };
  }

  async create<T extends KubeObject>(res: ResourceDescriptor<T>, obj: T, opts: WriteOptions = {}): Promise<T> {
    const path = resourcePath(res, { namespace: this.ns(res, opts.namespace ?? obj.metadata.namespace) });
    return this.json<T>('POST', path + writeQuery(opts), withTypeMeta(res, obj));
  }

  /** PUT: replaces the object; a stale metadata.resourceVersion answers 409 Conflict. */
  async update<T extends KubeObject>(res: ResourceDescriptor<T>, obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.put(res, obj, undefined, opts);
  }

  /** PUT to the status subresource: only status changes (as the status strategy allows). */
  async updateStatus<T extends KubeObject>(res: ResourceDescriptor<T>, obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.put(res, obj, 'status', opts);
  }

  async patch<T extends KubeObject>(res: ResourceDescriptor<T>, name: string, type: PatchType, body: unknown, opts: PatchOptions = {}): Promise<T> {
    if (type === 'apply' && !opts.fieldManager) throw new Error('patch: an apply patch needs a fieldManager');
    const path = resourcePath(res, { namespace: this.ns(res, opts.namespace), name, subresource: opts.subresource });
    const query = queryString({
      fieldManager: opts.fieldManager,
      force: type === 'apply' && opts.force ? true : undefined,
      dryRun: opts.dryRun ? 'All' : undefined,
    });
    // An apply body is YAML; JSON is YAML, so it is sent as JSON text.
    return this.json<T>('PATCH', path + query, body, patchContentTypes[type]);
  }

  /**
   * DELETE: answers the object when deletion is pending (finalizers, grace period), else a
   * Success Status, as kube-apiserver does.
   */
  async delete<T extends KubeObject>(res: ResourceDescriptor<T>, name: string, opts: DeleteOptions = {}): Promise<T | Status> {
    const path = resourcePath(res, { namespace: this.ns(res, opts.namespace), name });
    const body = {
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      propagationPolicy: opts.propagationPolicy,
      gracePeriodSeconds: opts.gracePeriodSeconds,
      preconditions: opts.preconditions,
      dryRun: opts.dryRun ? ['All'] : undefined,
    };
    return this.json<T | Status>('DELETE', path, body);
  }

  /**
   * WATCH: resolves once the server accepted the watch (rejects with ApiError if not, e.g.
   * 410 for a too-old resourceVersion); then `onEvent` gets every event in order until the
   * stream ends or `stop()` is called.
   */
  async watch<T extends KubeObject>(res: ResourceDescriptor<T>, opts: WatchOptions, onEvent: (event: WatchEvent<T>) => void): Promise<Watch> {
    const { namespace, signal, metadataOnly, ...query } = opts;
    const path = resourcePath(res, { namespace }) + queryString({ watch: true, ...query });
    const abort = new AbortController();
    if (signal?.aborted) abort.abort(signal.reason);
    signal?.addEventListener('abort', () => abort.abort(signal.reason), { once: true });
    const response = await this.send('GET', path, undefined, undefined, abort.signal, metadataOnly ? metadataAccept : undefined);
    if (response.status < 200 || response.status > 299) throw ApiError.fromResponse(response.status, await response.text());
    return consumeWatchStream(response.body, onEvent, abort);
  }

  /** Closes idle connections (open watches are stopped by their owners). */
  close(): void {
    this.transport.close();
  }

  private async put<T extends KubeObject>(res: ResourceDescriptor<T>, obj: T, subresource: string | undefined, opts: WriteOptions): Promise<T> {
    const name = obj.metadata.name ?? '';
    const path = resourcePath(res, { namespace: this.ns(res, opts.namespace ?? obj.metadata.namespace), name, subresource });
    return this.json<T>('PUT', path + writeQuery(opts), withTypeMeta(res, obj));
  }

  /** Cluster-scoped resources ignore any namespace; namespaced ones default to the context's. */
  private ns(res: ResourceDescriptor, namespace: string | undefined): string | undefined {
    return res.namespaced ? namespace || this.config.namespace : undefined;
  }

  private async json<R>(method: string, path: string, body?: unknown, contentType = 'application/json', signal?: AbortSignal, accept?: string): Promise<R> {
    const response = await this.send(method, path, body === undefined ? undefined : JSON.stringify(body), contentType, signal, accept);
    const text = await response.text();
    if (response.status < 200 || response.status > 299) throw ApiError.fromResponse(response.status, text);
    return JSON.parse(text) as R;
  }

  /** One request through the rate limiter, retried while the server says "retry after". */
  private async send(method: string, path: string, body?: string, contentType?: string, signal?: AbortSignal, accept = 'application/json'): Promise<TransportResponse> {
    const headers: Record<string, string> = { Accept: accept, 'User-Agent': this.userAgent };
    if (body !== undefined && contentType) headers['Content-Type'] = contentType;
    for (let attempt = 0; ; attempt++) {
      await this.limiter.wait(signal);
      const response = await this.transport.request({ method, path, headers, body, signal });
      const retryAfter = Number(response.headers['retry-after']);
      const retriable = response.status === 429 || response.status >= 500;
      if (!retriable || !(retryAfter >= 0) || attempt >= this.maxRetries) return response;
      response.body.resume(); // discard the body so the socket returns to the pool
      await sleep(Math.min(retryAfter, 10) * 1000, signal);
    }
  }
}

function writeQuery(opts: WriteOptions): string {
  return queryString({ fieldManager: opts.fieldManager, fieldValidation: opts.fieldValidation, dryRun: opts.dryRun ? 'All' : undefined });
}

/** Fills apiVersion/kind from the descriptor when the caller left them out. */
function withTypeMeta<T extends KubeObject>(res: ResourceDescriptor<T>, obj: T): T {
  return { ...obj, apiVersion: obj.apiVersion ?? apiVersionOf(res), kind: obj.kind ?? res.kind };
}
