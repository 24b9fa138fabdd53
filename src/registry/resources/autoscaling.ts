// autoscaling/v2 HorizontalPodAutoscaler: SetDefaults_HorizontalPodAutoscaler (80% CPU when no
// metric is given, behavior rules filled in), the strategy's status reset, the main rules of
// pkg/apis/autoscaling/validation and printHorizontalPodAutoscaler's TARGETS.
import { field, type FieldError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/types.ts';
import { allVerbs, type ResourceDef } from '../types.ts';
import { isValidPathSegmentName } from '../validation/names.ts';
import { ageColumn } from './core-columns.ts';
import { arrayOf, isObject } from './podspec.ts';
import { docColumn, int, str } from './workload.ts';

// ---- defaults ----

const scaleUpDefaults = () => ({
  stabilizationWindowSeconds: 0, selectPolicy: 'Max',
  policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }],
});
// No stabilizationWindowSeconds: the controller's --horizontal-pod-autoscaler-downscale-stabilization applies.
const scaleDownDefaults = () => ({ selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] });

/** copyHPAScalingRules: what the user set wins, field by field. */
function scalingRules(given: any, defaults: Record<string, unknown>): Record<string, unknown> {
  if (!isObject(given)) return defaults;
  const rules = { ...defaults };
  for (const k of ['selectPolicy', 'stabilizationWindowSeconds', 'policies']) if (given[k] != null) rules[k] = given[k];
  return rules;
}

function defaultHPA(hpa: KubeObject): void {
  const spec = (hpa.spec ??= {});
  spec.minReplicas ??= 1;
  if (arrayOf(spec.metrics).length === 0) {
    spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
  }
  if (isObject(spec.behavior)) {
    spec.behavior.scaleUp = scalingRules(spec.behavior.scaleUp, scaleUpDefaults());
    spec.behavior.scaleDown = scalingRules(spec.behavior.scaleDown, scaleDownDefaults());
  }
}

// ---- validation ----

const sourceTypes: Record<string, string> = {
  ContainerResource: 'containerResource', External: 'external', Object: 'object', Pods: 'pods', Resource: 'resource',
};

function metricErrors(metric: any, path: string): FieldError[] {
  if (!metric?.type) return [field.required(`${path}.type`, 'must specify a metric source type')];
  const source = sourceTypes[metric.type];
  if (!source) return [field.notSupported(`${path}.type`, metric.type, Object.keys(sourceTypes))];
  const present = Object.values(sourceTypes).filter((k) => isObject(metric[k]));
  const errs: FieldError[] = [];
  if (!present.includes(source)) errs.push(field.required(`${path}.${source}`, 'must populate information for the given metric source'));
  if (present.length > 1 || (present.length === 1 && present[0] !== source)) {
    errs.push(field.forbidden(path, 'must populate the given metric source only'));
  }
  const target = metric[source]?.target;
  if (isObject(target) && typeof target.averageUtilization === 'number' && target.averageUtilization <= 0) {
    errs.push(field.invalid(`${path}.${source}.target.averageUtilization`, target.averageUtilization, 'must be greater than 0'));
  }
  return errs;
}

/** validateHorizontalPodAutoscalerSpec (HPAScaleToZero off: minReplicas ≥ 1). */
function validateHPA(hpa: KubeObject): FieldError[] {
  const spec = hpa.spec ?? {};
  const errs: FieldError[] = [];
  if (typeof spec.minReplicas === 'number' && spec.minReplicas < 1) {
    errs.push(field.invalid('spec.minReplicas', spec.minReplicas, 'must be greater than or equal to 1'));
  }
  const max = int(spec.maxReplicas);
  if (max < 1) errs.push(field.invalid('spec.maxReplicas', max, 'must be greater than 0'));
  if (typeof spec.minReplicas === 'number' && max < spec.minReplicas) {
    errs.push(field.invalid('spec.maxReplicas', max, 'must be greater than or equal to `minReplicas`'));
  }
  // ValidateCrossVersionObjectReference; metrics are checked only when the reference is valid.
  const ref = isObject(spec.scaleTargetRef) ? spec.scaleTargetRef : {};
  const refErrs: FieldError[] = [];
  for (const k of ['kind', 'name'] as const) {
    const value = str(ref[k]);
    if (ref[k] === '') refErrs.push(field.required(`spec.scaleTargetRef.${k}`, '')); // absent: the schema's required list
    else for (const msg of isValidPathSegmentName(value)) refErrs.push(field.invalid(`spec.scaleTargetRef.${k}`, value, msg));
  }
  if (refErrs.length) return [...errs, ...refErrs];
  arrayOf(spec.metrics).forEach((m, i) => errs.push(...metricErrors(m, `spec.metrics[${i}]`)));
  return errs;
}

// ---- printing ----

const quantity = (v: unknown) => (v === undefined || v === null ? '<unknown>' : String(v));

/** One entry of formatHPAMetrics: `cpu: 40%/80%`, `<unknown>/500m (avg)`, ... */
function formatMetric(spec: any, status: any): string {
  switch (spec?.type) {
    case 'External':
    case 'Object': {
      const key = spec.type === 'External' ? 'external' : 'object';
      const target = spec[key]?.target ?? {};
      if (target.averageValue != null) {
        return `${quantity(status?.[key]?.current?.averageValue)}/${target.averageValue} (avg)`;
      }
      const current = isObject(status?.[key]) ? quantity(status[key].current?.value) : '<unknown>';
      return `${current}/${quantity(target.value)}`;
    }
    case 'Pods':
      return `${isObject(status?.pods) ? quantity(status.pods.current?.averageValue) : '<unknown>'}/${quantity(spec.pods?.target?.averageValue)}`;
    case 'Resource':
    case 'ContainerResource': {
      const key = spec.type === 'Resource' ? 'resource' : 'containerResource';
      const source = spec[key] ?? {};
      const target = source.target ?? {};
      if (target.averageValue != null) {
        const current = isObject(status?.[key]) ? quantity(status[key].current?.averageValue) : '<unknown>';
        return `${str(source.name)}: ${current}/${target.averageValue}`;
      }
      const utilization = status?.[key]?.current?.averageUtilization;
      const current = typeof utilization === 'number' ? `${utilization}%` : '<unknown>';
      const goal = typeof target.averageUtilization === 'number' ? `${target.averageUtilization}%` : '<auto>';
      return `${str(source.name)}: ${current}/${goal}`;
    }
    default:
      return '<unknown type>';
  }
}

/** formatHPAMetrics: at most two targets, then `+ N more...`. */
function formatMetrics(hpa: KubeObject): string {
  const specs = arrayOf(hpa.spec?.metrics);
  if (specs.length === 0) return '<none>';
  const statuses = arrayOf(hpa.status?.currentMetrics);
  const list = specs.map((s, i) => formatMetric(s, statuses[i]));
  return list.length > 2 ? `${list.slice(0, 2).join(', ')} + ${list.length - 2} more...` : list.join(', ');
}

const hpaSpec = (f: string): [string, string] => ['io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerSpec', f];

export const horizontalPodAutoscalerResource: ResourceDef = {
  group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers', singular: 'horizontalpodautoscaler',
  shortNames: ['hpa'], categories: ['all'], namespaced: true, verbs: allVerbs, subresources: ['status'],
  schema: 'io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler',
  columns: [
    docColumn('Reference', 'string', hpaSpec('scaleTargetRef'), (o) => `${str(o.spec?.scaleTargetRef?.kind)}/${str(o.spec?.scaleTargetRef?.name)}`),
    docColumn('Targets', 'string', hpaSpec('metrics'), formatMetrics),
    docColumn('MinPods', 'string', hpaSpec('minReplicas'), (o) => (typeof o.spec?.minReplicas === 'number' ? String(o.spec.minReplicas) : '<unset>')),
    docColumn('MaxPods', 'string', hpaSpec('maxReplicas'), (o) => int(o.spec?.maxReplicas)),
    docColumn('Replicas', 'string', ['io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerStatus', 'currentReplicas'], (o) => int(o.status?.currentReplicas)),
    ageColumn,
  ],
  strategy: {
    defaults: defaultHPA,
    // A v2 status prints currentMetrics even when empty (no omitempty).
    prepareForCreate: (hpa) => {
      hpa.status = { currentMetrics: null, desiredReplicas: 0 };
    },
    validate: validateHPA,
  },
};
