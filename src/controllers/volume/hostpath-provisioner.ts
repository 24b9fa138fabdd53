// kubelite's simulated dynamic provisioner, `kubelite.io/hostpath` — in the manner of
// rancher's local-path-provisioner or kind's `standard` class: it runs beside the controller
// manager as an external provisioner does (sig-storage external-provisioner semantics). A
// claim the binder handed to it (volume.kubernetes.io/storage-provisioner) gets a hostPath
// PersistentVolume `pvc-<claim uid>` of the requested size, pre-bound to the claim, pinned by
// node affinity to the node the scheduler selected (WaitForFirstConsumer); a Released volume
// it made with reclaim policy Delete is deleted. At start it creates the default StorageClass
// `standard` when the cluster has no StorageClass of that name and no other default (kubelite
// creates no objects in the API server for it, so this works against any API server).
import type { KubeObject } from '../../api/types.ts';
import {
  annProvisionedBy, annSelectedNode, annStorageProvisioner, claimClass,
  type PersistentVolume, type PersistentVolumeClaim, type StorageClass,
} from '../../api/volumes.ts';
import { isAlreadyExists, isNotFound, objectKey, referenceTo } from '../../client/index.ts';
import type { ControllerContext, ControllerDefinition } from '../types.ts';
import { claimsResource, classesResource, volumesResource } from './pv-binder.ts';

export const controllerName = 'kubelite-hostpath-provisioner';
export const provisionerName = 'kubelite.io/hostpath';
export const defaultClassName = 'standard';
const isDefaultClass = 'storageclass.kubernetes.io/is-default-class';
const volumesDir = '/var/lib/kubelite/volumes';

export const defaultStorageClass: StorageClass = {
  apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass',
  metadata: { name: defaultClassName, annotations: { [isDefaultClass]: 'true' } },
  provisioner: provisionerName, reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer',
};

/** The volume provisioned for a claim on a node. */
export function provisionedVolume(pvc: PersistentVolumeClaim, cls: StorageClass, node: string | undefined): PersistentVolume {
  const name = `pvc-${pvc.metadata.uid}`;
  const pv: PersistentVolume = {
    apiVersion: 'v1', kind: 'PersistentVolume',
    metadata: { name, annotations: { [annProvisionedBy]: provisionerName } },
    spec: {
      capacity: { storage: pvc.spec?.resources?.requests?.storage },
      accessModes: pvc.spec?.accessModes,
      volumeMode: pvc.spec?.volumeMode ?? 'Filesystem',
      storageClassName: claimClass(pvc),
      persistentVolumeReclaimPolicy: cls.reclaimPolicy ?? 'Delete',
      hostPath: { path: `${volumesDir}/${name}_${pvc.metadata.namespace}_${pvc.metadata.name}`, type: 'DirectoryOrCreate' },
      claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: pvc.metadata.namespace, name: pvc.metadata.name, uid: pvc.metadata.uid, resourceVersion: pvc.metadata.resourceVersion },
    },
  };
  if (node) pv.spec!.nodeAffinity = { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } };
  return pv;
}

async function ensureDefaultClass(ctx: ControllerContext): Promise<void> {
  try {
    await ctx.client.get(classesResource, defaultClassName);
    return;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  const { items } = await ctx.client.list(classesResource);
  if (items.some((c) => c.metadata.annotations?.[isDefaultClass] === 'true')) return;
  try {
    await ctx.client.create(classesResource, structuredClone(defaultStorageClass));
    ctx.log.info({ storageClass: defaultClassName }, `${controllerName}: created the default StorageClass`);
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
}

export const hostPathProvisionerController: ControllerDefinition = {
  name: controllerName,
  workers: () => 2,
  setup(ctx, queue) {
    const claims = ctx.factory.informerFor(claimsResource);
    const volumes = ctx.factory.informerFor(volumesResource);
    const classes = ctx.factory.informerFor(classesResource);
    const recorder = ctx.recorder(`${provisionerName}_kubelite`);
    claims.addEventHandler({ onAdd: (c) => queue.add(`claim:${objectKey(c)}`), onUpdate: (_o, c) => queue.add(`claim:${objectKey(c)}`) });
    volumes.addEventHandler({ onAdd: (v) => queue.add(`volume:${v.metadata.name}`), onUpdate: (_o, v) => queue.add(`volume:${v.metadata.name}`) });

    async function provision(pvc: PersistentVolumeClaim): Promise<void> {
      if (pvc.metadata.annotations?.[annStorageProvisioner] !== provisionerName || pvc.spec?.volumeName || pvc.metadata.deletionTimestamp) return;
      const cls = classes.store.get(claimClass(pvc));
      if (!cls || cls.provisioner !== provisionerName) return;
      const node = pvc.metadata.annotations?.[annSelectedNode];
      if (cls.volumeBindingMode === 'WaitForFirstConsumer' && !node) return;
      const pv = provisionedVolume(pvc, cls, node);
      if (volumes.store.get(pv.metadata.name!)) return;
      const ref = referenceTo(pvc as KubeObject, 'PersistentVolumeClaim', 'v1');
      recorder.event(ref, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${objectKey(pvc)}"`);
      try {
        await ctx.client.create(volumesResource, pv);
      } catch (err) {
        if (isAlreadyExists(err)) return;
        recorder.event(ref, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${cls.metadata.name}": ${(err as Error).message}`);
        throw err;
      }
      recorder.event(ref, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${pv.metadata.name}`);
    }

    /** The Delete reclaim policy for the volumes it made. */
    async function reclaim(pv: PersistentVolume): Promise<void> {
      if (pv.metadata.annotations?.[annProvisionedBy] !== provisionerName || pv.status?.phase !== 'Released') return;
      if (pv.spec?.persistentVolumeReclaimPolicy !== 'Delete' || pv.metadata.deletionTimestamp) return;
      try {
        await ctx.client.delete(volumesResource, pv.metadata.name!, { preconditions: { uid: pv.metadata.uid } });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }

    return {
      start() {
        ensureDefaultClass(ctx).catch((err) => ctx.log.warn({ err: String(err) }, `${controllerName}: creating the default StorageClass failed`));
      },
      async reconcile(key) {
        if (key.startsWith('claim:')) {
          const pvc = claims.store.get(key.slice('claim:'.length));
          if (pvc) await provision(pvc);
        } else {
          const pv = volumes.store.get(key.slice('volume:'.length));
          if (pv) await reclaim(pv);
        }
      },
    };
  },
};
