// apps/v1 DaemonSet (SetDefaults_DaemonSet, the strategy's template generation kept in the
// `deprecated.daemonset.template.generation` annotation, ValidateDaemonSetSpec) and
// ControllerRevision (ValidateControllerRevision, printControllerRevision).
import { field, type FieldError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/types.ts';
import { jsonEqual } from '../object-meta.ts';
import { allVerbs, type ResourceDef } from '../types.ts';
import { collisionCountDecrement, defaultTemplate, selectorImmutable, specChanged } from './apps-common.ts';
import { ageColumn, formatLabels } from './core-columns.ts';
import { isObject, validatePodTemplateSpec } from './podspec.ts';
import {
  containerColumns, docColumn, formatLabelSelector, goValue, immutable, int, intOrPercentValue, intOrStringValue, nonNegative,
  notMoreThan100Percent, positiveIntOrPercent, selectorConvertible, selectorIsEmpty, selectorValue, templateLabelsMatch,
} from './workload.ts';
import { validateLabelSelector } from '../validation/metadata.ts';

// ---- DaemonSet ----

/** The v1 form of the internal spec.templateGeneration (conversion keeps it in this annotation). */
export const templateGenerationAnnotation = 'deprecated.daemonset.template.generation';

function defaultDaemonSet(ds: KubeObject): void {
  const spec = (ds.spec ??= {});
  const strategy = (spec.updateStrategy ??= {});
  strategy.type ||= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const rollingUpdate = (strategy.rollingUpdate ??= {});
    rollingUpdate.maxUnavailable ??= 1;
    rollingUpdate.maxSurge ??= 0;
  }
  spec.revisionHistoryLimit ??= 10;
  defaultTemplate(spec);
}

function templateGeneration(obj: KubeObject): number {
  const n = Number.parseInt(obj.metadata.annotations?.[templateGenerationAnnotation] ?? '', 10);
  return Number.isFinite(n) ? n : 0;
}

function setTemplateGeneration(obj: KubeObject, generation: number): void {
  obj.metadata.annotations = { ...obj.metadata.annotations, [templateGenerationAnnotation]: String(generation) };
}

function rollingUpdateErrors(ru: any, path: string): FieldError[] {
  const { maxUnavailable, maxSurge } = ru;
  const errs = [
    ...positiveIntOrPercent(maxUnavailable, `${path}.maxUnavailable`),
    ...positiveIntOrPercent(maxSurge, `${path}.maxSurge`),
    ...notMoreThan100Percent(maxUnavailable, `${path}.maxUnavailable`),
    ...notMoreThan100Percent(maxSurge, `${path}.maxSurge`),
  ];
  const hasUnavailable = intOrPercentValue(maxUnavailable) !== 0;
  const hasSurge = intOrPercentValue(maxSurge) !== 0;
  if (hasUnavailable && hasSurge) {
    errs.push(field.invalid(`${path}.maxSurge`, intOrStringValue(maxSurge), 'may not be set when maxUnavailable is non-zero'));
  } else if (!hasUnavailable && !hasSurge) {
    errs.push(field.required(`${path}.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
  }
  return errs;
}

function updateStrategyErrors(strategy: any): FieldError[] {
  const s = isObject(strategy) ? strategy : {};
  const path = 'spec.updateStrategy';
  if (s.type === 'OnDelete') return [];
  if (s.type === 'RollingUpdate') {
    return isObject(s.rollingUpdate) ? rollingUpdateErrors(s.rollingUpdate, `${path}.rollingUpdate`) : [field.required(`${path}.rollingUpdate`, '')];
  }
  const shown = `apps.DaemonSetUpdateStrategy{Type:${JSON.stringify(String(s.type ?? ''))}, RollingUpdate:(*apps.RollingUpdateDaemonSet)(nil)}`;
  return [field.notSupported(path, goValue(s, shown), ['RollingUpdate', 'OnDelete'])];
}

/** ValidateDaemonSetSpec. */
function validateDaemonSet(ds: KubeObject): FieldError[] {
  const spec = ds.spec ?? {};
  const errs = validateLabelSelector(spec.selector, 'spec.selector');
  if (selectorConvertible(spec.selector) && isObject(spec.template)) errs.push(...templateLabelsMatch(spec.selector, spec.template));
  if (isObject(spec.selector) && selectorIsEmpty(spec.selector)) {
    errs.push(field.invalid('spec.selector', selectorValue(spec.selector), 'empty selector is invalid for daemonset'));
  }
  if (isObject(spec.template)) {
    errs.push(...validatePodTemplateSpec(spec.template, 'spec.template'));
    const podSpec = spec.template.spec ?? {};
    if (podSpec.restartPolicy !== 'Always') errs.push(field.notSupported('spec.template.spec.restartPolicy', podSpec.restartPolicy ?? '', ['Always']));
    if (podSpec.activeDeadlineSeconds !== undefined && podSpec.activeDeadlineSeconds !== null) {
      errs.push(field.forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in DaemonSet is not Supported'));
    }
  }
  errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...updateStrategyErrors(spec.updateStrategy));
  errs.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  return errs;
}

const daemonSetStatusCounters = ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady', 'observedGeneration',
  'updatedNumberScheduled', 'numberAvailable', 'numberUnavailable', 'collisionCount'];

const dsStatus = (field: string): [string, string] => ['io.k8s.api.apps.v1.DaemonSetStatus', field];

export const daemonSetResource: ResourceDef = {
  group: 'apps', version: 'v1', kind: 'DaemonSet', plural: 'daemonsets', singular: 'daemonset',
  shortNames: ['ds'], categories: ['all'], namespaced: true, verbs: allVerbs, subresources: ['status'],
  schema: 'io.k8s.api.apps.v1.DaemonSet',
  columns: [
    docColumn('Desired', 'integer', dsStatus('desiredNumberScheduled'), (o) => int(o.status?.desiredNumberScheduled)),
    docColumn('Current', 'integer', dsStatus('currentNumberScheduled'), (o) => int(o.status?.currentNumberScheduled)),
    docColumn('Ready', 'integer', dsStatus('numberReady'), (o) => int(o.status?.numberReady)),
    docColumn('Up-to-date', 'integer', dsStatus('updatedNumberScheduled'), (o) => int(o.status?.updatedNumberScheduled)),
    docColumn('Available', 'integer', dsStatus('numberAvailable'), (o) => int(o.status?.numberAvailable)),
    docColumn('Node Selector', 'string', ['io.k8s.api.core.v1.PodSpec', 'nodeSelector'], (o) => formatLabels(o.spec?.template?.spec?.nodeSelector)),
    ageColumn,
    ...containerColumns((o) => o.spec?.template),
    docColumn('Selector', 'string', ['io.k8s.api.apps.v1.DaemonSetSpec', 'selector'], (o) => formatLabelSelector(o.spec?.selector), 1),
  ],
  strategy: {
    defaults: defaultDaemonSet,
    prepareForCreate: (ds) => {
      ds.status = { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 };
      setTemplateGeneration(ds, Math.max(templateGeneration(ds), 1));
    },
    // A template change moves the template generation on; clients cannot set it themselves.
    prepareForUpdate: (ds, old) => {
      const changed = !jsonEqual(ds.spec?.template, old.spec?.template);
      setTemplateGeneration(ds, templateGeneration(old) + (changed ? 1 : 0));
    },
    validate: validateDaemonSet,
    validateUpdate: selectorImmutable,
    bumpsGeneration: specChanged,
    status: {
      validateUpdate: (ds, old) => [
        ...daemonSetStatusCounters.flatMap((c) => nonNegative(ds.status?.[c], `status.${c}`)),
        ...collisionCountDecrement(ds, old),
      ],
    },
  },
};

// ---- ControllerRevision ----

/** printControllerRevision: the controller owner as `statefulset.apps/web`, or <none>. */
function controllerOf(obj: KubeObject): string {
  const ref = (obj.metadata.ownerReferences ?? []).find((r) => r.controller === true);
  if (!ref) return '<none>';
  const slash = ref.apiVersion.indexOf('/');
  const group = slash >= 0 ? ref.apiVersion.slice(0, slash) : '';
  if (!ref.kind) return ref.name;
  return `${(group ? `${ref.kind}.${group}` : ref.kind).toLowerCase()}/${ref.name}`;
}

/** ValidateControllerRevision; ValidateControllerRevisionUpdate keeps data immutable. */
function validateControllerRevision(cr: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  if (cr.data === undefined || cr.data === null) errs.push(field.required('data', 'data is mandatory'));
  return [...errs, ...nonNegative(cr.revision, 'revision')];
}

export const controllerRevisionResource: ResourceDef = {
  group: 'apps', version: 'v1', kind: 'ControllerRevision', plural: 'controllerrevisions', singular: 'controllerrevision',
  shortNames: [], categories: [], namespaced: true, verbs: allVerbs, subresources: [],
  schema: 'io.k8s.api.apps.v1.ControllerRevision',
  columns: [
    { name: 'Controller', type: 'string', priority: 0, description: 'Controller of the object', cell: controllerOf },
    docColumn('Revision', 'string', ['io.k8s.api.apps.v1.ControllerRevision', 'revision'], (o) => int(o.revision)),
    ageColumn,
  ],
  strategy: {
    validate: validateControllerRevision,
    validateUpdate: (cr, old) => immutable(cr.data, old.data, 'data', (v) => goValue(v, 'runtime.RawExtension{...}')),
  },
};
