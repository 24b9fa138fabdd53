// autoscaling/v1 HorizontalPodAutoscaler: the same objects as autoscaling/v2 (stored as v2),
// converted as kube's pkg/apis/autoscaling/v1 conversion does. v1 has one metric,
// targetCPUUtilizationPercentage; whatever v2 holds beyond it travels in annotations
// (autoscaling.alpha.kubernetes.io/metrics, /behavior, /conditions, /current-metrics) so a
// v1 client's round trip loses nothing. `kubectl autoscale` creates through this version.
import type { KubeObject } from '../../api/types.ts';
import { convertedStorage } from '../converted-storage.ts';
import type { ResourceDef } from '../types.ts';
import { horizontalPodAutoscalerResource as v2 } from './autoscaling.ts';
import { arrayOf, isObject } from './podspec.ts';
import { withCell } from './workload.ts';

const annotation = {
  metrics: 'autoscaling.alpha.kubernetes.io/metrics',
  behavior: 'autoscaling.alpha.kubernetes.io/behavior',
  conditions: 'autoscaling.alpha.kubernetes.io/conditions',
  currentMetrics: 'autoscaling.alpha.kubernetes.io/current-metrics',
};

const isCpuUtilization = (m: any) => m?.type === 'Resource' && m.resource?.name === 'cpu' && m.resource?.target?.type === 'Utilization';

function parsed(annotations: Record<string, string>, key: string): unknown[] | Record<string, unknown> | undefined {
  const text = annotations[key];
  delete annotations[key];
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** v2 → v1. */
export function toV1(hpa: KubeObject): KubeObject {
  const spec = hpa.spec ?? {};
  const status = hpa.status ?? {};
  const annotations: Record<string, string> = { ...hpa.metadata.annotations };
  const metrics = arrayOf(spec.metrics);
  const cpu = metrics.find(isCpuUtilization);
  const others = metrics.filter((m) => m !== cpu);
  if (others.length) annotations[annotation.metrics] = JSON.stringify(others);
  if (isObject(spec.behavior)) annotations[annotation.behavior] = JSON.stringify(spec.behavior);
  const current = arrayOf(status.currentMetrics);
  const currentCpu = current.find((m) => m?.type === 'Resource' && m.resource?.name === 'cpu');
  const otherCurrent = current.filter((m) => m !== currentCpu);
  if (otherCurrent.length) annotations[annotation.currentMetrics] = JSON.stringify(otherCurrent);
  if (arrayOf(status.conditions).length) annotations[annotation.conditions] = JSON.stringify(status.conditions);
  const metadata: KubeObject['metadata'] = { ...hpa.metadata, annotations };
  if (!Object.keys(annotations).length) delete metadata.annotations;
  const v1Status: Record<string, unknown> = {};
  for (const k of ['observedGeneration', 'lastScaleTime']) if (status[k] !== undefined) v1Status[k] = status[k];
  v1Status.currentReplicas = status.currentReplicas ?? 0;
  v1Status.desiredReplicas = status.desiredReplicas ?? 0;
  if (typeof currentCpu?.resource?.current?.averageUtilization === 'number') v1Status.currentCPUUtilizationPercentage = currentCpu.resource.current.averageUtilization;
  const v1Spec: Record<string, unknown> = { scaleTargetRef: spec.scaleTargetRef };
  if (spec.minReplicas !== undefined) v1Spec.minReplicas = spec.minReplicas;
  v1Spec.maxReplicas = spec.maxReplicas;
  if (cpu) v1Spec.targetCPUUtilizationPercentage = cpu.resource.target.averageUtilization;
  return { ...hpa, apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata, spec: v1Spec, status: v1Status };
}

/** v1 → v2, with v2's defaults (no target at all means 80% cpu). */
export function toV2(hpa: KubeObject): KubeObject {
  const spec = hpa.spec ?? {};
  const status = hpa.status ?? {};
  const annotations: Record<string, string> = { ...hpa.metadata.annotations };
  const metrics: unknown[] = [];
  if (typeof spec.targetCPUUtilizationPercentage === 'number') {
    metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage } } });
  }
  metrics.push(...arrayOf(parsed(annotations, annotation.metrics)));
  const behavior = parsed(annotations, annotation.behavior);
  const currentMetrics: unknown[] = [];
  if (typeof status.currentCPUUtilizationPercentage === 'number') {
    currentMetrics.push({ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: status.currentCPUUtilizationPercentage } } });
  }
  currentMetrics.push(...arrayOf(parsed(annotations, annotation.currentMetrics)));
  const conditions = arrayOf(parsed(annotations, annotation.conditions));
  const metadata: KubeObject['metadata'] = { ...hpa.metadata, annotations };
  if (!Object.keys(annotations).length) delete metadata.annotations;
  const v2Spec: Record<string, unknown> = { scaleTargetRef: spec.scaleTargetRef, minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas };
  if (metrics.length) v2Spec.metrics = metrics;
  if (isObject(behavior)) v2Spec.behavior = behavior;
  const v2Status: Record<string, unknown> = { currentMetrics: currentMetrics.length ? currentMetrics : null, desiredReplicas: status.desiredReplicas ?? 0 };
  for (const k of ['observedGeneration', 'lastScaleTime']) if (status[k] !== undefined) v2Status[k] = status[k];
  if (status.currentReplicas) v2Status.currentReplicas = status.currentReplicas;
  if (conditions.length) v2Status.conditions = conditions;
  const out: KubeObject = { ...hpa, apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata, spec: v2Spec, status: v2Status };
  v2.strategy.defaults?.(out);
  return out;
}

export const horizontalPodAutoscalerV1Resource: ResourceDef = {
  ...v2,
  version: 'v1',
  schema: 'io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler',
  // Printed as kube prints every version: from the internal (v2) form.
  columns: v2.columns.map((c) => withCell(c, (obj, now) => c.cell(toV2(obj), now))),
  storageView: (inner) => convertedStorage(inner, { toServed: toV1, toStored: toV2 }),
  strategy: {
    defaults: (hpa) => {
      (hpa.spec ??= {}).minReplicas ??= 1;
    },
    prepareForCreate: (hpa) => {
      hpa.status = { currentReplicas: 0, desiredReplicas: 0 };
    },
    validate: (hpa) => v2.strategy.validate?.(toV2(hpa)) ?? [],
  },
};
