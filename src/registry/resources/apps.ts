// apps/v1: Deployments and ReplicaSets (here), StatefulSets, DaemonSets and ControllerRevisions
// (apps-*.ts). Defaults of pkg/apis/apps/v1/defaults.go, the strategies of
// pkg/registry/apps/*/strategy.go and the rules of pkg/apis/apps/validation.
import { field, type FieldError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/types.ts';
import { jsonEqual } from '../object-meta.ts';
import { allVerbs, type ResourceDef } from '../types.ts';
import {
  collisionCountDecrement, defaultTemplate, replicaSetTemplateErrors, replicasScale, selectorImmutable, specChanged,
} from './apps-common.ts';
import { controllerRevisionResource, daemonSetResource } from './apps-daemonset.ts';
import { statefulSetResource } from './apps-statefulset.ts';
import { ageColumn } from './core-columns.ts';
import { isObject } from './podspec.ts';
import {
  containerColumns, docColumn, formatLabelSelector, goValue, int, intOrPercentValue, intOrStringValue, nonNegative,
  notMoreThan100Percent, positiveIntOrPercent, replicaStatusErrors, selectorConvertible, selectorString, validateControllerSelector,
} from './workload.ts';

// ---- Deployment ----

function defaultDeployment(d: KubeObject): void {
  const spec = (d.spec ??= {});
  spec.replicas ??= 1;
  const strategy = (spec.strategy ??= {});
  strategy.type ||= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const rollingUpdate = (strategy.rollingUpdate ??= {});
    rollingUpdate.maxUnavailable ??= '25%';
    rollingUpdate.maxSurge ??= '25%';
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  defaultTemplate(spec);
}

function deploymentStrategyErrors(strategy: any): FieldError[] {
  const s = isObject(strategy) ? strategy : {};
  const path = 'spec.strategy';
  if (s.type === 'Recreate') {
    return isObject(s.rollingUpdate) ? [field.forbidden(`${path}.rollingUpdate`, "may not be specified when strategy `type` is 'Recreate'")] : [];
  }
  if (s.type === 'RollingUpdate') {
    if (!isObject(s.rollingUpdate)) return [field.required(`${path}.rollingUpdate`, 'this should be defaulted and never be nil')];
    const { maxUnavailable, maxSurge } = s.rollingUpdate;
    const errs = [
      ...positiveIntOrPercent(maxUnavailable, `${path}.rollingUpdate.maxUnavailable`),
      ...positiveIntOrPercent(maxSurge, `${path}.rollingUpdate.maxSurge`),
    ];
    if (intOrPercentValue(maxUnavailable) === 0 && intOrPercentValue(maxSurge) === 0) {
      errs.push(field.invalid(`${path}.rollingUpdate.maxUnavailable`, intOrStringValue(maxUnavailable), 'may not be 0 when `maxSurge` is 0'));
    }
    return [...errs, ...notMoreThan100Percent(maxUnavailable, `${path}.rollingUpdate.maxUnavailable`)];
  }
  const shown = `apps.DeploymentStrategy{Type:${JSON.stringify(String(s.type ?? ''))}, RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}`;
  return [field.notSupported(path, goValue(s, shown), ['Recreate', 'RollingUpdate'])];
}

/** ValidateDeploymentSpec. */
function validateDeployment(d: KubeObject): FieldError[] {
  const spec = d.spec ?? {};
  const errs = nonNegative(spec.replicas, 'spec.replicas');
  errs.push(...validateControllerSelector(spec, { kindWord: 'deployment', invalidDetail: 'invalid label selector' }));
  if (selectorConvertible(spec.selector)) errs.push(...replicaSetTemplateErrors(spec.template));
  errs.push(...deploymentStrategyErrors(spec.strategy));
  errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  if (typeof spec.progressDeadlineSeconds === 'number') {
    errs.push(...nonNegative(spec.progressDeadlineSeconds, 'spec.progressDeadlineSeconds'));
    if (spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
      errs.push(field.invalid('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}

const deploymentStatusCounters = ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas', 'collisionCount'];

export const deploymentResource: ResourceDef = {
  group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', singular: 'deployment',
  shortNames: ['deploy'], categories: ['all'], namespaced: true, verbs: allVerbs, subresources: ['status', 'scale'],
  schema: 'io.k8s.api.apps.v1.Deployment',
  columns: [
    { name: 'Ready', type: 'string', priority: 0, description: 'Number of the pod with ready state',
      cell: (o) => `${int(o.status?.readyReplicas)}/${int(o.spec?.replicas)}` },
    docColumn('Up-to-date', 'string', ['io.k8s.api.apps.v1.DeploymentStatus', 'updatedReplicas'], (o) => int(o.status?.updatedReplicas)),
    docColumn('Available', 'string', ['io.k8s.api.apps.v1.DeploymentStatus', 'availableReplicas'], (o) => int(o.status?.availableReplicas)),
    ageColumn,
    ...containerColumns((o) => o.spec?.template),
    docColumn('Selector', 'string', ['io.k8s.api.apps.v1.DeploymentSpec', 'selector'], (o) => selectorString(o.spec?.selector), 1),
  ],
  scale: replicasScale,
  strategy: {
    defaults: defaultDeployment,
    prepareForCreate: (d) => {
      d.status = {};
    },
    validate: validateDeployment,
    validateUpdate: selectorImmutable,
    // Annotations bump it too: they are copied to the ReplicaSets (deployment strategy.go).
    bumpsGeneration: (d, old) => specChanged(d, old) || !jsonEqual(d.metadata.annotations ?? {}, old.metadata.annotations ?? {}),
    status: {
      // kube's deploymentStatusStrategy resets only spec and labels: annotations go through, which
      // is how the deployment controller records `deployment.kubernetes.io/revision`.
      prepareForUpdate: (d, _old, sent) => {
        if (sent.annotations) d.metadata.annotations = sent.annotations;
        else delete d.metadata.annotations;
      },
      validateUpdate: (d, old) => [
        ...replicaStatusErrors(d.status, deploymentStatusCounters, ['updatedReplicas', 'readyReplicas', 'availableReplicas'],
          'cannot be greater than readyReplicas'),
        ...collisionCountDecrement(d, old),
      ],
    },
  },
};

// ---- ReplicaSet ----

function defaultReplicaSet(rs: KubeObject): void {
  const spec = (rs.spec ??= {});
  spec.replicas ??= 1;
  defaultTemplate(spec);
}

/** ValidateReplicaSetSpec (its empty-selector message says `deployment`, as kube's does). */
function validateReplicaSet(rs: KubeObject): FieldError[] {
  const spec = rs.spec ?? {};
  const errs = [...nonNegative(spec.replicas, 'spec.replicas'), ...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds')];
  errs.push(...validateControllerSelector(spec, { kindWord: 'deployment', invalidDetail: 'invalid label selector' }));
  if (selectorConvertible(spec.selector)) errs.push(...replicaSetTemplateErrors(spec.template));
  return errs;
}

export const replicaSetResource: ResourceDef = {
  group: 'apps', version: 'v1', kind: 'ReplicaSet', plural: 'replicasets', singular: 'replicaset',
  shortNames: ['rs'], categories: ['all'], namespaced: true, verbs: allVerbs, subresources: ['status', 'scale'],
  schema: 'io.k8s.api.apps.v1.ReplicaSet',
  columns: [
    docColumn('Desired', 'integer', ['io.k8s.api.apps.v1.ReplicaSetSpec', 'replicas'], (o) => int(o.spec?.replicas)),
    docColumn('Current', 'integer', ['io.k8s.api.apps.v1.ReplicaSetStatus', 'replicas'], (o) => int(o.status?.replicas)),
    docColumn('Ready', 'integer', ['io.k8s.api.apps.v1.ReplicaSetStatus', 'readyReplicas'], (o) => int(o.status?.readyReplicas)),
    ageColumn,
    ...containerColumns((o) => o.spec?.template),
    docColumn('Selector', 'string', ['io.k8s.api.apps.v1.ReplicaSetSpec', 'selector'], (o) => formatLabelSelector(o.spec?.selector), 1),
  ],
  // replicaset.ReplicaSetToSelectableFields
  selectableFields: { 'status.replicas': (o) => String(int(o.status?.replicas)) },
  scale: replicasScale,
  strategy: {
    defaults: defaultReplicaSet,
    prepareForCreate: (rs) => {
      rs.status = { replicas: 0 };
    },
    validate: validateReplicaSet,
    validateUpdate: selectorImmutable,
    bumpsGeneration: specChanged,
    status: {
      validateUpdate: (rs) => replicaStatusErrors(rs.status,
        ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration'],
        ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas'], 'cannot be greater than readyReplicas'),
    },
  },
};

export const appsResources: ResourceDef[] = [
  deploymentResource,
  replicaSetResource,
  statefulSetResource,
  daemonSetResource,
  controllerRevisionResource,
];
