// The EndpointSlice mirroring controller (kube-controller-manager's
// `endpointslice-mirroring-controller`, pkg/controller/endpointslicemirroring): a Service
// without a selector whose Endpoints someone writes by hand gets those endpoints mirrored as
// EndpointSlices (generateName `<service>-`, owned by the Endpoints, labelled
// kubernetes.io/service-name and endpointslice.kubernetes.io/managed-by:
// endpointslicemirroring-controller.k8s.io), one per subset and address type, at most 1000
// endpoints each; ready addresses are ready, notReadyAddresses are not. Endpoints labelled
// endpointslice.kubernetes.io/skip-mirror=true, or of a Service with a selector, are not mirrored.
import type { KubeObject } from '../api/types.ts';
import { isNotFound, objectKey, resources, splitKey, type ResourceDescriptor } from '../client/index.ts';
import { managedByLabel, serviceNameLabel, type Endpoint, type EndpointPort, type EndpointSlice } from './endpointslice/reconciler.ts';
import type { EndpointAddress, EndpointSubset } from './endpointslice/subsets.ts';
import type { ControllerDefinition } from './types.ts';

export const controllerName = 'endpointslice-mirroring-controller';
export const mirroringManagedBy = 'endpointslicemirroring-controller.k8s.io';
const skipMirrorLabel = 'endpointslice.kubernetes.io/skip-mirror';
const lastApplied = 'kubectl.kubernetes.io/last-applied-configuration';
/** --mirroring-max-endpoints-per-subset's default. */
const maxEndpointsPerSubset = 1000;

const slicesResource = resources.endpointSlices as ResourceDescriptor<EndpointSlice>;
type Endpoints = KubeObject & { subsets?: EndpointSubset[] };

/** The slices one Endpoints object mirrors to (without names). */
export function desiredSlices(endpoints: Endpoints): EndpointSlice[] {
  const labels: Record<string, string> = { ...endpoints.metadata.labels, [serviceNameLabel]: endpoints.metadata.name!, [managedByLabel]: mirroringManagedBy };
  const annotations = { ...endpoints.metadata.annotations };
  delete annotations[lastApplied];
  const ownerReferences = [{ apiVersion: 'v1', kind: 'Endpoints', name: endpoints.metadata.name!, uid: endpoints.metadata.uid!, controller: true, blockOwnerDeletion: true }];
  const out: EndpointSlice[] = [];
  for (const subset of endpoints.subsets ?? []) {
    const ports: EndpointPort[] = (subset.ports ?? []).map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP', ...(p.appProtocol && { appProtocol: p.appProtocol }) }));
    const toEndpoint = (a: EndpointAddress, ready: boolean): Endpoint => ({
      addresses: [a.ip], conditions: { ready },
      ...(a.hostname && { hostname: a.hostname }), ...(a.nodeName && { nodeName: a.nodeName }), ...(a.targetRef && { targetRef: a.targetRef as Endpoint['targetRef'] }),
    });
    const all = [...(subset.addresses ?? []).map((a) => toEndpoint(a, true)), ...(subset.notReadyAddresses ?? []).map((a) => toEndpoint(a, false))];
    for (const addressType of ['IPv4', 'IPv6']) {
      const ofType = all.filter((e) => (e.addresses[0].includes(':') ? 'IPv6' : 'IPv4') === addressType).slice(0, maxEndpointsPerSubset);
      if (!ofType.length) continue;
      out.push({
        apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
        metadata: { generateName: `${endpoints.metadata.name}-`, namespace: endpoints.metadata.namespace, labels: { ...labels }, annotations: { ...annotations }, ownerReferences },
        addressType, endpoints: ofType, ports,
      });
    }
  }
  return out;
}

const content = (s: EndpointSlice) => JSON.stringify([s.addressType, s.endpoints ?? [], s.ports ?? [], s.metadata.labels ?? {}, s.metadata.annotations ?? {}]);

export const endpointSliceMirroringController: ControllerDefinition = {
  name: controllerName,
  aliases: ['endpointslicemirroring', 'endpointslice-mirroring'],
  workers: () => 5, // --mirroring-concurrent-service-endpoint-syncs
  setup(ctx, queue) {
    const services = ctx.factory.informerFor(resources.services);
    const endpoints = ctx.factory.informerFor(resources.endpoints as ResourceDescriptor<Endpoints>);
    const slices = ctx.factory.informerFor(slicesResource);
    const enqueue = (obj: KubeObject) => queue.add(objectKey(obj));
    services.addEventHandler({ onAdd: enqueue, onUpdate: (_o, s) => enqueue(s), onDelete: enqueue });
    endpoints.addEventHandler({ onAdd: enqueue, onUpdate: (_o, e) => enqueue(e), onDelete: enqueue });
    const mirrored = (s: EndpointSlice) => s.metadata.labels?.[managedByLabel] === mirroringManagedBy;
    const onSlice = (s: EndpointSlice) => {
      const svc = s.metadata.labels?.[serviceNameLabel];
      if (mirrored(s) && svc) queue.add(`${s.metadata.namespace}/${svc}`);
    };
    slices.addEventHandler({ onAdd: onSlice, onUpdate: (_o, s) => onSlice(s), onDelete: onSlice });

    return {
      async reconcile(key) {
        const { namespace, name } = splitKey(key);
        const svc = services.store.get(key);
        const ep = endpoints.store.get(key);
        const mirror = !!svc && !!ep && !Object.keys(svc.spec?.selector ?? {}).length && ep.metadata.labels?.[skipMirrorLabel] !== 'true';
        const want = mirror ? desiredSlices(ep!) : [];
        const have = slices.store.byNamespace(namespace!).filter((s) => mirrored(s) && s.metadata.labels?.[serviceNameLabel] === name && !s.metadata.deletionTimestamp);
        // Slices already right stay; the others are rewritten in place, then created or deleted.
        const unmatched = want.filter((w) => !have.some((h) => content(h) === content(w)));
        const spare = have.filter((h) => !want.some((w) => content(h) === content(w)));
        for (const slice of unmatched) {
          const reuse = spare.shift();
          if (reuse) {
            await ctx.client.update(slicesResource, { ...slice, metadata: { ...slice.metadata, name: reuse.metadata.name, resourceVersion: reuse.metadata.resourceVersion, generateName: reuse.metadata.generateName } });
          } else {
            await ctx.client.create(slicesResource, slice, { namespace });
          }
        }
        for (const slice of spare) {
          try {
            await ctx.client.delete(slicesResource, slice.metadata.name!, { namespace });
          } catch (err) {
            if (!isNotFound(err)) throw err;
          }
        }
      },
    };
  },
};
