// The ResourceQuota controller (kube-controller-manager's `resourcequota-controller`): keeps
// each quota's status.hard equal to spec.hard and status.used equal to what the namespace
// holds, computed with the same evaluators as the ResourceQuota admission plugin. Admission
// charges creates at once; this controller gives usage back when objects go (deletes, pods
// turning terminal), picks up new or changed quotas, and recomputes every quota each
// --resource-quota-sync-period (5m). It reads the quota before listing and writes with that
// resourceVersion, so a create charged in between makes the write conflict and re-run.
import type { KubeObject } from '../api/types.ts';
import { isConflict, isNotFound, resources, type ResourceDescriptor } from '../client/index.ts';
import { evaluatorMatches, podCounts, usageOf } from '../api/quota-evaluators.ts';
import { formatQuantity, isBinary } from '../api/quota-quantity.ts';
import { jsonEqual } from '../api/json-equal.ts';
import type { ControllerDefinition } from './types.ts';

export const controllerName = 'resourcequota-controller';
/** --resource-quota-sync-period. */
const resyncPeriodMs = 5 * 60_000;
/** --concurrent-resource-quota-syncs. */
const concurrentSyncs = 5;

const known: ResourceDescriptor[] = Object.values(resources);

/** The resources whose objects a quota's hard names are computed from. */
function sourcesOf(hard: string[]): ResourceDescriptor[] {
  const out = new Map<string, ResourceDescriptor>();
  const candidates = [...known];
  for (const name of hard) {
    const m = /^count\/([^.]+)(?:\.(.+))?$/.exec(name);
    if (m && !known.some((d) => d.resource === m[1] && d.group === (m[2] ?? ''))) {
      candidates.push({ group: m[2] ?? '', version: 'v1', resource: m[1], namespaced: true, kind: '' });
    }
  }
  for (const d of candidates) {
    if (!d.namespaced) continue;
    if (hard.some((h) => evaluatorMatches(d.group, d.resource, h))) out.set(`${d.group}/${d.resource}`, d);
  }
  return [...out.values()];
}

export const resourceQuotaController: ControllerDefinition = {
  name: controllerName,
  workers: () => concurrentSyncs,
  setup(ctx, queue) {
    const quotas = ctx.factory.informerFor(resources.resourceQuotas);
    const enqueueNamespace = (ns: string | undefined) => {
      if (!ns) return;
      for (const q of quotas.store.byNamespace(ns)) queue.add(`${ns}/${q.metadata.name}`);
    };
    quotas.addEventHandler({
      onAdd: (q) => queue.add(`${q.metadata.namespace}/${q.metadata.name}`),
      // Only a changed spec or a status missing a hard resource needs a recalculation (kube's updateQuota filter).
      onUpdate: (_old, q) => {
        if (!jsonEqual(q.spec?.hard ?? {}, q.status?.hard ?? {}) || Object.keys(q.spec?.hard ?? {}).some((r) => q.status?.used?.[r] === undefined)) {
          queue.add(`${q.metadata.namespace}/${q.metadata.name}`);
        }
      },
    });
    // Replenishment: usage goes back when objects are deleted or pods become terminal.
    for (const res of [resources.pods, resources.services, resources.configMaps, resources.secrets, resources.persistentVolumeClaims, resources.replicationControllers]) {
      // ConfigMaps and Secrets matter here only by their deletion (and no other controller
      // watches them whole): their metadata is enough, and far cheaper to receive and decode.
      const metadataOnly = res === resources.configMaps || res === resources.secrets;
      const informer = ctx.factory.informerFor(res, { metadataOnly });
      informer.addEventHandler({
        onDelete: (obj) => enqueueNamespace(obj.metadata.namespace),
        onUpdate: (old, obj) => {
          if (res === resources.pods && podCounts(old) && !podCounts(obj)) enqueueNamespace(obj.metadata.namespace);
          if (res === resources.services && old.spec?.type !== obj.spec?.type) enqueueNamespace(obj.metadata.namespace);
        },
      });
    }
    let timer: NodeJS.Timeout | undefined;

    async function syncQuota(key: string): Promise<void> {
      const [namespace, name] = key.split('/');
      let quota: KubeObject;
      try {
        quota = await ctx.client.get(resources.resourceQuotas, name, { namespace });
      } catch (err) {
        if (isNotFound(err)) return;
        throw err;
      }
      const hard: Record<string, string> = quota.spec?.hard ?? {};
      const names = Object.keys(hard);
      const sums: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
      for (const source of sourcesOf(names)) {
        const list = await ctx.client.list(source, { namespace });
        for (const obj of list.items) {
          const usage = usageOf(source.group, source.resource, obj);
          for (const n of names) if (usage[n] !== undefined && evaluatorMatches(source.group, source.resource, n)) sums[n] += usage[n];
        }
      }
      const used = Object.fromEntries(names.map((n) => [n, formatQuantity(sums[n], isBinary(hard[n]))]));
      const status = { hard: { ...hard }, used };
      if (jsonEqual(quota.status ?? {}, status)) return;
      try {
        await ctx.client.updateStatus(resources.resourceQuotas, { ...quota, status });
        ctx.log.debug({ namespace, quota: name, used }, `${controllerName}: status updated`);
      } catch (err) {
        if (isConflict(err)) {
          queue.add(key); // an admission charge came in between: compute again
          return;
        }
        if (!isNotFound(err)) throw err;
      }
    }

    return {
      reconcile: (key) => syncQuota(key),
      start() {
        timer = setInterval(() => {
          for (const q of quotas.store.list()) queue.add(`${q.metadata.namespace}/${q.metadata.name}`);
        }, resyncPeriodMs);
        timer.unref?.();
      },
      stop() {
        if (timer) clearInterval(timer);
      },
    };
  },
};
