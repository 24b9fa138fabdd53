// PodMetrics and NodeMetrics computed on request from the pods and nodes in the API server's
// watch cache, as metrics-server's API storage answers from its informers and last scrape:
// lists filtered by label selector and by metadata field selector, sorted by namespace and
// name; a pod that is not Running (or a node that is not Ready) has no metrics.
import { errors } from '../api/errors.ts';
import type { KubeObject } from '../api/types.ts';
import type { Registry } from '../registry/registry.ts';
import { parseFieldSelector } from '../registry/selectors/field-selector.ts';
import type { Node, Pod } from '../api/core-v1.ts';
import { formatBytes, formatNanocores } from '../api/metrics-quantity.ts';
import { metricsGroup, metricsVersion } from './resources.ts';
import { defaultUsageModel, nodeUsage, podUsage, type UsageModel } from '../api/usage-model.ts';

const apiVersion = `${metricsGroup}/${metricsVersion}`;

/**
 * metrics-server filters on ObjectMeta fields only and accepts any field label (an unknown
 * one simply matches nothing), so every name parses here.
 */
const anyFieldLabel: ReadonlySet<string> = { has: () => true } as unknown as ReadonlySet<string>;

export interface MetricsQuery {
  labelSelector?: string;
  fieldSelector?: string;
}

/** metav1.Duration as Go prints it: `15s`, `1m0s`, `500ms`. */
export function goDuration(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  const m = Math.floor(seconds / 60);
  const s = Number((seconds - m * 60).toFixed(3));
  return m ? `${m}m${s}s` : `${s}s`;
}

const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export class MetricsSource {
  constructor(private readonly registry: Registry, private readonly model: UsageModel = defaultUsageModel) {}

  private def(plural: 'pods' | 'nodes') {
    return this.registry.catalog.lookup('', 'v1', plural)!;
  }

  /** The last "scrape": the start of the current resolution period, and the window it covers. */
  private sample(now: number): { timestamp: string; window: string } {
    const period = this.model.resolutionSeconds * 1000;
    return { timestamp: rfc3339(Math.floor(now / period) * period), window: goDuration(this.model.resolutionSeconds) };
  }

  private async objects<T extends KubeObject>(plural: 'pods' | 'nodes', namespace: string | undefined, q: MetricsQuery): Promise<T[]> {
    const page = await this.registry.list(this.def(plural), namespace, { labelSelector: q.labelSelector });
    const items = page.items.map((i) => i.object as T);
    if (!q.fieldSelector) return items;
    const fields = parseFieldSelector(q.fieldSelector, anyFieldLabel);
    const meta = (o: T) => (f: string) => (f === 'metadata.name' ? o.metadata.name : f === 'metadata.namespace' ? o.metadata.namespace ?? '' : '');
    return items.filter((o) => fields.matches(meta(o)));
  }

  private podMetrics(pod: Pod, now: number): KubeObject | undefined {
    const usage = podUsage(pod, this.model);
    if (!usage) return undefined;
    const { name, namespace, labels } = pod.metadata;
    return {
      kind: 'PodMetrics', apiVersion,
      metadata: { name, namespace, creationTimestamp: rfc3339(now), ...(labels && { labels }) },
      ...this.sample(now),
      containers: usage.map((c) => ({ name: c.name, usage: { cpu: formatNanocores(c.cpu), memory: formatBytes(c.memory) } })),
    };
  }

  private nodeMetrics(node: Node, pods: Pod[], now: number): KubeObject | undefined {
    const usage = nodeUsage(node, pods, this.model);
    if (!usage) return undefined;
    const { name, labels } = node.metadata;
    return {
      kind: 'NodeMetrics', apiVersion,
      metadata: { name, creationTimestamp: rfc3339(now), ...(labels && { labels }) },
      ...this.sample(now),
      usage: { cpu: formatNanocores(usage.cpu), memory: formatBytes(usage.memory) },
    };
  }

  async listPodMetrics(namespace: string | undefined, q: MetricsQuery, now = Date.now()): Promise<KubeObject[]> {
    const pods = await this.objects<Pod>('pods', namespace, q);
    return sortByKey(pods.flatMap((p) => this.podMetrics(p, now) ?? []));
  }

  /** A missing pod answers as the pod lister does; a pod without metrics as metrics-server does. */
  async getPodMetrics(namespace: string, name: string, now = Date.now()): Promise<KubeObject> {
    const [pod] = await this.objects<Pod>('pods', namespace, { fieldSelector: `metadata.name=${name}` });
    if (!pod) throw errors.notFound({ group: '', resource: 'pods' }, name);
    const metrics = this.podMetrics(pod, now);
    if (!metrics) throw errors.notFound({ group: metricsGroup, resource: 'podmetrics' }, `${namespace}/${name}`);
    return metrics;
  }

  async listNodeMetrics(q: MetricsQuery, now = Date.now()): Promise<KubeObject[]> {
    const nodes = await this.objects<Node>('nodes', undefined, q);
    const byNode = await this.podsByNode();
    return sortByKey(nodes.flatMap((n) => this.nodeMetrics(n, byNode.get(n.metadata.name!) ?? [], now) ?? []));
  }

  async getNodeMetrics(name: string, now = Date.now()): Promise<KubeObject> {
    const [node] = await this.objects<Node>('nodes', undefined, { fieldSelector: `metadata.name=${name}` });
    if (!node) throw errors.notFound({ group: '', resource: 'node' }, name);
    const metrics = this.nodeMetrics(node, (await this.podsByNode()).get(name) ?? [], now);
    if (!metrics) throw errors.notFound({ group: metricsGroup, resource: 'nodemetrics' }, name);
    return metrics;
  }

  private async podsByNode(): Promise<Map<string, Pod[]>> {
    const out = new Map<string, Pod[]>();
    for (const pod of await this.objects<Pod>('pods', undefined, {})) {
      const node = pod.spec?.nodeName;
      if (!node) continue;
      if (!out.has(node)) out.set(node, []);
      out.get(node)!.push(pod);
    }
    return out;
  }
}

function sortByKey(items: KubeObject[]): KubeObject[] {
  const key = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  return items.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
