// The metrics.k8s.io/v1beta1 resources as discovery lists them when metrics-server is
// registered behind kube-apiserver's aggregator: `nodes` (NodeMetrics, cluster-scoped) and
// `pods` (PodMetrics, namespaced), get and list only, no singular name. They are rows of the
// catalog so that every discovery form lists them; nothing of theirs is stored: the
// metrics API plugin (server/metrics-api.ts) answers their reads and the generic routes
// refuse every other verb with 405.
import type { KubeObject } from '../api/types.ts';
import type { ResourceDef, TableColumn } from '../registry/types.ts';
import { formatBytes, formatNanocores, parseBytes, parseNanocores } from '../api/metrics-quantity.ts';

export const metricsGroup = 'metrics.k8s.io';
export const metricsVersion = 'v1beta1';

interface Usage {
  cpu?: string;
  memory?: string;
}

/** A NodeMetrics' usage, or the sum of a PodMetrics' containers. */
export function totalUsage(obj: KubeObject): { cpu: number; memory: number } {
  const usages: Usage[] = obj.kind === 'NodeMetrics' ? [obj.usage as Usage] : ((obj.containers as { usage: Usage }[] | undefined) ?? []).map((c) => c.usage);
  return usages.reduce((sum, u) => ({
    cpu: sum.cpu + (parseNanocores(u?.cpu) ?? 0),
    memory: sum.memory + (parseBytes(u?.memory) ?? 0),
  }), { cpu: 0, memory: 0 });
}

// metrics-server's ConvertToTable: Name, then one quantity column per resource (sorted), then Window.
const columns: TableColumn[] = [
  { name: 'cpu', type: 'string', format: 'quantity', description: '', priority: 0, cell: (o) => formatNanocores(totalUsage(o).cpu) },
  { name: 'memory', type: 'string', format: 'quantity', description: '', priority: 0, cell: (o) => formatBytes(totalUsage(o).memory) },
  { name: 'Window', type: 'string', format: 'duration', description: '', priority: 0, cell: (o) => o.window },
];

function metricsResource(kind: string, plural: string, namespaced: boolean): ResourceDef {
  return {
    group: metricsGroup, version: metricsVersion, kind, plural, singular: '', shortNames: [], categories: [], namespaced,
    verbs: ['get', 'list'], subresources: [], schema: `io.k8s.metrics.pkg.apis.metrics.v1beta1.${kind}`, columns, strategy: {},
  };
}

export const nodeMetricsResource = metricsResource('NodeMetrics', 'nodes', false);
export const podMetricsResource = metricsResource('PodMetrics', 'pods', true);
export const metricsResources: ResourceDef[] = [nodeMetricsResource, podMetricsResource];
