// The namespace deleter's content pass, as kube's NamespacedResourcesDeleter.deleteAllContent:
// discover every namespaced resource that can be deleted, delete each collection (DELETE of
// the collection where the resource supports it, else item by item), then list again to see
// what remains and which finalizers hold it. The outcome is an estimate of how long to wait
// (pods' termination grace, 15 s for finalizers) and the namespace conditions kube reports.
import { isNotFound, type ApiError } from '../client/index.ts';
import type { KubeObject } from '../api/types.ts';
import type { DiscoveredResource, RawApi } from './raw-api.ts';
import { rfc3339 } from './node-health.ts';

export interface NamespaceCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface ContentResult {
  /** Seconds the remaining content is expected to take to go; 0 when nothing remains. */
  estimateSeconds: number;
  /** Failures that must be retried (the namespace is not finalized while there are any). */
  errors: string[];
  /** The five deletion conditions, as they should read now (lastTransitionTime not yet merged). */
  conditions: NamespaceCondition[];
}

/** How long to allow finalizers to run (kube's finalizerEstimateSeconds). */
const finalizerEstimateSeconds = 15;

/** The conditions and the wording kube's namespaceConditionUpdater uses, the healthy form of each first. */
const conditionText: Record<string, { ok: [string, string]; failed: string }> = {
  NamespaceDeletionDiscoveryFailure: { ok: ['ResourcesDiscovered', 'All resources successfully discovered'], failed: 'DiscoveryFailed' },
  NamespaceDeletionGroupVersionParsingFailure: { ok: ['ParsedGroupVersions', 'All legacy kube types successfully parsed'], failed: 'GroupVersionParsingFailed' },
  NamespaceDeletionContentFailure: { ok: ['ContentDeleted', 'All content successfully deleted, may be waiting on finalization'], failed: 'ContentDeletionFailed' },
  NamespaceContentRemaining: { ok: ['ContentRemoved', 'All content successfully removed'], failed: 'SomeResourcesRemain' },
  NamespaceFinalizersRemaining: { ok: ['ContentHasNoFinalizers', 'All content-preserving finalizers finished'], failed: 'SomeFinalizersRemain' },
};

const errorText = (err: unknown) => (err as ApiError)?.message ?? String(err);
const gvrText = (r: DiscoveredResource) => `${r.resource}.${r.group}`;

/** estimateGracefulTerminationForPods: the longest grace period of the pods still running. */
function podGraceEstimate(pods: KubeObject[]): number {
  let estimate = 0;
  for (const pod of pods) {
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') continue;
    const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
    estimate = Math.max(estimate, grace);
  }
  return estimate;
}

export async function deleteAllContent(api: RawApi, namespace: string): Promise<ContentResult> {
  const errors: string[] = [];
  const failures: Record<string, string | undefined> = {};
  let discovered: Awaited<ReturnType<RawApi['namespacedResources']>>;
  try {
    discovered = await api.namespacedResources();
  } catch (err) {
    // Without discovery there is nothing to delete by; report and retry.
    failures.NamespaceDeletionDiscoveryFailure = errorText(err); // not a per-group failure: the error as is
    return { estimateSeconds: 0, errors: [errorText(err)], conditions: conditionsFor(failures) };
  }
  if (discovered.failed.size) {
    const failing = [...discovered.failed].map(([gv, err]) => `${gv}: ${errorText(err)}`).sort();
    failures.NamespaceDeletionDiscoveryFailure = `Discovery failed for some groups, ${failing.length} failing: unable to retrieve the complete list of server APIs: ${failing.join(', ')}`;
    errors.push(...failing);
  }

  let estimate = 0;
  const remaining = new Map<string, number>();
  const finalizers = new Map<string, number>();
  const deletable = discovered.resources.filter((r) => r.verbs.includes('delete') && r.verbs.includes('list'));
  const results = await Promise.all(deletable.map((r) => deleteResource(api, r, namespace)));
  const contentErrors: string[] = [];
  results.forEach((res, i) => {
    const r = deletable[i];
    if (res.error) contentErrors.push(res.error);
    estimate = Math.max(estimate, res.estimate);
    if (res.remaining) remaining.set(gvrText(r), res.remaining);
    for (const [f, n] of res.finalizers) finalizers.set(f, (finalizers.get(f) ?? 0) + n);
  });

  errors.push(...contentErrors);
  if (remaining.size) {
    failures.NamespaceContentRemaining = `Some resources are remaining: ${[...remaining].map(([gvr, n]) => `${gvr} has ${n} resource instances`).sort().join(', ')}`;
  }
  if (finalizers.size) {
    failures.NamespaceFinalizersRemaining = `Some content in the namespace has finalizers remaining: ${[...finalizers].map(([f, n]) => `${f} in ${n} resource instances`).sort().join(', ')}`;
  }
  // As utilerrors.NewAggregate prints: one error as is, several in brackets.
  const aggregate = contentErrors.length === 1 ? contentErrors[0] : `[${contentErrors.join(', ')}]`;
  if (contentErrors.length) failures.NamespaceDeletionContentFailure = `Failed to delete all resource types, ${contentErrors.length} remaining: ${aggregate}`;
  return { estimateSeconds: estimate, errors, conditions: conditionsFor(failures) };
}

/** deleteAllContentForGroupVersionResource. */
async function deleteResource(api: RawApi, r: DiscoveredResource, namespace: string):
  Promise<{ estimate: number; remaining: number; finalizers: Map<string, number>; error?: string }> {
  const finalizers = new Map<string, number>();
  try {
    let estimate = r.group === '' && r.resource === 'pods' ? podGraceEstimate(await api.list(r, namespace, true)) : 0;
    let collectionDeleted = false;
    if (r.verbs.includes('deletecollection')) {
      try {
        await api.deleteCollection(r, namespace);
        collectionDeleted = true;
      } catch (err) {
        // 404/405: the resource does not really support it; delete item by item instead.
        const code = (err as ApiError)?.code;
        if (code !== 404 && code !== 405) throw err;
      }
    }
    if (!collectionDeleted) {
      for (const item of await api.list(r, namespace)) {
        if (item.metadata.deletionTimestamp) continue;
        await api.deleteOne(r, namespace, item.metadata.name!).catch((err) => {
          if (!isNotFound(err)) throw err;
        });
      }
    }
    const left = await api.list(r, namespace);
    if (left.length === 0) return { estimate: 0, remaining: 0, finalizers };
    for (const item of left) for (const f of item.metadata.finalizers ?? []) finalizers.set(f, (finalizers.get(f) ?? 0) + 1);
    if (estimate === 0 && finalizers.size) estimate = finalizerEstimateSeconds;
    if (estimate === 0 && r.group === '' && r.resource === 'pods') estimate = 1; // pods in their grace period
    if (estimate === 0) return { estimate, remaining: left.length, finalizers, error: `unexpected items still remain in namespace: ${namespace} for gvr: ${r.group}/${r.version}, Resource=${r.resource}` };
    return { estimate, remaining: left.length, finalizers };
  } catch (err) {
    return { estimate: 0, remaining: 0, finalizers, error: errorText(err) };
  }
}

/** The order namespaceConditionUpdater collects failures in (the content failure is made last, in Update). */
const failureOrder = ['NamespaceDeletionDiscoveryFailure', 'NamespaceDeletionGroupVersionParsingFailure', 'NamespaceContentRemaining', 'NamespaceFinalizersRemaining', 'NamespaceDeletionContentFailure'];

/**
 * namespaceConditionUpdater.Update: the failed conditions in the order they were found, then
 * the healthy form of every other type (a type new to the namespace is appended in this order).
 */
function conditionsFor(failures: Record<string, string | undefined>): NamespaceCondition[] {
  const failed = failureOrder.filter((type) => failures[type])
    .map((type): NamespaceCondition => ({ type, status: 'True', reason: conditionText[type].failed, message: failures[type] }));
  const healthy = Object.entries(conditionText).filter(([type]) => !failures[type])
    .map(([type, text]): NamespaceCondition => ({ type, status: 'False', reason: text.ok[0], message: text.ok[1] }));
  return [...failed, ...healthy];
}

/** SetNamespaceCondition: new conditions merged into the old, keeping lastTransitionTime where nothing changed. */
export function mergeConditions(old: NamespaceCondition[] = [], updates: NamespaceCondition[], now = Date.now()): NamespaceCondition[] {
  const merged = old.map((c) => ({ ...c }));
  for (const u of updates) {
    const at = merged.findIndex((c) => c.type === u.type);
    const prior = at >= 0 ? merged[at] : undefined;
    if (prior && prior.status === u.status && prior.reason === u.reason && prior.message === u.message) continue;
    const next = { ...u, lastTransitionTime: rfc3339(now) };
    if (prior) merged[at] = next;
    else merged.push(next);
  }
  return merged;
}
