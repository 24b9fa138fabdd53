// PersistentVolume ↔ PersistentVolumeClaim matching, shared by the PV binder (controllers/)
// and the scheduler's volume binding (scheduler/), as kube shares pkg/controller/volume/
// persistentvolume/util between the two: FindMatchingVolume's rules (class, access modes,
// volume mode, size, selector, node affinity, pre-binding) and the annotations both write.
import type { NodeSelectorTerm } from './core-v1.ts';
import { labelMatcher, type LabelSelector } from './label-selector.ts';
import { termMatches } from './node-predicates.ts';
import type { KubeObject } from './types.ts';

export const annBindCompleted = 'pv.kubernetes.io/bind-completed';
export const annBoundByController = 'pv.kubernetes.io/bound-by-controller';
export const annSelectedNode = 'volume.kubernetes.io/selected-node';
export const annStorageProvisioner = 'volume.kubernetes.io/storage-provisioner';
export const annBetaStorageProvisioner = 'volume.beta.kubernetes.io/storage-provisioner';
export const annProvisionedBy = 'pv.kubernetes.io/provisioned-by';
const annBetaClass = 'volume.beta.kubernetes.io/storage-class';
/** The provisioner of a class whose volumes are only ever created by hand. */
export const noProvisioner = 'kubernetes.io/no-provisioner';


export interface PersistentVolume extends KubeObject {
  spec?: {
    capacity?: { storage?: string | number };
    accessModes?: string[];
    storageClassName?: string;
    volumeMode?: string;
    claimRef?: { kind?: string; apiVersion?: string; namespace?: string; name?: string; uid?: string; resourceVersion?: string } | null;
    persistentVolumeReclaimPolicy?: string;
    nodeAffinity?: { required?: { nodeSelectorTerms?: NodeSelectorTerm[] } };
    csi?: { driver: string; volumeHandle: string };
    [source: string]: unknown;
  };
  status?: { phase?: string; message?: string; reason?: string; lastPhaseTransitionTime?: string };
}

export interface PersistentVolumeClaim extends KubeObject {
  spec?: {
    accessModes?: string[];
    resources?: { requests?: { storage?: string | number } };
    storageClassName?: string | null;
    volumeName?: string;
    volumeMode?: string;
    selector?: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] } | null;
  };
  status?: { phase?: string; accessModes?: string[]; capacity?: Record<string, string>; [field: string]: unknown };
}

export interface StorageClass extends KubeObject {
  provisioner: string;
  reclaimPolicy?: string;
  volumeBindingMode?: string;
  allowedTopologies?: { matchLabelExpressions?: { key: string; values: string[] }[] }[];
  parameters?: Record<string, string>;
}

const binary: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const decimal: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, m: 1e-3 };

/** A storage quantity in bytes (NaN when unparsable). */
export function storageBytes(q: string | number | undefined): number {
  if (typeof q === 'number') return q;
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|[kMGTPEm]|[eE]\d+)?$/.exec((q ?? '').trim());
  if (!m) return NaN;
  const suffix = m[2] ?? '';
  const scale = binary[suffix] ?? decimal[suffix] ?? 10 ** Number(suffix.slice(1));
  return Number(m[1]) * scale;
}

/** GetPersistentVolumeClaimClass / GetPersistentVolumeClass: the beta annotation wins over the field. */
export function claimClass(pvc: PersistentVolumeClaim): string {
  return pvc.metadata.annotations?.[annBetaClass] ?? pvc.spec?.storageClassName ?? '';
}
export function volumeClass(pv: PersistentVolume): string {
  return pv.metadata.annotations?.[annBetaClass] ?? pv.spec?.storageClassName ?? '';
}

export function claimRequest(pvc: PersistentVolumeClaim): number {
  return storageBytes(pvc.spec?.resources?.requests?.storage);
}

type ClaimSelector = NonNullable<PersistentVolumeClaim['spec']>['selector'];

/** A volume's labels against a claim's selector (metav1.LabelSelector; none selects every volume). */
function selectorMatches(selector: ClaimSelector, labels: Record<string, string>): boolean {
  return !selector || labelMatcher(selector as LabelSelector)(labels);
}

/** CheckNodeAffinity: a volume without node affinity fits every node. */
export function volumeFitsNode(pv: PersistentVolume, node: { metadata: { name?: string; labels?: Record<string, string> } }): boolean {
  const terms = pv.spec?.nodeAffinity?.required?.nodeSelectorTerms;
  if (!terms) return true;
  const target = { name: node.metadata.name ?? '', labels: node.metadata.labels ?? {} };
  return terms.some((t) => termMatches(t, target));
}

/** The claim a volume is bound or pre-bound to is this one (by uid when the volume names one). */
export function volumeClaimedBy(pv: PersistentVolume, pvc: PersistentVolumeClaim): boolean {
  const ref = pv.spec?.claimRef;
  return !!ref && ref.name === pvc.metadata.name && ref.namespace === pvc.metadata.namespace && (!ref.uid || ref.uid === pvc.metadata.uid);
}

/**
 * FindMatchingVolume: the smallest volume that satisfies the claim — pre-bound volumes to it
 * first — or undefined. With `delayBinding`, volumes not pre-bound are left to the scheduler;
 * `node` limits the search to volumes that fit that node.
 */
export function findMatchingVolume(pvc: PersistentVolumeClaim, volumes: PersistentVolume[], opts: { delayBinding?: boolean; node?: { metadata: { name?: string; labels?: Record<string, string> } }; exclude?: Set<string> } = {}): PersistentVolume | undefined {
  const request = claimRequest(pvc);
  const cls = claimClass(pvc);
  const modes = pvc.spec?.accessModes ?? [];
  const mode = pvc.spec?.volumeMode ?? 'Filesystem';
  let best: PersistentVolume | undefined;
  for (const pv of volumes) {
    if (opts.exclude?.has(pv.metadata.name!)) continue;
    const size = storageBytes(pv.spec?.capacity?.storage);
    if (!(size >= request)) continue;
    if ((pv.spec?.volumeMode ?? 'Filesystem') !== mode) continue;
    if (pv.metadata.deletionTimestamp) continue;
    if (opts.node && !volumeFitsNode(pv, opts.node)) continue;
    if (volumeClaimedBy(pv, pvc)) {
      if (!modes.every((m) => pv.spec?.accessModes?.includes(m))) continue;
      return pv; // pre-bound to this claim: it wins whatever its size
    }
    if (pv.spec?.claimRef) continue;
    if (pv.status?.phase && pv.status.phase !== 'Available' && pv.status.phase !== 'Pending') continue;
    if (opts.delayBinding && !opts.node) continue;
    if (volumeClass(pv) !== cls) continue;
    if (!selectorMatches(pvc.spec?.selector, pv.metadata.labels ?? {})) continue;
    if (!modes.every((m) => pv.spec?.accessModes?.includes(m))) continue;
    if (!best || size < storageBytes(best.spec?.capacity?.storage)) best = pv;
  }
  return best;
}

/** IsDelayBindingMode: the claim's class binds on the first consumer. */
export function isDelayBinding(pvc: PersistentVolumeClaim, classes: (name: string) => StorageClass | undefined): boolean {
  const cls = claimClass(pvc);
  return !!cls && classes(cls)?.volumeBindingMode === 'WaitForFirstConsumer';
}

/** The claims a pod's volumes use: persistentVolumeClaim sources, and `<pod>-<volume>` for generic ephemeral volumes. */
export function podClaimNames(pod: KubeObject): { name: string; ephemeral: boolean }[] {
  const volumes = (pod.spec?.volumes ?? []) as { name: string; persistentVolumeClaim?: { claimName: string }; ephemeral?: unknown }[];
  return volumes.flatMap((v): { name: string; ephemeral: boolean }[] => v.persistentVolumeClaim ? [{ name: v.persistentVolumeClaim.claimName, ephemeral: false }]
    : v.ephemeral ? [{ name: `${pod.metadata.name}-${v.name}`, ephemeral: true }] : []);
}
