// core/v1 PersistentVolume and PersistentVolumeClaim: their defaults and strategies
// (pkg/registry/core/persistentvolume{,claim}), the common rules of ValidatePersistentVolume /
// ValidatePersistentVolumeClaim{,Update}, and the printers' columns.
import { field, type FieldError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/types.ts';
import { deepCopy, jsonEqual, nowTimestamp } from '../object-meta.ts';
import { allVerbs, type ResourceDef } from '../types.ts';
import { accessModesString, ageColumn, column, wideColumn } from './core-columns.ts';
import { compareQuantities, quantityString } from '../../api/quantity.ts';
import { keyPath } from './core-validation.ts';
import { arrayOf, isObject } from './podspec.ts';
import { specDiff } from './core-diff.ts';

const accessModes = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const betaStorageClassAnnotation = 'volume.beta.kubernetes.io/storage-class';

function validateAccessModes(modes: unknown, path: string, requiredDetail: string): FieldError[] {
  const list = arrayOf(modes);
  if (list.length === 0) return [field.required(path, requiredDetail)];
  const errs = list.filter((m) => !accessModes.includes(m)).map((m) => field.notSupported(path, m, accessModes));
  if (list.includes('ReadWriteOncePod') && list.length > 1) {
    errs.push(field.forbidden(path, 'may not use ReadWriteOncePod with other access modes'));
  }
  return errs;
}

// ---- PersistentVolume ----

/** The volume sources of a PersistentVolumeSpec (one must be set). */
const pvSources = ['gcePersistentDisk', 'awsElasticBlockStore', 'hostPath', 'glusterfs', 'nfs', 'rbd', 'iscsi', 'cinder', 'cephfs',
  'fc', 'flocker', 'flexVolume', 'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'portworxVolume',
  'scaleIO', 'local', 'storageos', 'csi'];

function defaultPV(pv: KubeObject): void {
  pv.spec ??= {};
  pv.spec.persistentVolumeReclaimPolicy ||= 'Retain';
  pv.spec.volumeMode ??= 'Filesystem';
  if (isObject(pv.spec.hostPath)) pv.spec.hostPath.type ??= '';
  pv.status ??= {};
  pv.status.phase ||= 'Pending';
}

function validatePV(pv: KubeObject): FieldError[] {
  const spec = pv.spec ?? {};
  const errs = validateAccessModes(spec.accessModes, 'spec.accessModes', '');
  const capacity = isObject(spec.capacity) ? spec.capacity : {};
  if (Object.keys(capacity).length === 0) errs.push(field.required('spec.capacity', ''));
  if (!('storage' in capacity) || Object.keys(capacity).length > 1) errs.push(field.notSupported('spec.capacity', capacity, ['storage']));
  const reclaim = spec.persistentVolumeReclaimPolicy;
  if (reclaim && !['Delete', 'Recycle', 'Retain'].includes(reclaim)) {
    errs.push(field.notSupported('spec.persistentVolumeReclaimPolicy', reclaim, ['Delete', 'Recycle', 'Retain']));
  }
  const sources = pvSources.filter((s) => isObject(spec[s]));
  if (sources.length === 0) errs.push(field.required('spec', 'must specify a volume type'));
  else if (sources.length > 1) errs.push(field.forbidden(`spec.${sources[1]}`, 'may not specify more than 1 volume type'));
  if (spec.volumeMode && !['Block', 'Filesystem'].includes(spec.volumeMode)) {
    errs.push(field.notSupported('spec.volumeMode', spec.volumeMode, ['Block', 'Filesystem']));
  }
  return errs;
}

/** ValidatePersistentVolumeUpdate: the volume source and volumeMode are fixed. */
function validatePVUpdate(pv: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const source = (o: KubeObject) => Object.fromEntries(pvSources.filter((s) => o.spec?.[s] !== undefined).map((s) => [s, o.spec[s]]));
  if (!jsonEqual(source(pv), source(old))) {
    errs.push(field.forbidden('spec.persistentvolumesource', 'spec.persistentvolumesource is immutable after creation\n' +
      specDiff(source(old), source(pv), 'core.PersistentVolumeSource')));
  }
  // kube's path really is `volumeMode`, without `spec.`
  if (pv.spec?.volumeMode !== old.spec?.volumeMode) errs.push(field.invalid('volumeMode', pv.spec?.volumeMode, 'field is immutable'));
  return errs;
}

function pvClass(o: KubeObject): string {
  return o.metadata.annotations?.[betaStorageClassAnnotation] ?? o.spec?.storageClassName ?? '';
}

export const persistentVolumeResource: ResourceDef = {
  group: '', version: 'v1', kind: 'PersistentVolume', plural: 'persistentvolumes', singular: 'persistentvolume',
  shortNames: ['pv'], categories: [], namespaced: false, verbs: allVerbs, subresources: ['status'],
  schema: 'io.k8s.api.core.v1.PersistentVolume',
  columns: [
    column('Capacity', 'string', 'capacity is the description of the persistent volume\'s resources and capacity.',
      (o) => quantityString(o.spec?.capacity?.storage)),
    column('Access Modes', 'string', 'accessModes contains all ways the volume can be mounted.', (o) => accessModesString(o.spec?.accessModes)),
    column('Reclaim Policy', 'string', 'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.',
      (o) => o.spec?.persistentVolumeReclaimPolicy ?? ''),
    column('Status', 'string', 'phase indicates if a volume is available, bound to a claim, or released by a claim.',
      (o) => (o.metadata.deletionTimestamp ? 'Terminating' : o.status?.phase ?? '')),
    column('Claim', 'string', 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.',
      (o) => (isObject(o.spec?.claimRef) ? `${o.spec.claimRef.namespace ?? ''}/${o.spec.claimRef.name ?? ''}` : '')),
    column('StorageClass', 'string', 'StorageClass of the pv', pvClass),
    column('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pv', (o) => o.spec?.volumeAttributesClassName ?? '<unset>'),
    column('Reason', 'string', 'reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.',
      (o) => o.status?.reason ?? ''),
    ageColumn,
    wideColumn('VolumeMode', 'string', 'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.',
      (o) => o.spec?.volumeMode ?? '<unset>'),
  ],
  strategy: {
    defaults: defaultPV,
    // persistentvolumeStrategy.PrepareForCreate: status reset to Pending with its transition time.
    prepareForCreate: (pv) => {
      pv.status = { phase: 'Pending', lastPhaseTransitionTime: nowTimestamp() };
    },
    validate: validatePV,
    validateUpdate: validatePVUpdate,
    status: {
      prepareForUpdate: (pv, old) => {
        pv.status ??= {};
        pv.status.phase ||= 'Pending';
        if (pv.status.phase !== old.status?.phase) pv.status.lastPhaseTransitionTime = nowTimestamp();
      },
    },
  },
};

// ---- PersistentVolumeClaim ----

function defaultPVC(pvc: KubeObject): void {
  pvc.spec ??= {};
  pvc.spec.volumeMode ??= 'Filesystem';
  pvc.spec.resources ??= {};
  pvc.status ??= {};
  pvc.status.phase ||= 'Pending';
}

function validatePVC(pvc: KubeObject): FieldError[] {
  const spec = pvc.spec ?? {};
  const errs = validateAccessModes(spec.accessModes, 'spec.accessModes', 'at least 1 access mode is required');
  const path = keyPath('spec.resources', 'storage');
  const storage = spec.resources?.requests?.storage;
  if (storage === undefined) errs.push(field.required(path, ''));
  else if (compareQuantities(storage, 0) <= 0) errs.push(field.invalid(path, String(storage), 'must be greater than zero'));
  if (spec.volumeMode && !['Block', 'Filesystem'].includes(spec.volumeMode)) {
    errs.push(field.notSupported('spec.volumeMode', spec.volumeMode, ['Block', 'Filesystem']));
  }
  return errs;
}

/** ValidatePersistentVolumeClaimUpdate: only a bound claim's storage request (growing) and an unset volumeName may change. */
function validatePVCUpdate(pvc: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const next = deepCopy(pvc.spec ?? {});
  const prev = old.spec ?? {};
  if (!prev.volumeName && next.volumeName) delete next.volumeName;
  // Retroactive default StorageClass assignment (GA in 1.28): an unset class may be set once.
  if (prev.storageClassName == null && next.storageClassName != null) delete next.storageClassName;
  const bound = old.status?.phase === 'Bound';
  if (bound && next.resources?.requests?.storage !== undefined) {
    const newSize = next.resources.requests.storage;
    if (old.status?.capacity?.storage !== undefined && compareQuantities(newSize, old.status.capacity.storage) < 0) {
      errs.push(field.forbidden('spec.resources.requests.storage', 'field can not be less than status.capacity'));
    }
    next.resources.requests.storage = prev.resources?.requests?.storage;
  }
  next.volumeAttributesClassName = prev.volumeAttributesClassName;
  if (next.volumeAttributesClassName === undefined) delete next.volumeAttributesClassName;
  const prevComparable = { ...prev };
  if (!prev.volumeName && pvc.spec?.volumeName) delete prevComparable.volumeName;
  if (prev.storageClassName == null) delete prevComparable.storageClassName;
  if (!jsonEqual(next, prevComparable)) {
    errs.unshift(field.forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n' +
      specDiff(prevComparable, next, 'core.PersistentVolumeClaimSpec')));
  }
  return errs;
}

function pvcClass(o: KubeObject): string {
  return o.metadata.annotations?.[betaStorageClassAnnotation] ?? o.spec?.storageClassName ?? '';
}

export const persistentVolumeClaimResource: ResourceDef = {
  group: '', version: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', singular: 'persistentvolumeclaim',
  shortNames: ['pvc'], categories: [], namespaced: true, verbs: allVerbs, subresources: ['status'],
  schema: 'io.k8s.api.core.v1.PersistentVolumeClaim',
  columns: [
    column('Status', 'string', 'phase represents the current phase of PersistentVolumeClaim.',
      (o) => (o.metadata.deletionTimestamp ? 'Terminating' : o.status?.phase ?? '')),
    column('Volume', 'string', 'volumeName is the binding reference to the PersistentVolume backing this claim.', (o) => o.spec?.volumeName ?? ''),
    column('Capacity', 'string', 'capacity represents the actual resources of the underlying volume.',
      (o) => (o.spec?.volumeName ? quantityString(o.status?.capacity?.storage) : '')),
    column('Access Modes', 'string', 'accessModes contains the actual access modes the volume backing the PVC has.',
      (o) => (o.spec?.volumeName ? accessModesString(o.status?.accessModes) : '')),
    column('StorageClass', 'string', 'StorageClass of the pvc', pvcClass),
    column('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pvc', (o) => o.spec?.volumeAttributesClassName ?? '<unset>'),
    ageColumn,
    wideColumn('VolumeMode', 'string', 'volumeMode defines what type of volume is required by the claim.', (o) => o.spec?.volumeMode ?? '<unset>'),
  ],
  strategy: {
    defaults: defaultPVC,
    // persistentvolumeclaimStrategy.PrepareForCreate resets status; defaults bring back phase Pending.
    prepareForCreate: (pvc) => {
      pvc.status = { phase: 'Pending' };
    },
    validate: validatePVC,
    validateUpdate: validatePVCUpdate,
  },
};
