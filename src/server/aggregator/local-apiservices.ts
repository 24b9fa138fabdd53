// One APIService per group-version this server serves itself, as kube-aggregator's
// autoregister controller keeps them: spec without a service ("Local"), the group's priority
// from kube's table (CRD groups 1000/100, as the crdregistration controller), and
// Available=True with reason Local. Built-in ones are labelled automanaged=onstart; those of
// CRDs automanaged=true and removed when their group-version goes away.
import type { Logger } from 'pino';
import type { KubeObject } from '../../api/types.ts';
import { isStatusError } from '../../api/errors.ts';
import type { Registry } from '../../registry/registry.ts';
import { apiServiceResource } from '../../registry/resources/apiregistration.ts';

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
    status: {
      conditions: [{
        type: 'Available', status: 'True', lastTransitionTime: now.toISOString().replace(/\.\d+Z$/, 'Z'),
        reason: 'Local', message: 'Local APIServices are always available',
      }],
    },
  };
}

/** Keeps the local APIServices in step with the catalog; runs at start and whenever the catalog changes. */
export class LocalAPIServices {
  private running: Promise<void> | undefined;
  private again = false;

  constructor(private readonly registry: Registry, private readonly log: Logger) {}

  start(): Promise<void> {
    this.registry.catalog.onChange(() => void this.sync());
    return this.sync();
  }

  sync(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.reconcile()
      .catch((err) => this.log.warn({ err }, 'local APIServices not reconciled'))
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
    const store = this.registry.store(apiServiceResource);
    const wanted = new Map<string, [string, string]>();
    for (const def of this.registry.catalog.all()) {
      if (def.aggregated) continue; // served by an extension API server through its own APIService
      wanted.set(`${def.version}.${def.group}`, [def.group, def.version]);
    }
    const existing = await this.registry.list(apiServiceResource, undefined, {});
    const have = new Map(existing.items.map((i) => [i.object.metadata.name!, i.object]));
    for (const [name, [group, version]] of wanted) {
      if (have.has(name)) continue;
      const desired = localAPIService(group, version);
      try {
        const created = await store.create(undefined, { ...desired, status: undefined }, { serverBuilt: true });
        await store.update(undefined, name, { ...created.object, status: desired.status }, { subresource: 'status', serverBuilt: true });
      } catch (err) {
        if (!isStatusError(err, 'AlreadyExists') && !isStatusError(err, 'Conflict')) throw err;
      }
    }
    for (const [name, obj] of have) {
      if (obj.metadata.labels?.[automanaged] === 'true' && !obj.spec?.service && !wanted.has(name)) {
        await store.delete(undefined, name).catch(() => undefined);
      }
    }
  }
}
