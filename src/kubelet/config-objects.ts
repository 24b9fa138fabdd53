// The kubelet's ConfigMap and Secret managers with configMapAndSecretChangeDetectionStrategy
// Watch, kube's default (pkg/kubelet/util/manager/watch_based_manager.go): each object a pod
// refers to gets its own reflector — a LIST and WATCH of that one name in its namespace
// (fieldSelector metadata.name=…) — and reads are answered from it. A thousand pods mounting
// kube-root-ca.crt cost one watch, not a thousand GETs. Kube stops a reflector when the last
// pod referring to the object is unregistered; here it stops once nothing has read it for a
// while (an object read again later is listed afresh). As kube's GetObject, a read waits a
// moment for the reflector's first list; where it cannot list (say, RBAC allows only GET), the
// read falls back to a GET, so a pod never waits on a watch that will not come.
import type { KubeObject } from '../api/types.ts';
import { isNotFound, resources, SharedInformer, type ApiClient } from '../client/index.ts';

export type ConfigKind = 'configMaps' | 'secrets';

/** What reads ConfigMap and Secret data: decoded (a Secret's values as text), undefined when the object does not exist. */
export interface ConfigReader {
  read(kind: ConfigKind, namespace: string, name: string): Promise<Record<string, string> | undefined>;
}

export interface ConfigObjectsOptions {
  /** A reflector nobody read for this long stops (default 5 minutes). */
  idleMs?: number;
  /** How long a read waits for a new reflector's first list before it GETs instead (kube waits up to a second). */
  syncTimeoutMs?: number;
}

interface Entry {
  informer: SharedInformer<KubeObject>;
  lastRead: number;
  synced: Promise<boolean>;
  /** Its first list did not come in time once: later reads GET until it does, without waiting. */
  slow?: boolean;
}

export class ConfigObjects implements ConfigReader {
  private readonly entries = new Map<string, Entry>();
  private readonly sweeper: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly client: ApiClient, private readonly opts: ConfigObjectsOptions = {}) {
    const idleMs = opts.idleMs ?? 5 * 60_000;
    this.sweeper = setInterval(() => this.sweep(idleMs), Math.max(1000, idleMs / 2));
    this.sweeper.unref();
  }

  async read(kind: ConfigKind, namespace: string, name: string): Promise<Record<string, string> | undefined> {
    const obj = await this.object(kind, namespace, name);
    if (!obj) return undefined;
    const data = (obj.data ?? {}) as Record<string, string>;
    if (kind === 'configMaps') return data;
    return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
  }

  /** Stops every reflector. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.sweeper);
    const informers = [...this.entries.values()].map((e) => e.informer);
    this.entries.clear();
    await Promise.all(informers.map((i) => i.stop()));
  }

  private async object(kind: ConfigKind, namespace: string, name: string): Promise<KubeObject | undefined> {
    const key = `${kind}/${namespace}/${name}`;
    let entry = this.entries.get(key);
    if (!entry && !this.stopped) {
      const informer = new SharedInformer(this.client, resources[kind], {
        namespace, fieldSelector: `metadata.name=${name}`,
        // Failures are retried by the informer; reads meanwhile fall back to GET.
        onError: () => undefined,
      }).run();
      entry = { informer, lastRead: Date.now(), synced: informer.waitForSync() };
      this.entries.set(key, entry);
    }
    if (entry) {
      entry.lastRead = Date.now();
      const synced = entry.informer.hasSynced() || (!entry.slow && await withTimeout(entry.synced, this.opts.syncTimeoutMs ?? 1000));
      if (synced) return entry.informer.store.get(`${namespace}/${name}`);
      entry.slow = true;
    }
    try {
      return await this.client.get(resources[kind], name, { namespace });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  private sweep(idleMs: number): void {
    const now = Date.now();
    for (const [key, entry] of this.entries) {
      if (now - entry.lastRead < idleMs) continue;
      this.entries.delete(key);
      void entry.informer.stop();
    }
  }
}

/** `promise`'s value, or false if it takes longer than `ms`. */
function withTimeout(promise: Promise<boolean>, ms: number): Promise<boolean> {
  return new Promise((resolveValue) => {
    const timer = setTimeout(() => resolveValue(false), ms);
    void promise.then((value) => {
      clearTimeout(timer);
      resolveValue(value);
    });
  });
}
