// The pods' create-only subresources: `binding` (how the scheduler assigns a node, as kube's
// BindingREST) and `eviction` (a delete that respects PodDisruptionBudgets, as kube's EvictionREST).
import { errors, field } from '../api/errors.ts';
import type { KubeObject, Status } from '../api/types.ts';
import { isStorageError } from '../storage/interface.ts';
import type { Registry } from './registry.ts';
import { labelSelectorFromObject } from './selectors/label-selector.ts';
import { nowTimestamp } from './object-meta.ts';
import { checkAgainstSchema } from './validation/schema.ts';
import type { ResourceDef } from './types.ts';

const createdStatus: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };

function checkBody(body: unknown, kind: string, apiVersions: string[]): KubeObject {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw errors.badRequest(`Object '${kind}' is missing in '${JSON.stringify(body)}'`);
  const obj = body as KubeObject;
  if (obj.kind && obj.kind !== kind) throw errors.badRequest(`${obj.kind} is not suitable for converting to "${kind}"`);
  if (obj.apiVersion && !apiVersions.includes(obj.apiVersion)) throw errors.badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${apiVersions[0]})`);
  obj.metadata ??= {};
  return obj;
}

export async function bindPod(registry: Registry, pods: ResourceDef, namespace: string, name: string, body: unknown): Promise<Status> {
  const binding = checkBody(body, 'Binding', ['v1']);
  if (binding.metadata.name && binding.metadata.name !== name) {
    throw errors.badRequest(`name in URL does not match name in Binding object`);
  }
  const target = (binding as { target?: { kind?: string; name?: string } }).target ?? {};
  const fieldErrors = [];
  if (target.kind && target.kind !== 'Node') fieldErrors.push(field.notSupported('target.kind', target.kind, ['Node']));
  if (!target.name) fieldErrors.push(field.required('target.name'));
  if (fieldErrors.length) throw errors.invalid('Binding', '', name, fieldErrors);
  const bindingGR = { group: '', resource: 'pods/binding' };
  const store = registry.store(pods);
  try {
    await registry.storage.guaranteedUpdate(store.key(namespace, name), (current) => {
      const pod = structuredClone(current.object);
      const uid = binding.metadata.uid;
      if (uid && uid !== pod.metadata.uid) {
        throw errors.conflict({ group: '', resource: 'pods' }, name,
          `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${pod.metadata.uid}`);
      }
      if (pod.metadata.deletionTimestamp) throw errors.conflict(bindingGR, name, `pod ${name} is being deleted, cannot be assigned to a host`);
      if (pod.spec?.nodeName) throw errors.conflict(bindingGR, name, `pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
      pod.spec.nodeName = target.name;
      const annotations = binding.metadata.annotations;
      if (annotations) pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), ...annotations };
      setCondition(pod, { type: 'PodScheduled', status: 'True' });
      return pod;
    });
  } catch (err) {
    if (isStorageError(err, 'NotFound')) throw errors.notFound(store.gr, name);
    throw err;
  }
  return createdStatus;
}

function setCondition(pod: KubeObject, cond: { type: string; status: string }): void {
  pod.status ??= {};
  const conditions: Array<Record<string, unknown>> = pod.status.conditions ?? [];
  // The condition is replaced whole (reason and message of an earlier Unschedulable go), as kube's UpdatePodCondition.
  const index = conditions.findIndex((c) => c.type === cond.type);
  const previous = index >= 0 ? conditions[index] : undefined;
  const next = {
    ...cond, lastProbeTime: null,
    lastTransitionTime: previous && previous.status === cond.status ? previous.lastTransitionTime : nowTimestamp(),
  };
  if (index >= 0) conditions[index] = next;
  else conditions.push(next);
  pod.status.conditions = conditions;
}

/** Pods whose eviction never needs a budget: finished, not yet running, or already going. */
function canIgnoreBudget(pod: KubeObject): boolean {
  const phase = pod.status?.phase;
  return !!pod.metadata.deletionTimestamp || phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending';
}

/** The query's dryRun (CreateOptions) merged into the Eviction's deleteOptions, as kube's propagateDryRun. */
function propagateDryRun(deleteOptions: Record<string, unknown>, queryDryRun: string[]): boolean {
  const bodyDryRun = deleteOptions.dryRun;
  const fromBody = Array.isArray(bodyDryRun) ? bodyDryRun.map(String) : [];
  if (fromBody.length > 0 && queryDryRun.length > 0 && fromBody.join('\0') !== queryDryRun.join('\0')) {
    throw errors.internal(`Non-matching dry-run options in request and content: [${queryDryRun.join(' ')}] and [${fromBody.join(' ')}]`);
  }
  const dryRun = fromBody.length > 0 ? fromBody : queryDryRun;
  if (dryRun.some((v) => v !== 'All')) {
    throw errors.invalid('DeleteOptions', 'meta.k8s.io', '', [field.notSupported('dryRun', dryRun, ['All'])]);
  }
  return dryRun.length > 0;
}

/**
 * kube's EvictionREST.Create: dryRun comes from the Eviction's deleteOptions (kubectl drain
 * --dry-run=server puts it there) or the query; a dry run checks the budget and the delete
 * without writing either.
 */
export async function evictPod(registry: Registry, pods: ResourceDef, namespace: string, name: string, body: unknown, queryDryRun: string[] = []): Promise<Status> {
  const eviction = checkBody(body, 'Eviction', ['policy/v1', 'policy/v1beta1']);
  // Decoded as kube's create handler decodes it: a field of the wrong type is a 400, not ignored.
  const apiVersion = typeof eviction.apiVersion === 'string' && eviction.apiVersion ? eviction.apiVersion : 'policy/v1';
  const check = checkAgainstSchema('io.k8s.api.policy.v1.Eviction', eviction, { mode: 'Ignore', kind: 'Eviction', apiVersion });
  if (check.badRequest) throw check.badRequest;
  if (eviction.metadata.name && eviction.metadata.name !== name) {
    throw errors.badRequest('name in URL does not match name in Eviction object');
  }
  const rawOptions = (eviction as { deleteOptions?: unknown }).deleteOptions;
  const deleteOptions = rawOptions && typeof rawOptions === 'object' && !Array.isArray(rawOptions) ? rawOptions as Record<string, unknown> : {};
  const dryRun = propagateDryRun(deleteOptions, queryDryRun);
  const podStore = registry.store(pods);
  const pod = (await podStore.get(namespace, name)).object;
  if (!canIgnoreBudget(pod)) await consumeDisruption(registry, pod, dryRun);
  await podStore.delete(namespace, name, {
    gracePeriodSeconds: typeof deleteOptions.gracePeriodSeconds === 'number' ? deleteOptions.gracePeriodSeconds : undefined,
    preconditions: deleteOptions.preconditions as { uid?: string; resourceVersion?: string } | undefined,
    dryRun,
  });
  return createdStatus;
}

/** Takes one allowed disruption from the pod's budget, or refuses with 429 as kube does. */
async function consumeDisruption(registry: Registry, pod: KubeObject, dryRun: boolean): Promise<void> {
  const pdbDef = registry.catalog.lookup('policy', 'v1', 'poddisruptionbudgets');
  if (!pdbDef) return;
  const list = await registry.list(pdbDef, pod.metadata.namespace, {});
  const budgets = list.items.filter((i) => labelSelectorFromObject(i.object.spec?.selector).matches(pod.metadata.labels));
  if (budgets.length === 0) return;
  if (budgets.length > 1) throw errors.internal('This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
  const pdb = budgets[0].object;
  const refuse = (why: string) => {
    const err = errors.tooManyRequests('Cannot evict pod as it would violate the pod\'s disruption budget.', 0);
    err.status.details = { causes: [{ reason: 'DisruptionBudget', message: why }] };
    return err;
  };
  const decrement = (current: KubeObject): KubeObject => {
    const next = structuredClone(current);
    const status = next.status ?? {};
    if ((status.observedGeneration ?? 0) < (next.metadata.generation ?? 0)) {
      throw refuse(`The disruption budget ${pdb.metadata.name} is still being processed by the server.`);
    }
    if ((status.disruptionsAllowed ?? 0) <= 0) {
      throw refuse(`The disruption budget ${pdb.metadata.name} needs ${status.desiredHealthy ?? 0} healthy pods and has ${status.currentHealthy ?? 0} currently`);
    }
    status.disruptionsAllowed -= 1;
    status.disruptedPods = { ...(status.disruptedPods ?? {}), [pod.metadata.name!]: nowTimestamp() };
    next.status = status;
    return next;
  };
  // A dry run checks the budget as kube's checkAndDecrement does, and stops before the write.
  if (dryRun) {
    decrement(pdb);
    return;
  }
  await registry.storage.guaranteedUpdate(budgets[0].key, (current) => decrement(current.object));
}
