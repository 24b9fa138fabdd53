// One APIService per group-version this server serves itself, as kube-aggregator's
// autoregister controller keeps them: spec without a service ("Local"), the group's priority
// from kube's table (CRD groups 1000/100, as the crdregistration controller), and
// Available=True with reason Local. Built-in ones are labelled automanaged=onstart; those of
// CRDs automanaged=true and removed when their group-version goes away.
// As in kube-apiserver this runs after the server listens (the kube-apiserver-autoregistration
// post-start hook starts the controller in the background): a start that finds thousands of a
// CRD's APIServices missing serves at once and creates them meanwhile. Readiness waits only for
// the built-in group-versions' APIServices (kube's `autoregister-completion` check), as kube's.
import type { Logger } from 'pino';
import type { KubeObject } from '../../api/types.ts';
import { isStatusError } from '../../api/errors.ts';
import type { Registry } from '../../registry/registry.ts';
import { apiServiceResource, localAvailableCondition } from '../../registry/resources/apiregistration.ts';

const automanaged = 'kube-aggregator.kubernetes.io/automanaged';

/** kube's apiVersionPriorities: group → [groupPriorityMinimum, versionPriority per version]. */
const priorities: Record<string, [number, Record<string, number>]> = {
  '': [18000, { v1: 1 }],
  'apps': [17800, { v1: 15 }],
  'events.k8s.io': [17750, { v1: 15 }],
  'authentication.k8s.io': [17700, { v1: 15 }],
  'authorization.k8s.io': [17600, { v1: 15 }],
  'autoscaling': [17500, { v1: 15, v2: 30 }],
  'batch': [17400, { v1: 15 }],
  'certificates.k8s.io': [17300, { v1: 15 }],
  'networking.k8s.io': [17200, { v1: 15 }],
  'policy': [17100, { v1: 15 }],
  'rbac.authorization.k8s.io': [17000, { v1: 15 }],
  'storage.k8s.io': [16800, { v1: 15 }],
  'apiextensions.k8s.io': [16700, { v1: 15 }],
  'admissionregistration.k8s.io': [16700, { v1: 15 }],
  'scheduling.k8s.io': [16600, { v1: 15 }],
  'coordination.k8s.io': [16500, { v1: 15 }],
  'node.k8s.io': [16300, { v1: 15 }],
  'discovery.k8s.io': [16200, { v1: 15 }],
  'flowcontrol.apiserver.k8s.io': [16100, { v1: 21 }],
  'apiregistration.k8s.io': [18000, { v1: 15 }],
  // metrics-server's own APIService priorities; kubelite serves the group in-process.
  'metrics.k8s.io': [100, { v1beta1: 100 }],
};

const builtinGroups = new Set(Object.keys(priorities));

export function localAPIService(group: string, version: string, now = new Date()): KubeObject {
  const [gpm, versions] = priorities[group] ?? [1000, {}];
  return {
    apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService',
    metadata: { name: `${version}.${group}`, labels: { [automanaged]: builtinGroups.has(group) ? 'onstart' : 'true' } },
    spec: { group, version, groupPriorityMinimum: gpm, versionPriority: versions[version] ?? 100 },
    status: { conditions: [localAvailableCondition(now)] },
  };
}

function isAvailable(obj: KubeObject): boolean {
  return (obj.status?.conditions ?? []).some((c: { type?: string; status?: string }) => c?.type === 'Available' && c.status === 'True');
}

/** How many APIServices are written at once: kube's autoregister runs 5 workers. */
const workers = 5;
/** A failed reconcile is tried again after this long (kube's workqueue requeues with backoff). */
const retryMs = 1000;

/**
 * Keeps the local APIServices in step with the catalog: started once the server listens, run
 * again whenever the catalog changes. `completed()` is kube's `autoregister-completion` check.
 */
export class LocalAPIServices {
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;
  /** Built-in group-versions whose APIService has not been seen Available yet. */
  private readonly pending = new Set<string>();
  private markCompleted!: () => void;
  /** Resolves once `completed()` is true. */
  readonly whenCompleted = new Promise<void>((resolve) => { this.markCompleted = resolve; });

  constructor(private readonly registry: Registry, private readonly log: Logger) {}

  /** Starts reconciling in the background; readiness follows `completed()`. */
  start(): void {
    for (const def of this.registry.catalog.all()) {
      if (!def.aggregated && builtinGroups.has(def.group)) this.pending.add(`${def.version}.${def.group}`);
    }
    if (this.pending.size === 0) this.markCompleted();
    this.registry.catalog.onChange(() => void this.sync());
    void this.sync();
  }

  /** Whether every built-in group-version's APIService has been seen Available (kube's makeAPIServiceAvailableHealthCheck). */
  completed(): boolean {
    return this.pending.size === 0;
  }

  /** Stops before the store closes: no write starts after this resolves. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    await this.running;
  }

  sync(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.reconcile()
      .catch((err) => {
        this.log.warn({ err }, 'local APIServices not reconciled; trying again');
        this.retry ??= setTimeout(() => {
          this.retry = undefined;
          void this.sync();
        }, retryMs).unref();
      })
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          void this.sync();
        }
      });
    return this.running;
  }

  private async reconcile(): Promise<void> {
    const wanted = new Map<string, [string, string]>();
    for (const def of this.registry.catalog.all()) {
      if (def.aggregated) continue; // served by an extension API server through its own APIService
      wanted.set(`${def.version}.${def.group}`, [def.group, def.version]);
    }
    const existing = await this.registry.list(apiServiceResource, undefined, {});
    const have = new Map(existing.items.map((i) => [i.object.metadata.name!, i.object]));
    // Built-in group-versions first: readiness waits on them, not on a CRD's thousands.
    const order = [...wanted].sort(([, [a]], [, [b]]) => Number(builtinGroups.has(b)) - Number(builtinGroups.has(a)));
    let next = 0;
    let failed: unknown;
    const work = async () => {
      while (next < order.length && !this.stopped) {
        const [name, [group, version]] = order[next++];
        try {
          await this.ensure(name, group, version, have.get(name));
          this.pending.delete(name);
          if (this.pending.size === 0) this.markCompleted();
        } catch (err) {
          failed ??= err;
        }
      }
    };
    await Promise.all(Array.from({ length: workers }, work));
    if (failed) throw failed;
    for (const [name, obj] of have) {
      if (this.stopped) return;
      if (obj.metadata.labels?.[automanaged] === 'true' && !obj.spec?.service && !wanted.has(name)) {
        await this.registry.store(apiServiceResource).delete(undefined, name).catch(() => undefined);
      }
    }
  }

  /**
   * One write for a missing APIService: kube's create marks a local one Available itself
   * (apiServerStrategy.PrepareForCreate). A local one found without Available=True gets it
   * back, as kube's availability controller writes it.
   */
  private async ensure(name: string, group: string, version: string, current: KubeObject | undefined): Promise<void> {
    const store = this.registry.store(apiServiceResource);
    try {
      if (!current) {
        await store.create(undefined, { ...localAPIService(group, version), status: undefined }, { serverBuilt: true });
      } else if (!current.spec?.service && !isAvailable(current)) {
        const conditions = (current.status?.conditions ?? []).filter((c: { type?: string }) => c?.type !== 'Available');
        await store.update(undefined, name, { ...current, status: { ...current.status, conditions: [...conditions, localAvailableCondition()] } },
          { subresource: 'status', serverBuilt: true });
      }
    } catch (err) {
      if (!isStatusError(err, 'AlreadyExists') && !isStatusError(err, 'Conflict')) throw err;
    }
  }
}
