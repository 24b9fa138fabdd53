// The HPA's replica arithmetic, as kube's pkg/controller/podautoscaler/replica_calculator.go:
// pods grouped into ready, unready (Pending, or cpu not yet settled), missing (no metric)
// and ignored (terminating, Failed); the usage ratio over the ready pods' metrics; the
// tolerance (no change within ±10% of the target); and, when pods are missing or unready,
// the conservative assumptions: a missing pod used 100% (or the target, if higher) when
// scaling down and 0 when scaling up, an unready pod 0 when scaling up, and no change if
// those assumptions flip the direction. Values are milli-units (Quantity.MilliValue).
import type { Pod } from '../../api/core-v1.ts';
import { parseQuantity } from '../../api/pod-resources.ts';
import { runningContainers } from '../../api/usage-model.ts';

/** One pod's metric: the sum over its containers, and when and over what window it was sampled. */
export interface PodMetric {
  value: number;
  timestamp: number;
  windowMs: number;
}

export type PodMetrics = Map<string, PodMetric>;

export interface CalculatorOptions {
  /** --horizontal-pod-autoscaler-tolerance. */
  tolerance: number;
  /** --horizontal-pod-autoscaler-cpu-initialization-period, in ms. */
  cpuInitializationPeriodMs: number;
  /** --horizontal-pod-autoscaler-initial-readiness-delay, in ms. */
  delayOfInitialReadinessStatusMs: number;
  now: number;
}

/** An error whose message is kube's, to be shown in conditions and events. */
export class MetricError extends Error {}

export interface PodGroups {
  readyPodCount: number;
  unready: Set<string>;
  missing: Set<string>;
  ignored: Set<string>;
}

/** groupPods. */
export function groupPods(pods: Pod[], metrics: PodMetrics, resource: string, opts: CalculatorOptions): PodGroups {
  const groups: PodGroups = { readyPodCount: 0, unready: new Set(), missing: new Set(), ignored: new Set() };
  for (const pod of pods) {
    const name = pod.metadata.name!;
    if (pod.metadata.deletionTimestamp || pod.status?.phase === 'Failed') {
      groups.ignored.add(name);
      continue;
    }
    if (pod.status?.phase === 'Pending') {
      groups.unready.add(name);
      continue;
    }
    const metric = metrics.get(name);
    if (!metric) {
      groups.missing.add(name);
      continue;
    }
    if (resource === 'cpu' && isCpuUnready(pod, metric, opts)) {
      groups.unready.add(name);
      continue;
    }
    groups.readyPodCount++;
  }
  return groups;
}

/**
 * A cpu sample is not trusted while the pod is starting: within the initialization period
 * when the pod is unready or the sample predates one window after its last readiness change;
 * after it, only when the pod is unready and has never been ready.
 */
function isCpuUnready(pod: Pod, metric: PodMetric, opts: CalculatorOptions): boolean {
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
  const startTime = Date.parse(pod.status?.startTime ?? '');
  if (!ready || Number.isNaN(startTime)) return true;
  const transition = Date.parse((ready as { lastTransitionTime?: string }).lastTransitionTime ?? '') || 0;
  if (startTime + opts.cpuInitializationPeriodMs > opts.now) {
    return ready.status === 'False' || metric.timestamp < transition + metric.windowMs;
  }
  return ready.status === 'False' && startTime + opts.delayOfInitialReadinessStatusMs > transition;
}

/** calculatePodRequests: each pod's summed request (milli), or kube's error when a container has none. */
export function podRequests(pods: Pod[], resource: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const pod of pods) {
    let sum = 0;
    for (const c of runningContainers(pod)) {
      const request = c.resources?.requests?.[resource];
      if (request === undefined) throw new MetricError(`missing request for ${resource} in container ${c.name} of Pod ${pod.metadata.name}`);
      sum += parseQuantity(request, true);
    }
    out.set(pod.metadata.name!, sum);
  }
  return out;
}

/** GetResourceUtilizationRatio: usage over requests of the pods that have both, in whole percent. */
export function utilizationRatio(metrics: PodMetrics, requests: Map<string, number>, targetUtilization: number) {
  let metricsTotal = 0, requestsTotal = 0, entries = 0;
  for (const [name, metric] of metrics) {
    const request = requests.get(name);
    if (request === undefined) continue;
    metricsTotal += metric.value;
    requestsTotal += request;
    entries++;
  }
  if (requestsTotal === 0) throw new MetricError('no metrics returned matched known pods');
  const utilization = Math.trunc((metricsTotal * 100) / requestsTotal);
  return { ratio: utilization / targetUtilization, utilization, rawAverage: Math.trunc(metricsTotal / entries) };
}

/** GetMetricUsageRatio: the average usage over the target. */
function usageRatio(metrics: PodMetrics, targetUsage: number) {
  let total = 0;
  for (const m of metrics.values()) total += m.value;
  const average = Math.trunc(total / metrics.size);
  return { ratio: average / targetUsage, average };
}

interface Proposal {
  replicas: number;
  /** Utilization in percent (utilization targets only). */
  utilization?: number;
  /** The average usage per pod, in milli-units. */
  rawAverage: number;
}

function withoutUntrusted(metrics: PodMetrics, groups: PodGroups): PodMetrics {
  const kept = new Map(metrics);
  for (const name of [...groups.ignored, ...groups.unready]) kept.delete(name);
  if (kept.size === 0) throw new MetricError('did not receive metrics for targeted pods (pods might be unready)');
  return kept;
}

function requireSomePods(pods: Pod[]): void {
  if (pods.length === 0) throw new MetricError('no pods returned by selector while calculating replica count');
}

/**
 * The conservative second pass: fill missing and unready pods with assumed values, and keep
 * the current count if that lands within tolerance, flips the direction, or moves the wrong way.
 */
function rebalance(current: number, ratio: number, filled: PodMetrics, newRatio: number, tolerance: number): number {
  if (Math.abs(1 - newRatio) <= tolerance || (ratio < 1 && newRatio > 1) || (ratio > 1 && newRatio < 1)) return current;
  const replicas = Math.ceil(newRatio * filled.size);
  if ((newRatio < 1 && replicas > current) || (newRatio > 1 && replicas < current)) return current;
  return replicas;
}

/** GetResourceReplicas: a Utilization target (percent of request). */
export function resourceReplicas(current: number, targetUtilization: number, resource: string, pods: Pod[], metrics: PodMetrics, opts: CalculatorOptions): Proposal {
  requireSomePods(pods);
  const groups = groupPods(pods, metrics, resource, opts);
  const trusted = withoutUntrusted(metrics, groups);
  const requests = podRequests(pods, resource);
  const { ratio, utilization, rawAverage } = utilizationRatio(trusted, requests, targetUtilization);
  const scaleUpWithUnready = groups.unready.size > 0 && ratio > 1;
  if (!scaleUpWithUnready && groups.missing.size === 0) {
    const replicas = Math.abs(1 - ratio) <= opts.tolerance ? current : Math.ceil(ratio * groups.readyPodCount);
    return { replicas, utilization, rawAverage };
  }
  const filled = new Map(trusted);
  const fallback = Math.max(100, targetUtilization);
  for (const name of groups.missing) {
    if (ratio < 1) filled.set(name, { value: Math.trunc((requests.get(name) ?? 0) * fallback / 100), timestamp: 0, windowMs: 0 });
    else if (ratio > 1) filled.set(name, { value: 0, timestamp: 0, windowMs: 0 });
  }
  if (scaleUpWithUnready) for (const name of groups.unready) filled.set(name, { value: 0, timestamp: 0, windowMs: 0 });
  const newRatio = utilizationRatio(filled, requests, targetUtilization).ratio;
  return { replicas: rebalance(current, ratio, filled, newRatio, opts.tolerance), utilization, rawAverage };
}

/** GetRawResourceReplicas / calcPlainMetricReplicas: an AverageValue target (milli-units per pod). */
export function rawResourceReplicas(current: number, targetUsage: number, resource: string, pods: Pod[], metrics: PodMetrics, opts: CalculatorOptions): Proposal {
  requireSomePods(pods);
  const groups = groupPods(pods, metrics, resource, opts);
  const trusted = withoutUntrusted(metrics, groups);
  const { ratio, average } = usageRatio(trusted, targetUsage);
  const scaleUpWithUnready = groups.unready.size > 0 && ratio > 1;
  if (!scaleUpWithUnready && groups.missing.size === 0) {
    const replicas = Math.abs(1 - ratio) <= opts.tolerance ? current : Math.ceil(ratio * groups.readyPodCount);
    return { replicas, rawAverage: average };
  }
  const filled = new Map(trusted);
  for (const name of groups.missing) filled.set(name, { value: ratio < 1 ? targetUsage : 0, timestamp: 0, windowMs: 0 });
  if (scaleUpWithUnready) for (const name of groups.unready) filled.set(name, { value: 0, timestamp: 0, windowMs: 0 });
  const newRatio = usageRatio(filled, targetUsage).ratio;
  return { replicas: rebalance(current, ratio, filled, newRatio, opts.tolerance), rawAverage: average };
}
