// The built-in kinds outside core/v1, apps and batch. The small ones live here
// (coordination.k8s.io Lease, storage.k8s.io StorageClass, scheduling.k8s.io PriorityClass);
// the others have a file per API group.
import { field, type FieldError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/types.ts';
import { allVerbs, type ResourceDef } from '../types.ts';
import { isQualifiedName } from '../validation/names.ts';
import { horizontalPodAutoscalerResource } from './autoscaling.ts';
import { horizontalPodAutoscalerV1Resource } from './autoscaling-v1.ts';
import { ageColumn } from './core-columns.ts';
import { endpointSliceResource } from './discovery.ts';
import { eventsV1Resource } from './events.ts';
import { ingressResource, networkPolicyResource } from './networking.ts';
import { isObject } from './podspec.ts';
import { podDisruptionBudgetResource } from './policy.ts';
import { docColumn, immutable, str } from './workload.ts';

// ---- coordination.k8s.io/v1 Lease ----

/** ValidateLeaseSpec. */
function validateLease(lease: KubeObject): FieldError[] {
  const spec = lease.spec ?? {};
  const errs: FieldError[] = [];
  if (typeof spec.leaseDurationSeconds === 'number' && spec.leaseDurationSeconds <= 0) {
    errs.push(field.invalid('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0'));
  }
  if (typeof spec.leaseTransitions === 'number' && spec.leaseTransitions < 0) {
    errs.push(field.invalid('spec.leaseTransitions', spec.leaseTransitions, 'must be greater than or equal to 0'));
  }
  return errs;
}

export const leaseResource: ResourceDef = {
  group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', singular: 'lease',
  shortNames: [], categories: [], namespaced: true, verbs: allVerbs, subresources: [],
  schema: 'io.k8s.api.coordination.v1.Lease',
  columns: [
    docColumn('Holder', 'string', ['io.k8s.api.coordination.v1.LeaseSpec', 'holderIdentity'], (o) => str(o.spec?.holderIdentity)),
    ageColumn,
  ],
  strategy: { validate: validateLease },
};

// ---- storage.k8s.io/v1 StorageClass ----

const reclaimPolicies = ['Delete', 'Retain'];
const bindingModes = ['Immediate', 'WaitForFirstConsumer'];
const maxParameters = 512;
const maxParameterBytes = 256 * 1024;

function defaultStorageClass(sc: KubeObject): void {
  sc.reclaimPolicy ??= 'Delete';
  sc.volumeBindingMode ??= 'Immediate';
}

/** ValidateStorageClass (a missing provisioner is reported by the schema's required list). */
function validateStorageClass(sc: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const provisioner = str(sc.provisioner);
  if (sc.provisioner === '') errs.push(field.required('provisioner', ''));
  for (const msg of provisioner ? isQualifiedName(provisioner.toLowerCase()) : []) errs.push(field.invalid('provisioner', provisioner.toLowerCase(), msg));
  const params = isObject(sc.parameters) ? sc.parameters : {};
  const keys = Object.keys(params);
  if (keys.length > maxParameters) {
    errs.push(field.tooLong('parameters', 'Provisioner Parameters exceeded max allowed', maxParameters));
  } else {
    let size = 0;
    for (const k of keys) {
      if (k.length < 1) errs.push(field.invalid('parameters', k, 'field can not be empty.'));
      size += Buffer.byteLength(k) + Buffer.byteLength(str(params[k]));
    }
    if (size > maxParameterBytes) errs.push(field.tooLong('parameters', '', maxParameterBytes));
  }
  if (sc.reclaimPolicy && !reclaimPolicies.includes(sc.reclaimPolicy as string)) {
    errs.push(field.notSupported('reclaimPolicy', sc.reclaimPolicy, reclaimPolicies));
  }
  if (sc.volumeBindingMode == null) errs.push(field.required('volumeBindingMode', ''));
  else if (!bindingModes.includes(sc.volumeBindingMode as string)) errs.push(field.notSupported('volumeBindingMode', sc.volumeBindingMode, bindingModes));
  return errs;
}

/** ValidateStorageClassUpdate: parameters, provisioner, reclaim policy and binding mode are fixed. */
function validateStorageClassUpdate(sc: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  if (immutable(sc.parameters ?? {}, old.parameters ?? {}, 'parameters').length) {
    errs.push(field.forbidden('parameters', 'updates to parameters are forbidden.'));
  }
  if (sc.provisioner !== old.provisioner) errs.push(field.forbidden('provisioner', 'updates to provisioner are forbidden.'));
  if (sc.reclaimPolicy !== old.reclaimPolicy) errs.push(field.forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
  return [...errs, ...immutable(sc.volumeBindingMode, old.volumeBindingMode, 'volumeBindingMode')];
}

/** storageutil.IsDefaultAnnotation. */
function isDefaultClass(obj: KubeObject): boolean {
  const a = obj.metadata.annotations ?? {};
  return a['storageclass.kubernetes.io/is-default-class'] === 'true' || a['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
}

const storageClassDoc = (f: string): [string, string] => ['io.k8s.api.storage.v1.StorageClass', f];

export const storageClassResource: ResourceDef = {
  group: 'storage.k8s.io', version: 'v1', kind: 'StorageClass', plural: 'storageclasses', singular: 'storageclass',
  shortNames: ['sc'], categories: [], namespaced: false, verbs: allVerbs, subresources: [],
  schema: 'io.k8s.api.storage.v1.StorageClass',
  columns: [
    // printStorageClass marks the default class in its NAME cell.
    docColumn('Name', 'string', ['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'name'],
      (o) => `${o.metadata.name ?? ''}${isDefaultClass(o) ? ' (default)' : ''}`, 0, 'name'),
    docColumn('Provisioner', 'string', storageClassDoc('provisioner'), (o) => str(o.provisioner)),
    docColumn('ReclaimPolicy', 'string', storageClassDoc('reclaimPolicy'), (o) => str(o.reclaimPolicy) || 'Delete'),
    docColumn('VolumeBindingMode', 'string', storageClassDoc('volumeBindingMode'), (o) => str(o.volumeBindingMode) || 'Immediate'),
    docColumn('AllowVolumeExpansion', 'string', storageClassDoc('allowVolumeExpansion'), (o) => o.allowVolumeExpansion === true),
    ageColumn,
  ],
  strategy: {
    defaults: defaultStorageClass,
    validate: validateStorageClass,
    validateUpdate: validateStorageClassUpdate,
  },
};

// ---- scheduling.k8s.io/v1 PriorityClass ----

const highestUserDefinablePriority = 1000000000;
const systemPriorityClasses: Record<string, number> = { 'system-node-critical': 2000001000, 'system-cluster-critical': 2000000000 };
const preemptionPolicies = ['Never', 'PreemptLowerPriority'];

/** scheduling.IsKnownSystemPriorityClass's error, or undefined. */
function systemClassError(name: string, value: unknown, globalDefault: boolean): string | undefined {
  const expected = systemPriorityClasses[name];
  if (expected === undefined) return `${name} is not a known system priority class`;
  if (value !== expected) return `value of ${name} PriorityClass must be ${expected}`;
  if (globalDefault) return `globalDefault of ${name} PriorityClass must be false`;
  return undefined;
}

/** ValidatePriorityClass. */
function validatePriorityClass(pc: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const name = pc.metadata.name ?? '';
  if (name.startsWith('system-')) {
    const err = systemClassError(name, pc.value, pc.globalDefault === true);
    if (err) {
      errs.push(field.forbidden('metadata.name', `priority class names with 'system-' prefix are reserved for system use only. error: ${err}`));
    }
  } else if (typeof pc.value === 'number' && pc.value > highestUserDefinablePriority) {
    errs.push(field.forbidden('value', `maximum allowed value of a user defined priority is ${highestUserDefinablePriority}`));
  }
  if (pc.preemptionPolicy != null && !preemptionPolicies.includes(pc.preemptionPolicy as string)) {
    errs.push(field.notSupported('preemptionPolicy', pc.preemptionPolicy, preemptionPolicies));
  }
  return errs;
}

/** ValidatePriorityClassUpdate: value and preemptionPolicy are fixed. */
function validatePriorityClassUpdate(pc: KubeObject, old: KubeObject): FieldError[] {
  const errs = pc.value !== old.value ? [field.forbidden('value', 'may not be changed in an update.')] : [];
  return [...errs, ...immutable(pc.preemptionPolicy, old.preemptionPolicy, 'preemptionPolicy')];
}

const priorityClassDoc = (f: string): [string, string] => ['io.k8s.api.scheduling.v1.PriorityClass', f];

export const priorityClassResource: ResourceDef = {
  group: 'scheduling.k8s.io', version: 'v1', kind: 'PriorityClass', plural: 'priorityclasses', singular: 'priorityclass',
  shortNames: ['pc'], categories: [], namespaced: false, verbs: allVerbs, subresources: [],
  schema: 'io.k8s.api.scheduling.v1.PriorityClass',
  columns: [
    docColumn('Value', 'integer', priorityClassDoc('value'), (o) => (typeof o.value === 'number' ? o.value : 0)),
    docColumn('Global-Default', 'boolean', priorityClassDoc('globalDefault'), (o) => o.globalDefault === true),
    ageColumn,
    // Not wide-only: the server always prints wide, and kube gives this column priority 0.
    docColumn('PreemptionPolicy', 'string', priorityClassDoc('preemptionPolicy'), (o) => str(o.preemptionPolicy)),
  ],
  strategy: {
    defaults: (pc) => {
      pc.preemptionPolicy ??= 'PreemptLowerPriority';
    },
    validate: validatePriorityClass,
    validateUpdate: validatePriorityClassUpdate,
  },
};

export const otherResources: ResourceDef[] = [
  leaseResource,
  eventsV1Resource,
  endpointSliceResource,
  podDisruptionBudgetResource,
  ingressResource,
  networkPolicyResource,
  horizontalPodAutoscalerResource,
  horizontalPodAutoscalerV1Resource,
  storageClassResource,
  priorityClassResource,
];
