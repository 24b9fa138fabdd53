// Storage-layer metrics, named as kube-apiserver names those of its storage (etcd3 store and
// cacher) so that dashboards built for it read kubelite's too: how long each durable write
// took, by operation and resource, and how many objects each resource holds.
import { resourcePrefixOf } from './keys.ts';
import { defaultRegistry, HistogramVec, type Histogram } from '../metrics/registry.ts';

const requestDuration = defaultRegistry.register(new HistogramVec({
  name: 'etcd_request_duration_seconds',
  help: 'Etcd request latency in seconds for each operation and object type.',
  labelNames: ['operation', 'type'],
  buckets: [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60],
}));

/**
 * The resource a storage key or bucket belongs to as kube spells group resources:
 * `/registry/core/pods/…` → `pods`, `/registry/apps/deployments/…` → `deployments.apps`.
 */
export function groupResourceOf(key: string): string {
  const [, , group, resource] = resourcePrefixOf(key).split('/');
  if (!resource) return group ?? '';
  return group === 'core' ? resource : `${resource}.${group}`;
}

const byPrefix = new Map<string, Map<string, Histogram>>();

/** Records one storage request on `key` that took `seconds`. */
export function recordStorageRequest(operation: 'create' | 'update' | 'delete', key: string, seconds: number): void {
  const prefix = resourcePrefixOf(key);
  let byOperation = byPrefix.get(prefix);
  if (!byOperation) byPrefix.set(prefix, (byOperation = new Map()));
  let histogram = byOperation.get(operation);
  if (!histogram) byOperation.set(operation, (histogram = requestDuration.with(operation, groupResourceOf(key))));
  histogram.observe(seconds);
}
