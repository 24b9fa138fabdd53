// The storage object in-use protection controllers (kube-controller-manager's
// `persistentvolumeclaim-protection-controller` and `persistentvolume-protection-controller`,
// pkg/controller/volume/pvcprotection, pvprotection): every claim carries the
// kubernetes.io/pvc-protection finalizer and every volume kubernetes.io/pv-protection; a claim
// being deleted keeps it while a pod that is not finished still uses it, a volume while it is Bound.
import type { KubeObject } from '../../api/types.ts';
import { podClaimNames } from '../../api/volumes.ts';
import { isConflict, isNotFound, objectKey, resources, type ResourceDescriptor } from '../../client/index.ts';
import type { Pod } from '../../api/core-v1.ts';
import { podInformer } from '../informers.ts';
import type { ControllerContext, ControllerDefinition } from '../types.ts';
import { claimsResource, volumesResource } from './pv-binder.ts';

export const pvcProtectionFinalizer = 'kubernetes.io/pvc-protection';
export const pvProtectionFinalizer = 'kubernetes.io/pv-protection';

/** Adds or removes `finalizer`, guarded by the object's resourceVersion. */
async function setFinalizer(ctx: ControllerContext, res: ResourceDescriptor, obj: KubeObject, finalizer: string, present: boolean): Promise<void> {
  const current = obj.metadata.finalizers ?? [];
  if (current.includes(finalizer) === present) return;
  const finalizers = present ? [...current, finalizer] : current.filter((f) => f !== finalizer);
  try {
    await ctx.client.patch(res, obj.metadata.name!, 'merge', { metadata: { finalizers, resourceVersion: obj.metadata.resourceVersion } }, { namespace: obj.metadata.namespace });
  } catch (err) {
    if (!isNotFound(err) && !isConflict(err)) throw err; // a conflict: the newer version comes back through the informer
  }
}

const podUsesClaim = (pod: Pod, claim: string) =>
  pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed' && podClaimNames(pod).some((c) => c.name === claim);

export const pvcProtectionController: ControllerDefinition = {
  name: 'persistentvolumeclaim-protection-controller',
  aliases: ['pvc-protection'],
  workers: () => 1,
  setup(ctx, queue) {
    const claims = ctx.factory.informerFor(claimsResource);
    const pods = podInformer(ctx.factory);
    claims.addEventHandler({ onAdd: (c) => queue.add(objectKey(c)), onUpdate: (_o, c) => queue.add(objectKey(c)) });
    // A pod that finishes or goes may free the claims it used.
    const onPod = (pod: Pod) => { for (const c of podClaimNames(pod)) queue.add(`${pod.metadata.namespace}/${c.name}`); };
    pods.addEventHandler({ onUpdate: (_o, p) => onPod(p), onDelete: onPod });
    return {
      async reconcile(key) {
        const pvc = claims.store.get(key);
        if (!pvc) return;
        if (!pvc.metadata.deletionTimestamp) return setFinalizer(ctx, claimsResource, pvc, pvcProtectionFinalizer, true);
        if (!pvc.metadata.finalizers?.includes(pvcProtectionFinalizer)) return;
        // isBeingUsed: the informer first; kube then confirms with a live LIST, as the cache may lag a new pod.
        const inCache = pods.store.byNamespace(pvc.metadata.namespace!).some((p) => podUsesClaim(p, pvc.metadata.name!));
        if (inCache) return;
        const live = await ctx.client.list(resources.pods as ResourceDescriptor<Pod>, { namespace: pvc.metadata.namespace });
        if (live.items.some((p) => podUsesClaim(p, pvc.metadata.name!))) return;
        await setFinalizer(ctx, claimsResource, pvc, pvcProtectionFinalizer, false);
      },
    };
  },
};

export const pvProtectionController: ControllerDefinition = {
  name: 'persistentvolume-protection-controller',
  aliases: ['pv-protection'],
  workers: () => 1,
  setup(ctx, queue) {
    const volumes = ctx.factory.informerFor(volumesResource);
    volumes.addEventHandler({ onAdd: (v) => queue.add(objectKey(v)), onUpdate: (_o, v) => queue.add(objectKey(v)) });
    return {
      async reconcile(key) {
        const pv = volumes.store.get(key);
        if (!pv) return;
        if (!pv.metadata.deletionTimestamp) return setFinalizer(ctx, volumesResource, pv, pvProtectionFinalizer, true);
        if (pv.status?.phase === 'Bound') return; // isBeingUsed
        await setFinalizer(ctx, volumesResource, pv, pvProtectionFinalizer, false);
      },
    };
  },
};
