// Where an APIService's requests go, as kube-aggregator's ResolveEndpoint: an ExternalName
// Service names its host; any other Service is resolved to a ready address of its
// EndpointSlices on the port the Service maps the APIService's port to. Failures carry the
// condition reason kube's availability controller reports (ServiceNotFound, MissingEndpoints).
import type { KubeObject } from '../../api/types.ts';
import type { Registry } from '../../registry/registry.ts';

export class ResolveError extends Error {
  constructor(readonly reason: 'ServiceNotFound' | 'ServiceAccessError' | 'MissingEndpoints' | 'FailedDiscoveryCheck', message: string) {
    super(message);
  }
}

export interface ServiceRef {
  namespace: string;
  name: string;
  port?: number;
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export async function resolveService(registry: Registry, ref: ServiceRef): Promise<string> {
  const port = ref.port ?? 443;
  const services = registry.store(registry.catalog.lookup('', 'v1', 'services')!);
  const svc = (await services.get(ref.namespace, ref.name).catch(() => undefined))?.object;
  if (!svc) throw new ResolveError('ServiceNotFound', `service/${ref.name} in "${ref.namespace}" is not present`);
  const spec = (svc.spec ?? {}) as { type?: string; externalName?: string; ports?: Array<{ name?: string; port?: number; targetPort?: number | string }> };
  if (spec.type === 'ExternalName') return hostPort(spec.externalName ?? '', port);
  const svcPort = (spec.ports ?? []).find((p) => p.port === port);
  if (!svcPort) throw new ResolveError('ServiceAccessError', `service/${ref.name} in "${ref.namespace}" has no port ${port}`);
  const portName = svcPort.name ?? '';
  const slicesDef = registry.catalog.lookup('discovery.k8s.io', 'v1', 'endpointslices')!;
  const slices = await registry.list(slicesDef, ref.namespace, { labelSelector: `kubernetes.io/service-name=${ref.name}` });
  for (const { object } of slices.items) {
    const slice = object as KubeObject & { endpoints?: Array<{ addresses?: string[]; conditions?: { ready?: boolean } }> | null; ports?: Array<{ name?: string; port?: number }> };
    const slicePort = (slice.ports ?? []).find((p) => (p.name ?? '') === portName);
    if (!slicePort?.port) continue;
    const ready = (slice.endpoints ?? []).find((e) => e.conditions?.ready !== false && e.addresses?.length);
    if (ready) return hostPort(ready.addresses![0], slicePort.port);
  }
  throw new ResolveError('MissingEndpoints', `endpoints for service/${ref.name} in "${ref.namespace}" have no addresses with port name "${portName}"`);
}
