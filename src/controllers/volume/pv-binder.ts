// The PersistentVolume binder (kube-controller-manager's `persistentvolume-binder-controller`,
// pkg/controller/volume/persistentvolume/pv_controller.go) for static and provisioned volumes:
// an unbound claim gets the smallest matching Available volume (class, access modes, volume
// mode, size, selector; pre-bound volumes first) and both sides are written as kube writes
// them — the volume's claimRef and Bound phase, the claim's volumeName, bind-completed and
// bound-by-controller annotations, Bound phase, capacity and access modes. A claim with no
// match waits (WaitForFirstConsumer classes until the scheduler picks a node) or is handed to
// its class's provisioner; a volume whose claim is gone becomes Released.
import {
  annBetaStorageProvisioner, annBindCompleted, annBoundByController, annSelectedNode, annStorageProvisioner, claimClass,
  findMatchingVolume, isDelayBinding, noProvisioner, volumeClaimedBy,
  type PersistentVolume, type PersistentVolumeClaim, type StorageClass,
} from '../../api/volumes.ts';
import { isConflict, isNotFound, objectKey, referenceTo, resources, type ResourceDescriptor } from '../../client/index.ts';
import type { ControllerDefinition } from '../types.ts';

export const controllerName = 'persistentvolume-binder-controller';
const component = 'persistentvolume-controller';

export const claimsResource = resources.persistentVolumeClaims as ResourceDescriptor<PersistentVolumeClaim>;
export const volumesResource = resources.persistentVolumes as ResourceDescriptor<PersistentVolume>;
export const classesResource = resources.storageClasses as ResourceDescriptor<StorageClass>;

const claimKey = (key: string) => `claim:${key}`;
const volumeKey = (name: string) => `volume:${name}`;

export const pvBinderController: ControllerDefinition = {
  name: controllerName,
  aliases: ['persistentvolume-binder'],
  workers: () => 1, // kube's binder runs one worker per queue
  setup(ctx, queue) {
    const claims = ctx.factory.informerFor(claimsResource);
    const volumes = ctx.factory.informerFor(volumesResource);
    const classes = ctx.factory.informerFor(classesResource);
    const recorder = ctx.recorder(component);
    const classOf = (name: string) => classes.store.get(name);

    const onClaim = (pvc: PersistentVolumeClaim) => {
      queue.add(claimKey(objectKey(pvc)));
      if (pvc.spec?.volumeName) queue.add(volumeKey(pvc.spec.volumeName));
    };
    const onVolume = (pv: PersistentVolume) => {
      queue.add(volumeKey(pv.metadata.name!));
      const ref = pv.spec?.claimRef;
      if (ref?.name) queue.add(claimKey(`${ref.namespace}/${ref.name}`));
      // A new or freed volume may satisfy a waiting claim (kube finds it on its periodic resync).
      for (const pvc of claims.store.list()) if (!pvc.spec?.volumeName) queue.add(claimKey(objectKey(pvc)));
    };
    claims.addEventHandler({ onAdd: onClaim, onUpdate: (_o, c) => onClaim(c), onDelete: onClaim });
    volumes.addEventHandler({ onAdd: onVolume, onUpdate: (_o, v) => onVolume(v), onDelete: onVolume });
    classes.addEventHandler({ onAdd: () => { for (const pvc of claims.store.list()) if (!pvc.spec?.volumeName) queue.add(claimKey(objectKey(pvc))); } });

    const event = (pvc: PersistentVolumeClaim, type: 'Normal' | 'Warning', reason: string, message: string) =>
      recorder.event(referenceTo(pvc, 'PersistentVolumeClaim', 'v1'), type, reason, message);

    async function setClaimPhase(pvc: PersistentVolumeClaim, phase: string, extra: Record<string, unknown> = {}): Promise<void> {
      if (pvc.status?.phase === phase && Object.entries(extra).every(([k, v]) => JSON.stringify(pvc.status?.[k]) === JSON.stringify(v))) return;
      await ctx.client.updateStatus(claimsResource, { ...pvc, status: { ...pvc.status, phase, ...extra } });
    }
    async function setVolumePhase(pv: PersistentVolume, phase: string, message?: string): Promise<void> {
      if (pv.status?.phase === phase) return;
      const status: PersistentVolume['status'] = { phase, lastPhaseTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
      if (message) status.message = message;
      await ctx.client.updateStatus(volumesResource, { ...pv, status });
    }

    /** bind: volume side first (claimRef, then Bound), then the claim (volumeName and annotations, then Bound). */
    async function bind(pv: PersistentVolume, pvc: PersistentVolumeClaim): Promise<void> {
      let volume = pv;
      if (!volumeClaimedBy(pv, pvc) || !pv.spec?.claimRef?.uid) {
        volume = await ctx.client.update(volumesResource, {
          ...pv,
          metadata: { ...pv.metadata, annotations: { ...pv.metadata.annotations, [annBoundByController]: 'yes' } },
          spec: { ...pv.spec, claimRef: { kind: 'PersistentVolumeClaim', namespace: pvc.metadata.namespace, name: pvc.metadata.name, uid: pvc.metadata.uid, apiVersion: 'v1', resourceVersion: pvc.metadata.resourceVersion } },
        });
      }
      await setVolumePhase(volume, 'Bound');
      let claim = pvc;
      if (pvc.spec?.volumeName !== pv.metadata.name || pvc.metadata.annotations?.[annBindCompleted] !== 'yes') {
        const annotations: Record<string, string> = { ...pvc.metadata.annotations, [annBindCompleted]: 'yes' };
        if (!pvc.spec?.volumeName) annotations[annBoundByController] = 'yes';
        claim = await ctx.client.update(claimsResource, { ...pvc, metadata: { ...pvc.metadata, annotations }, spec: { ...pvc.spec, volumeName: pv.metadata.name } });
      }
      await setClaimPhase(claim, 'Bound', { accessModes: pv.spec?.accessModes, capacity: { ...pv.spec?.capacity } });
    }

    /**
     * Retroactive default StorageClass assignment (kube 1.28+): a claim created with no
     * storageClassName while the cluster had no default class gets the default that appeared since.
     */
    async function assignDefaultClass(pvc: PersistentVolumeClaim): Promise<PersistentVolumeClaim | undefined> {
      if (pvc.spec?.storageClassName != null || pvc.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] !== undefined) return undefined;
      const defaults = classes.store.list().filter((c) => c.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true'
        || c.metadata.annotations?.['storageclass.beta.kubernetes.io/is-default-class'] === 'true');
      if (!defaults.length) return undefined;
      // GetDefaultClass: the newest default wins, ties by name.
      const chosen = defaults.sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '') || a.metadata.name!.localeCompare(b.metadata.name!))[0];
      return ctx.client.update(claimsResource, { ...pvc, spec: { ...pvc.spec, storageClassName: chosen.metadata.name } });
    }

    /** syncUnboundClaim for a claim that names no volume. */
    async function syncUnnamedClaim(pvc: PersistentVolumeClaim): Promise<void> {
      if (await assignDefaultClass(pvc)) return; // the update brings the claim back
      const delay = isDelayBinding(pvc, classOf);
      const pv = findMatchingVolume(pvc, volumes.store.list(), { delayBinding: delay });
      if (pv) return bind(pv, pvc);
      const cls = claimClass(pvc);
      if (delay && !pvc.metadata.annotations?.[annSelectedNode]) {
        event(pvc, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
      } else if (!cls) {
        event(pvc, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
      } else if (!classOf(cls)) {
        event(pvc, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${cls}" not found`);
      } else if (classOf(cls)!.provisioner !== noProvisioner) {
        const provisioner = classOf(cls)!.provisioner;
        if (pvc.metadata.annotations?.[annStorageProvisioner] !== provisioner) {
          // provisionClaim for an out-of-tree provisioner: name it on the claim, and let it work.
          const annotations = { ...pvc.metadata.annotations, [annStorageProvisioner]: provisioner, [annBetaStorageProvisioner]: provisioner };
          pvc = await ctx.client.update(claimsResource, { ...pvc, metadata: { ...pvc.metadata, annotations } });
        }
        event(pvc, 'Normal', 'ExternalProvisioning', `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`);
      } else {
        event(pvc, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
      }
      await setClaimPhase(pvc, 'Pending');
    }

    /** syncClaim: unbound claims are matched, bound ones kept in step with their volume. */
    async function syncClaim(pvc: PersistentVolumeClaim): Promise<void> {
      if (pvc.metadata.deletionTimestamp) return;
      const name = pvc.spec?.volumeName;
      const pv = name ? volumes.store.get(name) : undefined;
      if (pvc.metadata.annotations?.[annBindCompleted] !== 'yes') {
        if (!name) return syncUnnamedClaim(pvc);
        if (!pv) {
          event(pvc, 'Normal', 'FailedBinding', `volume "${name}" not found`);
          return setClaimPhase(pvc, 'Pending');
        }
        if (!pv.spec?.claimRef || volumeClaimedBy(pv, pvc)) return bind(pv, pvc);
        event(pvc, 'Warning', 'FailedBinding', `volume "${name}" already bound to a different claim.`);
        return setClaimPhase(pvc, 'Pending');
      }
      if (!name || !pv) {
        if (pvc.status?.phase !== 'Lost') event(pvc, 'Warning', 'ClaimLost', 'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!');
        return setClaimPhase(pvc, 'Lost');
      }
      if (!pv.spec?.claimRef) return bind(pv, pvc);
      if (pv.spec.claimRef.uid === pvc.metadata.uid) return bind(pv, pvc); // finishes a half-done bind; no-op when done
      if (pvc.status?.phase !== 'Lost') event(pvc, 'Warning', 'ClaimMisbound', 'Two claims are bound to the same volume, this one is bound incorrectly');
      return setClaimPhase(pvc, 'Lost');
    }

    /** syncVolume: Available without a claim, Bound with its claim, Released once the claim is gone. */
    async function syncVolume(pv: PersistentVolume): Promise<void> {
      const ref = pv.spec?.claimRef;
      if (!ref) return setVolumePhase(pv, 'Available');
      if (!ref.uid) return setVolumePhase(pv, 'Available'); // pre-bound by a user: the claim's sync binds it
      const pvc = claims.store.get(`${ref.namespace}/${ref.name}`);
      if (!pvc || pvc.metadata.uid !== ref.uid) {
        if (pv.status?.phase === 'Released' || pv.status?.phase === 'Failed') return;
        // Is the claim really gone, or is the informer behind? kube asks the API too.
        try {
          const fresh = await ctx.client.get(claimsResource, ref.name!, { namespace: ref.namespace });
          if (fresh.metadata.uid === ref.uid) return;
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
        return setVolumePhase(pv, 'Released');
      }
      if (!pvc.spec?.volumeName) return; // the claim's sync completes the bind
      if (pvc.spec.volumeName === pv.metadata.name) return setVolumePhase(pv, 'Bound');
      // The claim went to another volume: a volume the controller bound is freed again.
      if (pv.metadata.annotations?.[annBoundByController] === 'yes') {
        const annotations = { ...pv.metadata.annotations };
        delete annotations[annBoundByController];
        const freed = await ctx.client.update(volumesResource, { ...pv, metadata: { ...pv.metadata, annotations }, spec: { ...pv.spec, claimRef: null } });
        return setVolumePhase(freed, 'Available');
      }
      return setVolumePhase(pv, 'Released');
    }

    return {
      async reconcile(key) {
        try {
          if (key.startsWith('claim:')) {
            const pvc = claims.store.get(key.slice('claim:'.length));
            if (pvc) await syncClaim(pvc);
          } else {
            const pv = volumes.store.get(key.slice('volume:'.length));
            if (pv) await syncVolume(pv);
          }
        } catch (err) {
          // A stale cache: the informer brings the newer object and wakes this key again.
          if (isConflict(err) || isNotFound(err)) return;
          throw err;
        }
      },
    };
  },
};
