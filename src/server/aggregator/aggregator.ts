// API aggregation, as kube-aggregator in front of kube-apiserver: an APIService with
// spec.service hands its group-version to an extension API server. Its availability is probed
// (the discovery document of the group-version, fetched with the front-proxy client
// certificate) and written to status like kube's availability controller (Passed,
// ServiceNotFound, MissingEndpoints, FailedDiscoveryCheck); while it is available its
// resources join the catalog (so /apis, /apis/<group> and aggregated discovery list them) and
// every request under /apis/<group>/<version> is proxied there after this server has
// authenticated and authorized it, the user passed in the requestheader headers.
import { request as httpsRequest } from 'node:https';
import type { Logger } from 'pino';
import type { KubeObject } from '../../api/types.ts';
import type { Registry } from '../../registry/registry.ts';
import { apiServiceResource } from '../../registry/resources/apiregistration.ts';
import type { ResourceDef, Verb } from '../../registry/types.ts';
import { ResolveError, resolveService, type ServiceRef } from './resolve.ts';

export interface ProxyTarget {
  apiService: string;
  /** host:port of the extension API server. */
  endpoint: string;
  serverName: string;
  caBundle?: string;
  insecureSkipTLSVerify: boolean;
}

export interface FrontProxyIdentity {
  cert: string;
  key: string;
}

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
  lastTransitionTime?: string;
}

const recheckMs = 10_000;

export class Aggregator {
  /** group/version → where its requests go, for the available remote APIServices. */
  private readonly targets = new Map<string, ProxyTarget>();
  private readonly rows = new Map<string, ResourceDef[]>();
  private stopWatch: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly registry: Registry, private readonly identity: FrontProxyIdentity, private readonly log: Logger) {}

  async start(): Promise<void> {
    const handle = await this.registry.watch(apiServiceResource, undefined, { sendInitialEvents: undefined }, {
      event: (type, obj) => {
        const object = 'object' in obj && 'json' in obj ? (obj as { object: KubeObject }).object : obj as KubeObject;
        if (type === 'DELETED') this.forget(object.metadata.name!);
        else if (type !== 'BOOKMARK') void this.sync(object);
      },
      error: (err) => this.log.warn({ err: err.message }, 'APIService watch ended'),
    });
    this.stopWatch = () => handle.stop();
    await this.syncAll();
    this.timer = setInterval(() => void this.syncAll(), recheckMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopWatch?.();
    if (this.timer) clearInterval(this.timer);
  }

  /** The proxy target of a request path, when its group-version is aggregated and available. */
  match(url: string): ProxyTarget | undefined {
    const m = /^\/apis\/([^/?]+)\/([^/?]+)(?:[/?]|$)/.exec(url);
    return m ? this.targets.get(`${m[1]}/${m[2]}`) : undefined;
  }

  private async syncAll(): Promise<void> {
    const list = await this.registry.list(apiServiceResource, undefined, {}).catch(() => undefined);
    for (const { object } of list?.items ?? []) await this.sync(object);
  }

  private forget(name: string): void {
    for (const [gv, t] of this.targets) if (t.apiService === name) this.targets.delete(gv);
    for (const def of this.rows.get(name) ?? []) this.registry.catalog.remove(def.group, def.version, def.plural);
    this.rows.delete(name);
  }

  private async sync(apiService: KubeObject): Promise<void> {
    const name = apiService.metadata.name!;
    const spec = (apiService.spec ?? {}) as { group?: string; version?: string; service?: ServiceRef; caBundle?: string; insecureSkipTLSVerify?: boolean };
    if (!spec.service) {
      if (this.rows.has(name)) this.forget(name);
      return;
    }
    const gv = `${spec.group}/${spec.version}`;
    let condition: Condition;
    try {
      const endpoint = await resolveService(this.registry, spec.service);
      const target: ProxyTarget = {
        apiService: name, endpoint, serverName: `${spec.service.name}.${spec.service.namespace}.svc`,
        caBundle: spec.caBundle ? Buffer.from(spec.caBundle, 'base64').toString() : undefined, insecureSkipTLSVerify: spec.insecureSkipTLSVerify === true,
      };
      const url = `https://${endpoint}/apis/${gv}`;
      const discovery = await this.fetchDiscovery(target, `/apis/${gv}`).catch((err: Error) => {
        throw new ResolveError('FailedDiscoveryCheck', `failing or missing response from ${url}: ${err.message}`);
      });
      this.install(name, spec.group!, spec.version!, discovery);
      this.targets.set(gv, target);
      condition = { type: 'Available', status: 'True', reason: 'Passed', message: 'all checks passed' };
    } catch (err) {
      this.forget(name);
      const reason = err instanceof ResolveError ? err.reason : 'FailedDiscoveryCheck';
      condition = { type: 'Available', status: 'False', reason, message: (err as Error).message };
    }
    await this.writeCondition(apiService, condition);
  }

  /** The extension's APIResourceList as catalog rows (subresources are proxied but not listed in discovery). */
  private install(apiService: string, group: string, version: string, list: { resources?: Array<Record<string, any>> }): void {
    const defs: ResourceDef[] = (list.resources ?? []).filter((r) => typeof r.name === 'string' && !r.name.includes('/')).map((r) => ({
      group, version, kind: String(r.kind ?? ''), plural: r.name, singular: r.singularName || String(r.kind ?? '').toLowerCase(),
      shortNames: r.shortNames ?? [], categories: r.categories ?? [], namespaced: r.namespaced === true,
      verbs: (r.verbs ?? []) as Verb[], subresources: [], schema: '', columns: [], strategy: {}, aggregated: { apiService },
    }));
    const before = JSON.stringify(this.rows.get(apiService)?.map((d) => [d.plural, d.kind, d.verbs, d.namespaced]));
    if (before === JSON.stringify(defs.map((d) => [d.plural, d.kind, d.verbs, d.namespaced]))) return;
    for (const def of this.rows.get(apiService) ?? []) this.registry.catalog.remove(def.group, def.version, def.plural);
    for (const def of defs) this.registry.catalog.add(def);
    this.rows.set(apiService, defs);
  }

  private async writeCondition(apiService: KubeObject, condition: Condition): Promise<void> {
    const conditions = ((apiService.status as { conditions?: Condition[] } | undefined)?.conditions ?? []);
    const current = conditions.find((c) => c.type === 'Available');
    if (current && current.status === condition.status && current.reason === condition.reason && current.message === condition.message) return;
    condition.lastTransitionTime = current?.status === condition.status && current.lastTransitionTime
      ? current.lastTransitionTime : new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const status = { ...(apiService.status ?? {}), conditions: [...conditions.filter((c) => c.type !== 'Available'), condition] };
    await this.registry.store(apiServiceResource).update(undefined, apiService.metadata.name!, { ...apiService, status }, { subresource: 'status' })
      .catch((err) => this.log.debug({ err: (err as Error).message }, 'APIService status not written'));
  }

  private fetchDiscovery(target: ProxyTarget, path: string): Promise<{ resources?: Array<Record<string, any>> }> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(this.requestOptions(target, 'GET', path, { accept: 'application/json' }), (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          if (res.statusCode !== 200) return reject(new Error(`bad status from ${path}: ${res.statusCode}`));
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString()));
          } catch (err) {
            reject(err as Error);
          }
        });
      });
      req.setTimeout(5000, () => req.destroy(new Error('Client.Timeout exceeded while awaiting headers')));
      req.on('error', reject);
      req.end();
    });
  }

  /** TLS to the extension with the front-proxy client certificate, trusting its caBundle (or nothing, when told to skip). */
  requestOptions(target: ProxyTarget, method: string, path: string, headers: Record<string, string | string[]>) {
    const [, host, port] = /^\[?([^\]]+?)\]?:(\d+)$/.exec(target.endpoint) ?? [];
    return {
      host, port: Number(port), method, path, headers,
      cert: this.identity.cert, key: this.identity.key, servername: /^[\d.]+$|:/.test(host) ? undefined : target.serverName,
      ca: target.caBundle, rejectUnauthorized: !target.insecureSkipTLSVerify,
      checkServerIdentity: target.caBundle ? (_host: string, cert: { subjectaltname?: string }) => checkName(target.serverName, cert) : undefined,
    };
  }
}

/** kube-aggregator verifies the extension's certificate for <service>.<namespace>.svc. */
function checkName(serverName: string, cert: { subjectaltname?: string }): Error | undefined {
  const names = (cert.subjectaltname ?? '').split(', ').map((n) => n.replace(/^DNS:/, ''));
  return names.includes(serverName) ? undefined : new Error(`x509: certificate is not valid for ${serverName}`);
}
