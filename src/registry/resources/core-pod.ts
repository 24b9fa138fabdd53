// core/v1 Pod: pkg/registry/core/pod/strategy.go (status on create, graceful delete, field
// selectors), SetDefaults_Pod, and ValidatePodUpdate's rule that a pod's spec is immutable
// except for a few fields.
import { field, type FieldError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/types.ts';
import { deepCopy, jsonEqual } from '../object-meta.ts';
import { specDiff } from './core-diff.ts';
import { allVerbs, type ResourceDef } from '../types.ts';
import { admitNewPod } from './core-pod-admission.ts';
import { podColumns } from './core-pod-columns.ts';
import { ephemeralContainersUpdate, validateEphemeralContainersUpdate } from './pod-ephemeral.ts';
import { compareQuantities, parseQuantity } from '../../api/quantity.ts';
import { arrayOf, defaultPodSpec, isObject, validatePodSpec, validateTolerations } from './podspec.ts';

/** SetDefaults_PodSpec plus what SetDefaults_Pod adds for Pods only (not templates). */
function defaultPod(pod: KubeObject): void {
  pod.spec ??= {};
  const spec = pod.spec;
  defaultPodSpec(spec);
  for (const c of [...arrayOf(spec.containers), ...arrayOf(spec.initContainers)]) {
    const resources = c?.resources;
    if (!isObject(resources) || !isObject(resources.limits)) continue;
    resources.requests = { ...resources.limits, ...(isObject(resources.requests) ? resources.requests : {}) };
  }
  spec.enableServiceLinks ??= true;
  if (spec.hostNetwork === true) {
    for (const c of [...arrayOf(spec.containers), ...arrayOf(spec.initContainers)]) {
      for (const p of arrayOf(c?.ports)) if (isObject(p) && !p.hostPort) p.hostPort = p.containerPort;
    }
  }
}

const qosResources = ['cpu', 'memory'];

/** qos.GetPodQOS (pkg/apis/core/helper/qos). */
export function podQOSClass(spec: any): 'BestEffort' | 'Burstable' | 'Guaranteed' {
  const requests: Record<string, number> = {};
  const limits: Record<string, number> = {};
  let guaranteed = true;
  const add = (into: Record<string, number>, name: string, q: unknown) => {
    into[name] = (into[name] ?? 0) + (parseQuantity(q) ?? 0);
  };
  for (const c of [...arrayOf(spec?.containers), ...arrayOf(spec?.initContainers)]) {
    const res = c?.resources ?? {};
    for (const [name, q] of Object.entries(res.requests ?? {})) {
      if (qosResources.includes(name) && compareQuantities(q, '0') > 0) add(requests, name, q);
    }
    const limitsFound = new Set<string>();
    for (const [name, q] of Object.entries(res.limits ?? {})) {
      if (qosResources.includes(name) && compareQuantities(q, '0') > 0) {
        limitsFound.add(name);
        add(limits, name, q);
      }
    }
    if (!qosResources.every((r) => limitsFound.has(r))) guaranteed = false;
  }
  if (Object.keys(requests).length === 0 && Object.keys(limits).length === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, req] of Object.entries(requests)) {
      if (!(name in limits) || compareQuantities(limits[name], req) !== 0) {
        guaranteed = false;
        break;
      }
    }
  }
  return guaranteed && Object.keys(requests).length === Object.keys(limits).length ? 'Guaranteed' : 'Burstable';
}

function prepareForCreate(pod: KubeObject): void {
  admitNewPod(pod);
  pod.status = { phase: 'Pending', qosClass: podQOSClass(pod.spec) };
  if (arrayOf(pod.spec?.schedulingGates).length > 0) {
    pod.status.conditions = [{
      type: 'PodScheduled', status: 'False', lastProbeTime: null, lastTransitionTime: null,
      reason: 'SchedulingGated', message: 'Scheduling is blocked due to non-empty scheduling gates',
    }];
  }
}

const updatableFields = '`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,' +
  '`spec.tolerations` (only additions to existing tolerations),' +
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/** ValidatePodUpdate (InPlacePodVerticalScaling is off in 1.32, so resources are immutable too). */
function validatePodUpdate(pod: KubeObject, old: KubeObject): FieldError[] {
  const spec = pod.spec ?? {};
  const oldSpec = old.spec ?? {};
  const errs: FieldError[] = [];
  for (const list of ['containers', 'initContainers'] as const) {
    if (arrayOf(spec[list]).length !== arrayOf(oldSpec[list]).length) {
      errs.push(field.forbidden(`spec.${list}`, 'pod updates may not add or remove containers'));
    }
  }
  if (errs.length) return errs;
  errs.push(...validateActiveDeadlineUpdate(spec.activeDeadlineSeconds, oldSpec.activeDeadlineSeconds));
  errs.push(...validateOnlyAddedTolerations(arrayOf(spec.tolerations), arrayOf(oldSpec.tolerations)));
  if (jsonEqual(spec, oldSpec)) return errs;
  const munged = deepCopy(spec);
  for (const list of ['containers', 'initContainers'] as const) {
    arrayOf(munged[list]).forEach((c, i) => {
      if (isObject(c)) c.image = oldSpec[list][i]?.image;
    });
  }
  setOrDelete(munged, 'activeDeadlineSeconds', oldSpec.activeDeadlineSeconds);
  setOrDelete(munged, 'schedulingGates', oldSpec.schedulingGates);
  setOrDelete(munged, 'tolerations', oldSpec.tolerations);
  if (oldSpec.terminationGracePeriodSeconds < 0 && munged.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = oldSpec.terminationGracePeriodSeconds;
  }
  if (!jsonEqual(munged, oldSpec)) {
    errs.push(field.forbidden('spec', `pod updates may not change fields other than ${updatableFields}\n${specDiff(oldSpec, munged)}`));
  }
  return errs;
}

function setOrDelete(obj: any, key: string, value: unknown): void {
  if (value === undefined) delete obj[key];
  else obj[key] = deepCopy(value);
}

function validateActiveDeadlineUpdate(next: unknown, prev: unknown): FieldError[] {
  const path = 'spec.activeDeadlineSeconds';
  if (typeof next === 'number') {
    if (next < 0 || next > 2147483647) return [field.invalid(path, next, 'must be between 0 and 2147483647, inclusive')];
    if (typeof prev === 'number' && prev < next) return [field.invalid(path, next, 'must be less than or equal to previous value')];
    return [];
  }
  if (typeof prev === 'number') return [field.invalid(path, null, 'must not update from a positive integer to nil value')];
  return [];
}

function validateOnlyAddedTolerations(next: any[], prev: any[]): FieldError[] {
  for (const old of prev) {
    const found = next.some((t) => jsonEqual({ ...old, tolerationSeconds: t?.tolerationSeconds }, { ...t, tolerationSeconds: t?.tolerationSeconds }));
    if (!found) return [field.forbidden('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds')];
  }
  return validateTolerations(next, 'spec.tolerations');
}

/** podStrategy.CheckGracefulDelete: bound, non-terminal pods wait for their kubelet. */
function gracefulDelete(pod: KubeObject, gracePeriodSeconds: number | undefined) {
  let period = gracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 0;
  if (!pod.spec?.nodeName) period = 0;
  if (pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded') period = 0;
  if (period < 0) period = 1;
  return { graceful: period > 0, gracePeriodSeconds: period };
}

export const podResource: ResourceDef = {
  group: '', version: 'v1', kind: 'Pod', plural: 'pods', singular: 'pod',
  shortNames: ['po'], categories: ['all'], namespaced: true, verbs: allVerbs, subresources: ['status', 'binding', 'eviction', 'log', 'exec', 'attach', 'portforward', 'proxy', 'ephemeralcontainers'],
  schema: 'io.k8s.api.core.v1.Pod',
  columns: podColumns,
  // pod.ToSelectableFields
  selectableFields: {
    'spec.nodeName': (o) => o.spec?.nodeName ?? '',
    'spec.restartPolicy': (o) => o.spec?.restartPolicy ?? '',
    'spec.schedulerName': (o) => o.spec?.schedulerName ?? '',
    'spec.serviceAccountName': (o) => o.spec?.serviceAccountName ?? '',
    'spec.hostNetwork': (o) => String(o.spec?.hostNetwork === true),
    'status.phase': (o) => o.status?.phase ?? '',
    'status.podIP': (o) => o.status?.podIPs?.[0]?.ip ?? '',
    'status.nominatedNodeName': (o) => o.status?.nominatedNodeName ?? '',
  },
  strategy: {
    defaults: defaultPod,
    prepareForCreate,
    validate: (pod) => validatePodSpec(pod.spec, 'spec'),
    validateUpdate: validatePodUpdate,
    ephemeralContainers: { prepareForUpdate: ephemeralContainersUpdate, validateUpdate: validateEphemeralContainersUpdate },
    gracefulDelete,
    // A pod in its grace period stays until its kubelet deletes it with grace 0.
    holdsDeletion: (pod) => (pod.metadata.deletionGracePeriodSeconds ?? 0) > 0,
  },
  returnDeletedObject: true,
};
