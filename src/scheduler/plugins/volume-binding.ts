// VolumeBinding (kube-scheduler's volumebinding plugin): a pod's claims decide where it may
// go. PreFilter rejects the pod outright while a claim is missing, being deleted, or unbound
// in an Immediate class ("pod has unbound immediate PersistentVolumeClaims" — the PV binder
// must bind it first). Filter checks per node that bound volumes' node affinity admits it and
// that every WaitForFirstConsumer claim can be met there: by an Available volume that fits
// the node, or by its class's provisioner. The decisions for the chosen node are carried out
// before binding by volume-binder.ts (PreBind).
import {
  annSelectedNode, findMatchingVolume, isDelayBinding, noProvisioner, podClaimNames, volumeFitsNode,
  type PersistentVolume, type PersistentVolumeClaim, type StorageClass,
} from '../../api/volumes.ts';
import { unresolvable, type FilterPlugin } from '../framework.ts';
import type { NodeInfo } from '../node-info.ts';
import type { Pod } from '../../api/core-v1.ts';

export const pluginName = 'VolumeBinding';
export const errReasonBindConflict = "node(s) didn't find available persistent volumes to bind";
export const errReasonNodeConflict = 'node(s) had volume node affinity conflict';
export const errReasonPVNotExist = 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)';
export const errUnboundImmediate = 'pod has unbound immediate PersistentVolumeClaims';

/** What the plugin reads: the scheduler's PVC, PV and StorageClass informers. */
export interface VolumeLister {
  claim(namespace: string, name: string): PersistentVolumeClaim | undefined;
  volume(name: string): PersistentVolume | undefined;
  volumes(): PersistentVolume[];
  storageClass(name: string): StorageClass | undefined;
}

/** How a delayed claim will be met on a node: a volume to pre-bind, or provisioning. */
export type ClaimDecision = { claim: PersistentVolumeClaim; volume?: PersistentVolume };

export interface PodClaims {
  bound: { claim: PersistentVolumeClaim; volume?: PersistentVolume }[];
  delayed: PersistentVolumeClaim[];
}

/** GetPodVolumeClaims: the pod's claims sorted into bound and WaitForFirstConsumer, or the PreFilter rejection. */
export function podClaims(pod: Pod, lister: VolumeLister): PodClaims | string {
  const ns = pod.metadata.namespace!;
  const result: PodClaims = { bound: [], delayed: [] };
  for (const { name, ephemeral } of podClaimNames(pod)) {
    const claim = lister.claim(ns, name);
    if (!claim) return ephemeral ? `waiting for ephemeral volume controller to create the persistentvolumeclaim "${name}"` : `persistentvolumeclaim "${name}" not found`;
    if (claim.metadata.deletionTimestamp) return `persistentvolumeclaim "${name}" is being deleted`;
    if (ephemeral && !claim.metadata.ownerReferences?.some((o) => o.controller && o.uid === pod.metadata.uid)) {
      return `PVC ${ns}/${name} was not created for pod ${ns}/${pod.metadata.name} (pod is not owner)`;
    }
    if (claim.spec?.volumeName) result.bound.push({ claim, volume: lister.volume(claim.spec.volumeName) });
    else if (isDelayBinding(claim, (c) => lister.storageClass(c))) result.delayed.push(claim);
    else return errUnboundImmediate;
  }
  return result;
}

/** FindPodVolumes for one node: the decisions for its delayed claims, or why it does not fit. */
export function findPodVolumes(claims: PodClaims, node: NodeInfo, lister: VolumeLister): ClaimDecision[] | string {
  const k8sNode = { metadata: { name: node.name, labels: node.labels } };
  for (const { volume } of claims.bound) {
    if (!volume) return errReasonPVNotExist;
    if (!volumeFitsNode(volume, k8sNode)) return errReasonNodeConflict;
  }
  const decisions: ClaimDecision[] = [];
  const taken = new Set<string>();
  for (const claim of claims.delayed) {
    const selected = claim.metadata.annotations?.[annSelectedNode];
    const volume = findMatchingVolume(claim, lister.volumes(), { delayBinding: true, node: k8sNode, exclude: taken });
    if (volume) {
      taken.add(volume.metadata.name!);
      decisions.push({ claim, volume });
      continue;
    }
    const cls = lister.storageClass(claim.spec?.storageClassName ?? '');
    const topologyFits = !cls?.allowedTopologies?.length || cls.allowedTopologies.some((t) =>
      (t.matchLabelExpressions ?? []).every((e) => e.values.includes(node.labels[e.key])));
    if (!cls || cls.provisioner === noProvisioner || !topologyFits || (selected && selected !== node.name)) return errReasonBindConflict;
    decisions.push({ claim });
  }
  return decisions;
}

/** The plugin over the scheduler's listers. */
export function volumeBinding(lister: VolumeLister): FilterPlugin {
  return {
    name: pluginName,
    preFilter({ pod }) {
      if (podClaimNames(pod.pod).length === 0) return undefined; // Skip
      const claims = podClaims(pod.pod, lister);
      if (typeof claims === 'string') return unresolvable(pluginName, claims);
      if (!claims.bound.length && !claims.delayed.length) return undefined;
      return (node) => {
        const found = findPodVolumes(claims, node, lister);
        return typeof found === 'string' ? unresolvable(pluginName, found) : undefined;
      };
    },
  };
}
