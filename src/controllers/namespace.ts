// The namespace controller (kube-controller-manager's `namespace-controller`): a namespace
// being deleted (deletionTimestamp set, phase Terminating) has everything in it deleted —
// every namespaced resource discovery lists — and once nothing remains, its `kubernetes`
// finalizer is removed through `namespaces/{name}/finalize`, upon which the API server
// deletes it. Meanwhile its status conditions say what holds it up (NamespaceContentRemaining,
// NamespaceFinalizersRemaining, ...). Content that takes time (pods in their grace period,
// objects with finalizers) is waited for by requeueing, as kube does, and the disappearance
// of a pod in a terminating namespace wakes the namespace at once.
import type { KubeObject } from '../api/types.ts';
import { isNotFound, resources, type SharedInformer } from '../client/index.ts';
import { podInformer } from './informers.ts';
import { deleteAllContent, mergeConditions } from './namespace-deleter.ts';
import { RawApi } from './raw-api.ts';
import type { ControllerContext, ControllerDefinition } from './types.ts';

export const controllerName = 'namespace-controller';
export const finalizerKubernetes = 'kubernetes';

export const namespaceController: ControllerDefinition = {
  name: controllerName,
  workers: (o) => o.concurrentNamespaceSyncs,
  setup(ctx, queue) {
    const namespaces = ctx.factory.informerFor(resources.namespaces);
    const api = new RawApi(ctx.client, `kubelite-${controllerName}/0.1.0`);
    const deleting = (ns: KubeObject | undefined) => !!ns?.metadata.deletionTimestamp;
    namespaces.addEventHandler({
      onAdd: (ns) => deleting(ns) && queue.add(ns.metadata.name!),
      onUpdate: (_old, ns) => deleting(ns) && queue.add(ns.metadata.name!),
    });
    podInformer(ctx.factory).addEventHandler({
      onDelete: (pod) => {
        const ns = pod.metadata.namespace!;
        if (deleting(namespaces.store.get(ns))) queue.add(ns);
      },
    });
    return {
      reconcile: (name) => syncNamespace(ctx, api, namespaces, name),
      stop: () => api.close(),
    };
  },
};

/** NamespacedResourcesDeleter.Delete for one namespace. */
async function syncNamespace(ctx: ControllerContext, api: RawApi, namespaces: SharedInformer, name: string): Promise<{ requeueAfter: number } | void> {
  if (!namespaces.store.get(name)?.metadata.deletionTimestamp) return;
  let ns: KubeObject;
  try {
    ns = await ctx.client.get(resources.namespaces, name); // the latest state, not the cache's
  } catch (err) {
    if (isNotFound(err)) return;
    throw err;
  }
  if (!ns.metadata.deletionTimestamp) return;
  if (ns.status?.phase !== 'Terminating') ns = await ctx.client.updateStatus(resources.namespaces, { ...ns, status: { ...ns.status, phase: 'Terminating' } });
  if (!(ns.spec?.finalizers ?? []).includes(finalizerKubernetes)) return; // ours is done; others finalize the rest

  const content = await deleteAllContent(api, name);
  const conditions = mergeConditions(ns.status?.conditions, content.conditions);
  if (JSON.stringify(conditions) !== JSON.stringify(ns.status?.conditions ?? [])) {
    try {
      ns = await ctx.client.updateStatus(resources.namespaces, { ...ns, status: { ...ns.status, conditions } });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
  }
  if (content.errors.length) throw new Error(`namespace ${name}: ${content.errors.join('; ')}`);
  if (content.estimateSeconds > 0) {
    ctx.log.debug({ namespace: name, estimateSeconds: content.estimateSeconds }, `${controllerName}: content remains`);
    return { requeueAfter: (Math.floor(content.estimateSeconds / 2) + 1) * 1000 };
  }
  await finalize(ctx, api, ns);
  ctx.log.info({ namespace: name }, `${controllerName}: namespace content deleted; finalized`);
}

/** finalizeNamespace: spec.finalizers without ours, through /finalize. */
async function finalize(ctx: ControllerContext, api: RawApi, ns: KubeObject): Promise<void> {
  const body: KubeObject = { ...ns, spec: { ...ns.spec, finalizers: (ns.spec?.finalizers ?? []).filter((f: string) => f !== finalizerKubernetes) } };
  try {
    await api.finalizeNamespace(body);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    // kubelite's server may not serve namespaces/finalize yet (404): there, a plain update of a
    // terminating namespace may empty spec.finalizers. A 404 from it too means the namespace is gone.
    try {
      await ctx.client.update(resources.namespaces, body);
    } catch (fallbackErr) {
      if (!isNotFound(fallbackErr)) throw fallbackErr;
    }
  }
}
