// computeReplicasForMetrics: one proposal per metric of spec.metrics, the largest wins; a
// metric that cannot be computed sets ScalingActive=False with its reason and a Warning
// event, as kube does. Resource and ContainerResource metrics come from metrics.k8s.io;
// Pods, Object and External metrics need the custom/external metrics APIs, which kubelite
// does not serve, so they fail as they do on a cluster without an adapter.
import type { ApiClient, EventRecorder, ObjectReference } from '../../client/index.ts';
import { labelMatcher, parseLabelSelector } from '../../client/index.ts';
import type { Pod } from '../../api/core-v1.ts';
import { parseQuantity } from '../../api/pod-resources.ts';
import { resourceMetrics } from './metrics-client.ts';
import { MetricError, rawResourceReplicas, resourceReplicas, type CalculatorOptions } from './replica-calculator.ts';
import { formatMilliQuantity, setCondition, type HpaStatus } from './status.ts';

export interface MetricTarget {
  type?: 'Utilization' | 'AverageValue' | 'Value';
  averageUtilization?: number;
  averageValue?: string;
  value?: string;
}

export interface MetricSpec {
  type: string;
  resource?: { name: string; target?: MetricTarget };
  containerResource?: { name: string; container: string; target?: MetricTarget };
  pods?: { metric?: { name?: string } };
  object?: { metric?: { name?: string } };
  external?: { metric?: { name?: string } };
}

export interface MetricsInput {
  client: ApiClient;
  recorder: EventRecorder;
  ref: ObjectReference;
  namespace: string;
  specReplicas: number;
  selector: string;
  /** The pods of the HPA's namespace (the informer's cache); the selector picks the target's. */
  pods: Pod[];
  calculator: CalculatorOptions;
}

export interface MetricsResult {
  /** -1 when no replica count could be computed. */
  replicas: number;
  metricName: string;
  statuses: unknown[];
  error?: string;
}

/** The failure of one metric: the reason of its condition and event, and kube's message. */
class FailedMetric extends Error {
  constructor(readonly reason: string, message: string) {
    super(message);
  }
}

const failureReasons: Record<string, string> = {
  Resource: 'FailedGetResourceMetric', ContainerResource: 'FailedGetContainerResourceMetric',
  Pods: 'FailedGetPodsMetric', Object: 'FailedGetObjectMetric', External: 'FailedGetExternalMetric',
};

async function computeMetric(spec: MetricSpec, m: MetricsInput): Promise<{ replicas: number; name: string; status: unknown }> {
  const source = spec.type === 'Resource' ? spec.resource : spec.type === 'ContainerResource' ? spec.containerResource : undefined;
  if (!source) {
    const metricName = (spec.pods ?? spec.object ?? spec.external)?.metric?.name ?? '';
    const api = spec.type === 'External' ? 'external metrics API (external.metrics.k8s.io)' : 'custom metrics API (custom.metrics.k8s.io)';
    const reason = failureReasons[spec.type] ?? 'InvalidMetricSourceType';
    if (!failureReasons[spec.type]) throw new FailedMetric(reason, `unknown metric source type "${spec.type}"`);
    throw new FailedMetric(reason, `unable to get metric ${metricName}: no ${api} registered`);
  }
  const container = spec.type === 'ContainerResource' ? spec.containerResource!.container : undefined;
  const name = source.name;
  const target = source.target ?? {};
  const selected = m.pods.filter((p) => labelMatcher(m.selector)(p.metadata.labels));
  const key = spec.type === 'Resource' ? 'resource' : 'containerResource';
  const status = (current: Record<string, unknown>) => ({ type: spec.type, [key]: { name, ...(container && { container }), current } });
  try {
    if (target.averageValue !== undefined) {
      const metrics = await resourceMetrics(m.client, name, m.namespace, m.selector, container).catch((err) => {
        throw new MetricError(`unable to get metrics for resource ${name}: ${err.message}`);
      });
      const p = rawResourceReplicas(m.specReplicas, parseQuantity(target.averageValue, true), name, selected, metrics, m.calculator);
      return { replicas: p.replicas, name: `${name} resource`, status: status({ averageValue: formatMilliQuantity(p.rawAverage) }) };
    }
    if (target.averageUtilization === undefined) {
      throw new MetricError('invalid resource metric source: neither an average utilization target nor an average value (usage) target was set');
    }
    const metrics = await resourceMetrics(m.client, name, m.namespace, m.selector, container).catch((err) => {
      throw new MetricError(`unable to get metrics for resource ${name}: ${err.message}`);
    });
    const p = resourceReplicas(m.specReplicas, target.averageUtilization, name, selected, metrics, m.calculator);
    const what = container ? 'container resource' : 'resource';
    return {
      replicas: p.replicas, name: `${name} ${what} utilization (percentage of request)`,
      status: status({ averageUtilization: p.utilization, averageValue: formatMilliQuantity(p.rawAverage) }),
    };
  } catch (err) {
    if (!(err instanceof MetricError)) throw err;
    const kind = target.averageValue !== undefined ? 'usage' : 'utilization';
    throw new FailedMetric(failureReasons[spec.type], `failed to get ${name} ${kind}: ${err.message}`);
  }
}

export async function computeReplicasForMetrics(status: HpaStatus, specs: MetricSpec[], m: MetricsInput, now: number): Promise<MetricsResult> {
  try {
    parseLabelSelector(m.selector);
  } catch (err) {
    m.recorder.event(m.ref, 'Warning', 'InvalidSelector', `couldn't convert selector into a corresponding internal selector object: ${err instanceof Error ? err.message : String(err)}`);
    setCondition(status, 'ScalingActive', 'False', 'InvalidSelector', 'the HPA target\'s scale has an invalid selector', now);
    return { replicas: -1, metricName: '', statuses: [], error: 'invalid selector' };
  }
  const statuses: unknown[] = specs.map(() => ({ type: '' }));
  let replicas = 0, metricName = '', invalid = 0;
  let firstFailure: FailedMetric | undefined;
  let failedSpec: MetricSpec | undefined;
  for (const [i, spec] of specs.entries()) {
    try {
      const proposal = await computeMetric(spec, m);
      statuses[i] = proposal.status;
      if (replicas === 0 || proposal.replicas > replicas) [replicas, metricName] = [proposal.replicas, proposal.name];
    } catch (err) {
      if (!(err instanceof FailedMetric)) throw err;
      m.recorder.event(m.ref, 'Warning', err.reason, err.message);
      if (!firstFailure) [firstFailure, failedSpec] = [err, spec];
      invalid++;
    }
  }
  const error = firstFailure && `invalid metrics (${invalid} invalid out of ${specs.length}), first error is: failed to get ${metricNameOf(failedSpec!)} metric value: ${firstFailure.message}`;
  if (firstFailure && (invalid >= specs.length || replicas < m.specReplicas)) {
    setCondition(status, 'ScalingActive', 'False', firstFailure.reason, `the HPA was unable to compute the replica count: ${firstFailure.message}`, now);
    return { replicas: -1, metricName: '', statuses, error };
  }
  setCondition(status, 'ScalingActive', 'True', 'ValidMetricFound', `the HPA was able to successfully calculate a replica count from ${metricName}`, now);
  return { replicas, metricName, statuses, error };
}

/** How kube's computeReplicasForMetric names a metric in "failed to get <x> metric value". */
function metricNameOf(spec: MetricSpec): string {
  switch (spec.type) {
    case 'Resource': return `${spec.resource?.name} resource`;
    case 'ContainerResource': return `${spec.containerResource?.name} container`;
    case 'External': return `${spec.external?.metric?.name ?? ''} external`;
    default: return spec.type.toLowerCase();
  }
}
