// The ResourceQuota admission plugin (plugin/pkg/admission/resourcequota): a create in a
// namespace with quotas is charged against each quota that tracks what the object uses;
// going over `status.hard` refuses it with kube's message, e.g.
//   pods "p4" is forbidden: exceeded quota: q, requested: pods=1, used: pods=3, limited: pods=3
// and an admitted create raises the quota's status.used at once (a compare-and-swap on the
// quota), so that the next request sees it. Checks are serialised per namespace, which makes
// them race-free in one process as kube's quota evaluator's work queue does per namespace.
// The resourcequota controller recomputes status.used from what exists (src/controllers/resourcequota.ts).
import { errors, isStatusError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/types.ts';
import { loopbackUser } from '../../registry/admission-chain.ts';
import type { ObjectLookup } from '../lookup.ts';
import { refs } from '../lookup.ts';
import type { AdmissionAttributes, AdmissionPlugin } from '../../registry/admission.ts';
import { evaluatorMatches, podConstraintError, usageOf, type Usage } from '../../api/quota-evaluators.ts';
import { formatQuantity, isBinary, parseQuantity } from '../../api/quota-quantity.ts';

class NamespaceLocks {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(ns: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(ns) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => { release = r; });
    const tail = prev.then(() => mine);
    this.tails.set(ns, tail);
    await prev;
    try {
      return await fn();
    } finally {
      release();
      if (this.tails.get(ns) === tail) this.tails.delete(ns);
    }
  }
}

const prettyPrint = (m: Record<string, string>) => Object.keys(m).sort().map((k) => `${k}=${m[k]}`).join(',');

function subject(a: AdmissionAttributes) {
  // admission.NewForbidden names the object by name, else generateName.
  const name = a.object?.metadata?.name || a.object?.metadata?.generateName || a.name;
  return { gr: { group: a.def.group, resource: a.def.plural }, name };
}

/** The quota's new status.used with this request charged, or throws kube's refusal. */
function charge(a: AdmissionAttributes, quota: KubeObject, delta: Usage): Record<string, string> | undefined {
  // Scoped quotas (BestEffort, Terminating, PriorityClass…) are not evaluated by kubelite.
  if (quota.spec?.scopes?.length || quota.spec?.scopeSelector) return undefined;
  const hard: Record<string, string> = quota.status?.hard ?? {};
  const used: Record<string, string> = quota.status?.used ?? {};
  const tracked = Object.keys(hard).filter((r) => evaluatorMatches(a.def.group, a.def.plural, r));
  if (tracked.length === 0) return undefined;
  const { gr, name } = subject(a);
  if (a.def.group === '' && a.def.plural === 'pods') {
    const missing = podConstraintError(a.object!, tracked);
    if (missing) throw errors.forbidden(gr, name, `failed quota: ${quota.metadata.name}: ${missing}`);
  }
  const unknown = tracked.filter((r) => used[r] === undefined);
  if (unknown.length) {
    throw errors.forbidden(gr, name, `status unknown for quota: ${quota.metadata.name}, resources: ${unknown.sort().join(',')}`);
  }
  const next: Record<string, string> = { ...used };
  const failed = { requested: {} as Record<string, string>, used: {} as Record<string, string>, hard: {} as Record<string, string> };
  for (const r of tracked) {
    const d = delta[r] ?? 0;
    if (d === 0) continue;
    const binary = isBinary(hard[r]) || isBinary(used[r]);
    const total = (parseQuantity(used[r]) ?? 0) + d;
    next[r] = formatQuantity(total, binary);
    if (d > 0 && total > (parseQuantity(hard[r]) ?? 0) + 1e-9) {
      failed.requested[r] = formatQuantity(d, binary);
      failed.used[r] = used[r];
      failed.hard[r] = hard[r];
    }
  }
  if (Object.keys(failed.requested).length) {
    throw errors.forbidden(gr, name, `exceeded quota: ${quota.metadata.name}, requested: ${prettyPrint(failed.requested)}, ` +
      `used: ${prettyPrint(failed.used)}, limited: ${prettyPrint(failed.hard)}`);
  }
  return next;
}

export function resourceQuotaPlugin(lookup: ObjectLookup): AdmissionPlugin {
  const locks = new NamespaceLocks();
  const quotaDef = () => lookup.registry.catalog.lookup('', 'v1', 'resourcequotas')!;

  async function admitCreate(a: AdmissionAttributes): Promise<void> {
    const delta = usageOf(a.def.group, a.def.plural, a.object!);
    for (let attempt = 0; attempt < 5; attempt++) {
      const quotas = await lookup.list(refs.resourceQuotas, a.namespace);
      const updates: Array<{ quota: KubeObject; used: Record<string, string> }> = [];
      for (const quota of quotas) {
        const used = charge(a, quota, delta);
        if (used) updates.push({ quota, used });
      }
      if (a.dryRun || updates.length === 0) return;
      try {
        for (const { quota, used } of updates) {
          const body = { ...quota, status: { ...quota.status, used } };
          await lookup.registry.store(quotaDef()).update(a.namespace, quota.metadata.name!, body, { subresource: 'status', user: loopbackUser });
        }
        return;
      } catch (err) {
        // Someone else moved the quota (the controller's recalculation): charge again on the new status.
        if (!isStatusError(err, 'Conflict')) throw err;
      }
    }
    throw errors.internal('resource quota evaluation timed out');
  }

  return {
    name: 'ResourceQuota',
    async validate(a) {
      if (a.operation !== 'CREATE' || a.subresource || !a.namespace || !a.object) return;
      if (a.def.group === '' && a.def.plural === 'namespaces') return;
      // A namespace without quotas (most of them) charges nothing: no lock, no usage to work out.
      // A quota created meanwhile is seen by the next write, as kube's evaluator sees its informer.
      if ((await lookup.list(refs.resourceQuotas, a.namespace)).length === 0) return;
      await locks.run(a.namespace, () => admitCreate(a));
    },
  };
}
