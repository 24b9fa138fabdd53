// The HPA's resource metrics client (kube's pkg/controller/podautoscaler/metrics,
// resourceMetricsClient): PodMetrics listed from metrics.k8s.io/v1beta1 over the API, like
// any client behind the aggregator, each pod's value summed over its containers (or one
// container's), in milli-units. A pod missing the resource in any container is left out.
import type { ApiClient, ResourceDescriptor } from '../../client/index.ts';
import type { KubeObject } from '../../api/types.ts';
import { parseQuantity } from '../../api/pod-resources.ts';
import { MetricError, type PodMetrics } from './replica-calculator.ts';

export const podMetricsResource: ResourceDescriptor = {
  group: 'metrics.k8s.io', version: 'v1beta1', resource: 'pods', kind: 'PodMetrics', namespaced: true,
};

interface PodMetricsObject extends KubeObject {
  timestamp?: string;
  window?: string;
  containers?: { name: string; usage?: Record<string, string> }[];
}

/** metav1.Duration text (`15s`, `1m0s`, `500ms`) in ms. */
function durationMs(text: string | undefined): number {
  let ms = 0;
  for (const [, n, unit] of (text ?? '').matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
    ms += Number(n) * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as Record<string, number>)[unit];
  }
  return ms;
}

export async function resourceMetrics(client: ApiClient, resource: string, namespace: string, selector: string, container?: string): Promise<PodMetrics> {
  let items: PodMetricsObject[];
  try {
    items = (await client.list<PodMetricsObject>(podMetricsResource, { namespace, labelSelector: selector || undefined })).items ?? [];
  } catch (err) {
    throw new MetricError(`unable to fetch metrics from resource metrics API: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (items.length === 0) throw new MetricError('no metrics returned from resource metrics API');
  const out: PodMetrics = new Map();
  for (const m of items) {
    let sum = 0;
    let missing = false;
    for (const c of m.containers ?? []) {
      if (container && c.name !== container) continue;
      const usage = c.usage?.[resource];
      if (usage === undefined) {
        missing = true;
        break;
      }
      sum += parseQuantity(usage, true);
    }
    if (!missing) out.set(m.metadata.name!, { value: sum, timestamp: Date.parse(m.timestamp ?? '') || 0, windowMs: durationMs(m.window) });
  }
  return out;
}
