// apps/v1 StatefulSet: SetDefaults_StatefulSet (with the PVC templates' own defaults),
// ValidateStatefulSetSpec and ValidateStatefulSetUpdate's list of the spec fields an update may change.
import { field, type FieldError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/types.ts';
import { deepCopy, jsonEqual } from '../object-meta.ts';
import { allVerbs, type ResourceDef } from '../types.ts';
import { validateAnnotations, validateLabels } from '../validation/metadata.ts';
import { collisionCountDecrement, defaultTemplate, replicasScale, specChanged } from './apps-common.ts';
import { ageColumn } from './core-columns.ts';
import { arrayOf, isObject } from './podspec.ts';
import {
  containerColumns, goValue, int, intOrPercentValue, intOrStringValue, nonNegative, notMoreThan100Percent, positiveIntOrPercent,
  replicaStatusErrors, selectorConvertible, selectorIsEmpty, templateLabelsMatch, validateControllerSelector,
} from './workload.ts';

function defaultStatefulSet(sts: KubeObject): void {
  const spec = (sts.spec ??= {});
  spec.podManagementPolicy ||= 'OrderedReady';
  const strategy = (spec.updateStrategy ??= {});
  if (!strategy.type) {
    strategy.type = 'RollingUpdate';
    strategy.rollingUpdate ??= {};
  }
  if (strategy.type === 'RollingUpdate' && isObject(strategy.rollingUpdate)) strategy.rollingUpdate.partition ??= 0;
  // StatefulSetAutoDeletePVC is GA in 1.32.
  const retention = (spec.persistentVolumeClaimRetentionPolicy ??= {});
  retention.whenDeleted ||= 'Retain';
  retention.whenScaled ||= 'Retain';
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  defaultTemplate(spec);
  for (const claim of arrayOf(spec.volumeClaimTemplates)) defaultClaimTemplate(claim);
}

/** The embedded PVCs get their kind and SetDefaults_PersistentVolumeClaim, as a 1.32 server prints them. */
function defaultClaimTemplate(claim: any): void {
  if (!isObject(claim)) return;
  claim.apiVersion ||= 'v1';
  claim.kind ||= 'PersistentVolumeClaim';
  claim.metadata ??= {};
  if (claim.metadata.creationTimestamp === undefined) claim.metadata.creationTimestamp = null;
  claim.spec ??= {};
  claim.spec.volumeMode ??= 'Filesystem';
  claim.status ??= {};
  claim.status.phase ||= 'Pending';
}

function updateStrategyErrors(strategy: any): FieldError[] {
  const s = isObject(strategy) ? strategy : {};
  const path = 'spec.updateStrategy';
  switch (s.type) {
    case undefined:
    case null:
    case '':
      return [field.required(path, '')];
    case 'OnDelete':
      return isObject(s.rollingUpdate)
        ? [field.invalid(`${path}.rollingUpdate`, goValue(s.rollingUpdate, 'apps.RollingUpdateStatefulSetStrategy{...}'), "only allowed for updateStrategy 'RollingUpdate'")]
        : [];
    case 'RollingUpdate':
      return isObject(s.rollingUpdate) ? rollingUpdateErrors(s.rollingUpdate, `${path}.rollingUpdate`) : [];
    default:
      return [field.invalid(path, goValue(s, `apps.StatefulSetUpdateStrategy{Type:${JSON.stringify(String(s.type))}, RollingUpdate:(*apps.RollingUpdateStatefulSetStrategy)(nil)}`),
        "must be 'RollingUpdate' or 'OnDelete'")];
  }
}

function rollingUpdateErrors(ru: any, path: string): FieldError[] {
  const errs = nonNegative(ru.partition, `${path}.partition`);
  if (ru.maxUnavailable !== undefined && ru.maxUnavailable !== null) {
    errs.push(...positiveIntOrPercent(ru.maxUnavailable, `${path}.maxUnavailable`));
    if (intOrPercentValue(ru.maxUnavailable) === 0) errs.push(field.invalid(`${path}.maxUnavailable`, intOrStringValue(ru.maxUnavailable), 'cannot be 0'));
    errs.push(...notMoreThan100Percent(ru.maxUnavailable, `${path}.maxUnavailable`));
  }
  return errs;
}

function retentionErrors(policy: any): FieldError[] {
  if (!isObject(policy)) return [];
  return (['whenDeleted', 'whenScaled'] as const)
    .filter((k) => policy[k] !== 'Retain' && policy[k] !== 'Delete')
    .map((k) => field.notSupported(`spec.persistentVolumeClaimRetentionPolicy.${k}`, policy[k] ?? '', ['Retain', 'Delete']));
}

/** ValidateStatefulSetSpec. The pod spec itself is not validated, as kube does not (yet). */
function validateStatefulSet(sts: KubeObject): FieldError[] {
  const spec = sts.spec ?? {};
  const errs: FieldError[] = [];
  const policy = spec.podManagementPolicy;
  if (!policy) errs.push(field.required('spec.podManagementPolicy', ''));
  else if (policy !== 'OrderedReady' && policy !== 'Parallel') {
    errs.push(field.invalid('spec.podManagementPolicy', policy, "must be 'OrderedReady' or 'Parallel'"));
  }
  errs.push(...updateStrategyErrors(spec.updateStrategy));
  errs.push(...retentionErrors(spec.persistentVolumeClaimRetentionPolicy));
  errs.push(...nonNegative(spec.replicas, 'spec.replicas'));
  errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  if (isObject(spec.ordinals)) errs.push(...nonNegative(spec.ordinals.start, 'spec.ordinals.start'));
  errs.push(...validateControllerSelector({ selector: spec.selector }, { kindWord: 'statefulset', invalidDetail: '' }));
  if (selectorConvertible(spec.selector) && isObject(spec.template)) {
    if (!(isObject(spec.selector) && selectorIsEmpty(spec.selector))) errs.push(...templateLabelsMatch(spec.selector, spec.template));
    errs.push(...validateLabels(spec.template.metadata?.labels, 'spec.template.labels'));
    errs.push(...validateAnnotations(spec.template.metadata?.annotations, 'spec.template.annotations'));
  }
  const template = spec.template?.spec ?? {};
  if (template.restartPolicy !== 'Always') errs.push(field.notSupported('spec.template.spec.restartPolicy', template.restartPolicy ?? '', ['Always']));
  if (template.activeDeadlineSeconds !== undefined && template.activeDeadlineSeconds !== null) {
    errs.push(field.forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in StatefulSet is not Supported'));
  }
  return errs;
}

const updatableFields = ['replicas', 'template', 'updateStrategy', 'minReadySeconds', 'ordinals', 'persistentVolumeClaimRetentionPolicy'];

/** ValidateStatefulSetUpdate: only a few spec fields may change. */
function validateStatefulSetUpdate(sts: KubeObject, old: KubeObject): FieldError[] {
  const next = deepCopy(sts.spec ?? {});
  const prev = old.spec ?? {};
  for (const k of updatableFields) {
    if (prev[k] === undefined) delete next[k];
    else next[k] = prev[k];
  }
  if (jsonEqual(next, prev)) return [];
  return [field.forbidden('spec', "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', " +
    "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden")];
}

export const statefulSetResource: ResourceDef = {
  group: 'apps', version: 'v1', kind: 'StatefulSet', plural: 'statefulsets', singular: 'statefulset',
  shortNames: ['sts'], categories: ['all'], namespaced: true, verbs: allVerbs, subresources: ['status', 'scale'],
  schema: 'io.k8s.api.apps.v1.StatefulSet',
  nameRule: 'label',
  columns: [
    { name: 'Ready', type: 'string', priority: 0, description: 'Number of the pod with ready state',
      cell: (o) => `${int(o.status?.readyReplicas)}/${int(o.spec?.replicas)}` },
    ageColumn,
    ...containerColumns((o) => o.spec?.template),
  ],
  scale: replicasScale,
  strategy: {
    defaults: defaultStatefulSet,
    prepareForCreate: (sts) => {
      sts.status = { replicas: 0, availableReplicas: 0 };
    },
    validate: validateStatefulSet,
    validateUpdate: validateStatefulSetUpdate,
    bumpsGeneration: specChanged,
    status: {
      validateUpdate: (sts, old) => [
        ...replicaStatusErrors(sts.status,
          ['replicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas', 'observedGeneration', 'collisionCount'],
          ['readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas'], 'cannot be greater than status.readyReplicas'),
        ...collisionCountDecrement(sts, old),
      ],
    },
  },
};
