// The ephemeral volume controller (kube-controller-manager's `ephemeral-volume-controller`,
// pkg/controller/volume/ephemeral): a pod's generic ephemeral volume gets its claim
// `<pod>-<volume>`, made from volumeClaimTemplate and owned by the pod (controller,
// blockOwnerDeletion), so the garbage collector deletes it with the pod. A claim of that name
// the pod does not own is left alone: the scheduler keeps such a pod Pending.
import type { KubeObject } from '../../api/types.ts';
import { isAlreadyExists, objectKey, referenceTo, resources } from '../../client/index.ts';
import type { Pod } from '../../api/core-v1.ts';
import { podInformer } from '../informers.ts';
import type { ControllerDefinition } from '../types.ts';
import { claimsResource } from './pv-binder.ts';

export const controllerName = 'ephemeral-volume-controller';

interface EphemeralVolume {
  name: string;
  ephemeral?: { volumeClaimTemplate?: { metadata?: KubeObject['metadata']; spec?: Record<string, unknown> } };
}

const ephemeralVolumes = (pod: Pod) => (((pod.spec as { volumes?: EphemeralVolume[] } | undefined)?.volumes ?? [])).filter((v) => v.ephemeral);

export const ephemeralVolumeController: ControllerDefinition = {
  name: controllerName,
  aliases: ['ephemeral-volume'],
  workers: () => 5,
  setup(ctx, queue) {
    const pods = podInformer(ctx.factory);
    const claims = ctx.factory.informerFor(claimsResource);
    const recorder = ctx.recorder(controllerName);
    const enqueue = (pod: Pod) => {
      if (!pod.metadata.deletionTimestamp && ephemeralVolumes(pod).length) queue.add(objectKey(pod));
    };
    pods.addEventHandler({ onAdd: enqueue, onUpdate: (_o, p) => enqueue(p) });
    // A deleted claim of a live pod is made again.
    claims.addEventHandler({ onDelete: (pvc) => {
      const owner = pvc.metadata.ownerReferences?.find((o) => o.controller && o.kind === 'Pod');
      if (owner) queue.add(`${pvc.metadata.namespace}/${owner.name}`);
    } });
    return {
      async reconcile(key) {
        const pod = pods.store.get(key);
        if (!pod || pod.metadata.deletionTimestamp) return;
        for (const volume of ephemeralVolumes(pod)) {
          const name = `${pod.metadata.name}-${volume.name}`;
          const existing = claims.store.get(`${pod.metadata.namespace}/${name}`);
          if (existing) {
            if (!existing.metadata.ownerReferences?.some((o) => o.controller && o.uid === pod.metadata.uid)) {
              recorder.event(referenceTo(pod, 'Pod', 'v1'), 'Warning', 'FailedBinding', `PVC ${pod.metadata.namespace}/${name} was not created for pod ${pod.metadata.namespace}/${pod.metadata.name} (pod is not owner)`);
            }
            continue;
          }
          const template = volume.ephemeral?.volumeClaimTemplate ?? {};
          const claim: KubeObject = {
            apiVersion: 'v1', kind: 'PersistentVolumeClaim',
            metadata: {
              name, namespace: pod.metadata.namespace,
              labels: template.metadata?.labels, annotations: template.metadata?.annotations,
              ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name!, uid: pod.metadata.uid!, controller: true, blockOwnerDeletion: true }],
            },
            spec: structuredClone(template.spec ?? {}),
          };
          try {
            await ctx.client.create(resources.persistentVolumeClaims, claim, { namespace: pod.metadata.namespace });
          } catch (err) {
            if (!isAlreadyExists(err)) throw err;
          }
        }
      },
    };
  },
};
