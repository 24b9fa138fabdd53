// storage.k8s.io/v1 kinds of the CSI machinery, as kube's pkg/registry/storage and
// pkg/apis/storage/validation: VolumeAttachment (+status, written by the attach-detach
// controller and external attachers), CSIDriver and CSINode (what the scheduler's volume
// plugins read), CSIStorageCapacity. Defaults and columns as kube's SetDefaults_* and printers.
import { field, type FieldError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/types.ts';
import { jsonEqual } from '../object-meta.ts';
import { allVerbs, type ResourceDef } from '../types.ts';
import { isDNS1123Subdomain, isQualifiedName } from '../validation/names.ts';
import { ageColumn } from './core-columns.ts';
import { quantityString } from '../../api/quantity.ts';
import { arrayOf, isObject } from './podspec.ts';
import { docColumn, immutable, str } from './workload.ts';
import { specChanged } from './apps-common.ts';

const maxDriverNameLength = 63;
const maxNodeIdLength = 192;
const maxAttachedVolumeMetadataSize = 256 * 1024;
const maxVolumeErrorMessageSize = 1024;

/** ValidateCSIDriverName. */
function validateDriverName(name: string, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!name) errs.push(field.required(path, ''));
  if (name.length > maxDriverNameLength) errs.push(field.tooLong(path, name, maxDriverNameLength));
  for (const msg of isDNS1123Subdomain(name.toLowerCase())) errs.push(field.invalid(path, name, msg));
  return errs;
}

const doc = (def: string, f: string): [string, string] => [`io.k8s.api.storage.v1.${def}`, f];

// ---- VolumeAttachment ----

function validateVolumeError(err: unknown, path: string): FieldError[] {
  const message = isObject(err) ? str(err.message) : '';
  return message.length > maxVolumeErrorMessageSize ? [field.tooLong(`${path}.message`, message, maxVolumeErrorMessageSize)] : [];
}

/** ValidateVolumeAttachment (+ its status rules). */
function validateVolumeAttachment(va: KubeObject): FieldError[] {
  const spec = va.spec ?? {};
  const errs = validateDriverName(str(spec.attacher), 'spec.attacher');
  const source = isObject(spec.source) ? spec.source : {};
  const hasPV = source.persistentVolumeName != null;
  const hasInline = source.inlineVolumeSpec != null;
  if (hasPV === hasInline) errs.push(field.required('spec.source', 'must specify exactly one of inlineVolumeSpec and persistentVolumeName'));
  if (hasPV) {
    const pv = str(source.persistentVolumeName);
    if (!pv) errs.push(field.required('spec.source.persistentVolumeName', 'must specify non empty persistentVolumeName'));
  }
  if (!str(spec.nodeName)) errs.push(field.required('spec.nodeName', ''));
  const status = va.status ?? {};
  let size = 0;
  for (const [k, v] of Object.entries(isObject(status.attachmentMetadata) ? status.attachmentMetadata : {})) size += k.length + str(v).length;
  if (size > maxAttachedVolumeMetadataSize) errs.push(field.tooLong('status.attachmentMetadata', '', maxAttachedVolumeMetadataSize));
  errs.push(...validateVolumeError(status.attachError, 'status.attachError'), ...validateVolumeError(status.detachError, 'status.detachError'));
  return errs;
}

export const volumeAttachmentResource: ResourceDef = {
  group: 'storage.k8s.io', version: 'v1', kind: 'VolumeAttachment', plural: 'volumeattachments', singular: 'volumeattachment',
  shortNames: [], categories: [], namespaced: false, verbs: allVerbs, subresources: ['status'],
  schema: 'io.k8s.api.storage.v1.VolumeAttachment',
  columns: [
    docColumn('Attacher', 'string', doc('VolumeAttachmentSpec', 'attacher'), (o) => str(o.spec?.attacher)),
    docColumn('PV', 'string', doc('VolumeAttachmentSource', 'persistentVolumeName'), (o) => str(o.spec?.source?.persistentVolumeName)),
    docColumn('Node', 'string', doc('VolumeAttachmentSpec', 'nodeName'), (o) => str(o.spec?.nodeName)),
    docColumn('Attached', 'boolean', doc('VolumeAttachmentStatus', 'attached'), (o) => o.status?.attached === true),
    ageColumn,
  ],
  strategy: {
    // volumeAttachmentStrategy.PrepareForCreate: status is the attacher's to write.
    prepareForCreate: (va) => {
      delete va.status;
    },
    validate: validateVolumeAttachment,
    validateUpdate: (va, old) => (jsonEqual(va.spec, old.spec) ? [] : [field.invalid('spec', va.spec, 'field is immutable')]),
    bumpsGeneration: specChanged,
  },
};

// ---- CSIDriver ----

const fsGroupPolicies = ['File', 'None', 'ReadWriteOnceWithFSType'];
const lifecycleModes = ['Ephemeral', 'Persistent'];

/** SetDefaults_CSIDriver. */
function defaultCSIDriver(d: KubeObject): void {
  d.spec ??= {};
  d.spec.attachRequired ??= true;
  d.spec.podInfoOnMount ??= false;
  d.spec.storageCapacity ??= false;
  d.spec.fsGroupPolicy ??= 'ReadWriteOnceWithFSType';
  if (!arrayOf(d.spec.volumeLifecycleModes).length) d.spec.volumeLifecycleModes = ['Persistent'];
  d.spec.requiresRepublish ??= false;
  d.spec.seLinuxMount ??= false;
}

function validateCSIDriver(d: KubeObject): FieldError[] {
  const spec = d.spec ?? {};
  const errs = validateDriverName(d.metadata.name ?? '', 'metadata.name');
  if (spec.fsGroupPolicy != null && !fsGroupPolicies.includes(spec.fsGroupPolicy)) {
    errs.push(field.notSupported('spec.fsGroupPolicy', spec.fsGroupPolicy, fsGroupPolicies));
  }
  arrayOf(spec.volumeLifecycleModes).forEach((m, i) => {
    if (!lifecycleModes.includes(m)) errs.push(field.notSupported(`spec.volumeLifecycleModes[${i}]`, m, lifecycleModes));
  });
  const audiences = new Set<string>();
  arrayOf(spec.tokenRequests).forEach((t, i) => {
    const audience = str(t?.audience);
    if (audiences.has(audience)) errs.push(field.duplicate(`spec.tokenRequests[${i}].audience`, audience));
    audiences.add(audience);
    if (typeof t?.expirationSeconds === 'number' && t.expirationSeconds < 600) {
      errs.push(field.invalid(`spec.tokenRequests[${i}].expirationSeconds`, t.expirationSeconds, 'may not specify a duration less than 10 minutes'));
    }
    if (typeof t?.expirationSeconds === 'number' && t.expirationSeconds > 2 ** 32) {
      errs.push(field.tooLong(`spec.tokenRequests[${i}].expirationSeconds`, t.expirationSeconds, 2 ** 32));
    }
  });
  return errs;
}

/** ValidateCSIDriverUpdate: attachRequired, fsGroupPolicy and volumeLifecycleModes are fixed. */
function validateCSIDriverUpdate(d: KubeObject, old: KubeObject): FieldError[] {
  return [
    ...immutable(d.spec?.attachRequired, old.spec?.attachRequired, 'spec.attachRequired'),
    ...immutable(d.spec?.fsGroupPolicy, old.spec?.fsGroupPolicy, 'spec.fsGroupPolicy'),
    ...immutable(d.spec?.volumeLifecycleModes, old.spec?.volumeLifecycleModes, 'spec.volumeLifecycleModes'),
  ];
}

const boolCell = (v: unknown) => v === true;

export const csiDriverResource: ResourceDef = {
  group: 'storage.k8s.io', version: 'v1', kind: 'CSIDriver', plural: 'csidrivers', singular: 'csidriver',
  shortNames: [], categories: [], namespaced: false, verbs: allVerbs, subresources: [],
  schema: 'io.k8s.api.storage.v1.CSIDriver',
  columns: [
    docColumn('AttachRequired', 'boolean', doc('CSIDriverSpec', 'attachRequired'), (o) => boolCell(o.spec?.attachRequired)),
    docColumn('PodInfoOnMount', 'boolean', doc('CSIDriverSpec', 'podInfoOnMount'), (o) => boolCell(o.spec?.podInfoOnMount)),
    docColumn('StorageCapacity', 'boolean', doc('CSIDriverSpec', 'storageCapacity'), (o) => boolCell(o.spec?.storageCapacity)),
    docColumn('TokenRequests', 'string', doc('CSIDriverSpec', 'tokenRequests'),
      (o) => arrayOf(o.spec?.tokenRequests).map((t) => str(t?.audience)).join(',') || '<unset>'),
    docColumn('RequiresRepublish', 'boolean', doc('CSIDriverSpec', 'requiresRepublish'), (o) => boolCell(o.spec?.requiresRepublish)),
    docColumn('Modes', 'string', doc('CSIDriverSpec', 'volumeLifecycleModes'),
      (o) => arrayOf(o.spec?.volumeLifecycleModes).join(',') || '<none>'),
    ageColumn,
  ],
  strategy: {
    defaults: defaultCSIDriver,
    validate: validateCSIDriver,
    validateUpdate: validateCSIDriverUpdate,
    bumpsGeneration: specChanged,
  },
};

// ---- CSINode ----

/** ValidateCSINode: driver names unique and valid, nodeID set, topology keys qualified names. */
function validateCSINode(n: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  arrayOf(n.spec?.drivers).forEach((d, i) => {
    const path = `spec.drivers[${i}]`;
    const name = str(d?.name);
    errs.push(...validateDriverName(name, `${path}.name`));
    if (names.has(name)) errs.push(field.duplicate(`${path}.name`, name));
    names.add(name);
    const nodeID = str(d?.nodeID);
    if (!nodeID) errs.push(field.required(`${path}.nodeID`, nodeID));
    else if (nodeID.length > maxNodeIdLength) errs.push(field.invalid(`${path}.nodeID`, nodeID, `must be ${maxNodeIdLength} characters or less`));
    const keys = new Set<string>();
    arrayOf(d?.topologyKeys).forEach((k, j) => {
      const key = str(k);
      if (!key) errs.push(field.required(`${path}.topologyKeys`, key));
      if (keys.has(key)) errs.push(field.duplicate(`${path}.topologyKeys[${j}]`, key));
      keys.add(key);
      for (const msg of key ? isQualifiedName(key) : []) errs.push(field.invalid(`${path}.topologyKeys`, key, msg));
    });
    const count = d?.allocatable?.count;
    if (typeof count === 'number' && count < 0) errs.push(field.invalid(`${path}.allocatable.count`, count, 'must be greater than or equal to 0'));
  });
  return errs;
}

/** ValidateCSINodeUpdate: a driver already listed keeps its nodeID and topology keys. */
function validateCSINodeUpdate(n: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const before = new Map(arrayOf(old.spec?.drivers).map((d) => [str(d?.name), d]));
  arrayOf(n.spec?.drivers).forEach((d, i) => {
    const prev = before.get(str(d?.name));
    if (!prev) return;
    errs.push(...immutable(d?.nodeID, prev.nodeID, `spec.drivers[${i}].nodeID`));
    errs.push(...immutable(d?.topologyKeys ?? [], prev.topologyKeys ?? [], `spec.drivers[${i}].topologyKeys`));
  });
  return errs;
}

export const csiNodeResource: ResourceDef = {
  group: 'storage.k8s.io', version: 'v1', kind: 'CSINode', plural: 'csinodes', singular: 'csinode',
  shortNames: [], categories: [], namespaced: false, verbs: allVerbs, subresources: [],
  schema: 'io.k8s.api.storage.v1.CSINode',
  columns: [
    docColumn('Drivers', 'integer', doc('CSINodeSpec', 'drivers'), (o) => arrayOf(o.spec?.drivers).length),
    ageColumn,
  ],
  strategy: { validate: validateCSINode, validateUpdate: validateCSINodeUpdate },
};

// ---- CSIStorageCapacity ----

function validateCSIStorageCapacity(c: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const sc = str(c.storageClassName);
  if (!sc) errs.push(field.required('storageClassName', ''));
  else for (const msg of isDNS1123Subdomain(sc)) errs.push(field.invalid('storageClassName', sc, msg));
  for (const q of ['capacity', 'maximumVolumeSize']) {
    if (typeof c[q] === 'string' && c[q].trim().startsWith('-')) errs.push(field.invalid(q, c[q], 'must be greater than or equal to 0'));
  }
  return errs;
}

export const csiStorageCapacityResource: ResourceDef = {
  group: 'storage.k8s.io', version: 'v1', kind: 'CSIStorageCapacity', plural: 'csistoragecapacities', singular: 'csistoragecapacity',
  shortNames: [], categories: [], namespaced: true, verbs: allVerbs, subresources: [],
  schema: 'io.k8s.api.storage.v1.CSIStorageCapacity',
  columns: [
    docColumn('StorageClassName', 'string', doc('CSIStorageCapacity', 'storageClassName'), (o) => str(o.storageClassName)),
    docColumn('Capacity', 'string', doc('CSIStorageCapacity', 'capacity'), (o) => (o.capacity === undefined ? '<unset>' : quantityString(o.capacity))),
    ageColumn,
  ],
  strategy: {
    validate: validateCSIStorageCapacity,
    // ValidateCSIStorageCapacityUpdate: which class and topology a capacity is about is fixed.
    validateUpdate: (c, old) => [
      ...immutable(c.storageClassName, old.storageClassName, 'storageClassName'),
      ...immutable(c.nodeTopology, old.nodeTopology, 'nodeTopology'),
    ],
  },
};

export const storageCsiResources: ResourceDef[] = [volumeAttachmentResource, csiDriverResource, csiNodeResource, csiStorageCapacityResource];
