// What the EndpointSlice controller changes for one Service and address type, as kube's
// endpointslice Reconciler.reconcileByAddressType: desired endpoints grouped by the ports they
// serve; existing slices keep the endpoints still wanted (updated in place when conditions
// change) and lose the others; the slices already being rewritten are filled first, then the
// leftovers go into the unchanged slice closest to full, then into new slices of at most
// maxEndpointsPerSlice — so a pod coming or going rewrites one slice, not all of them. A
// Service with no endpoints keeps one empty placeholder slice.
import type { KubeObject, OwnerReference } from '../../api/types.ts';
import {
  findPort, isPodReady, isServiceIPSet, podIPsOfType, semanticEqual, shouldPodBeInEndpoints, shouldSetHostname, type Pod, type Service,
} from './util.ts';

export const managedByLabel = 'endpointslice.kubernetes.io/managed-by';
export const serviceNameLabel = 'kubernetes.io/service-name';
export const headlessLabel = 'service.kubernetes.io/headless';
export const controllerManagedBy = 'endpointslice-controller.k8s.io';
const zoneLabel = 'topology.kubernetes.io/zone';

export interface Endpoint {
  addresses: string[];
  conditions: { ready?: boolean; serving?: boolean; terminating?: boolean };
  hostname?: string;
  targetRef?: { kind: string; namespace?: string; name?: string; uid?: string };
  nodeName?: string;
  zone?: string;
}

export interface EndpointPort {
  name: string;
  protocol: string;
  port: number;
  appProtocol?: string;
}

export interface EndpointSlice extends KubeObject {
  addressType: string;
  endpoints: Endpoint[];
  ports: EndpointPort[];
}

export interface SlicePlan {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
}

export interface ReconcileInput {
  service: Service;
  pods: Pod[];
  existing: EndpointSlice[];
  addressType: string;
  /** The node a pod runs on, for nodeName's zone; undefined when unknown. */
  node(name: string): KubeObject | undefined;
  maxEndpointsPerSlice: number;
}

const portMapKey = (ports: EndpointPort[]) => JSON.stringify([...ports].map((p) => [p.name, p.protocol, p.port, p.appProtocol ?? '']).sort());
const endpointKey = (ep: Endpoint) => JSON.stringify([[...ep.addresses].sort(), ep.hostname ?? '', ep.targetRef?.namespace ?? '', ep.targetRef?.name ?? '']);

/** ownedBy: the slice names this Service (this uid) as an owner. */
export function ownedBy(slice: KubeObject, svc: Service): boolean {
  return (slice.metadata.ownerReferences ?? []).some((o) => o.uid === svc.metadata.uid && o.kind === 'Service' && o.apiVersion === 'v1');
}

/** podToEndpoint. */
function podToEndpoint(pod: Pod, node: KubeObject | undefined, svc: Service, addressType: string): Endpoint {
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata.deletionTimestamp;
  const ep: Endpoint = {
    addresses: podIPsOfType(pod, addressType),
    // Never ready while terminating, unless the Service publishes not-ready addresses.
    conditions: { ready: !!svc.spec?.publishNotReadyAddresses || (serving && !terminating), serving, terminating },
  };
  if (shouldSetHostname(pod, svc)) ep.hostname = pod.spec!.hostname;
  ep.targetRef = { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid };
  if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
  const zone = node?.metadata.labels?.[zoneLabel];
  if (zone) ep.zone = zone;
  return ep;
}

/** getEndpointPorts. */
function endpointPorts(svc: Service, pod: Pod): EndpointPort[] {
  const ports: EndpointPort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    ports.push({ name: sp.name ?? '', protocol: sp.protocol ?? 'TCP', port, ...(sp.appProtocol && { appProtocol: sp.appProtocol }) });
  }
  return ports;
}

/** setEndpointSliceLabels: the Service's labels, the reserved ones set by the controller; and whether the non-reserved ones differ. */
export function sliceLabels(slice: KubeObject | undefined, svc: Service): { labels: Record<string, string>; changed: boolean } {
  const reserved = new Set([serviceNameLabel, managedByLabel, headlessLabel]);
  const strip = (l: Record<string, string> | undefined) => Object.fromEntries(Object.entries(l ?? {}).filter(([k]) => !reserved.has(k)));
  const labels = strip(svc.metadata.labels);
  const changed = !semanticEqual(strip(slice?.metadata.labels), labels);
  if (!isServiceIPSet(svc)) labels[headlessLabel] = '';
  labels[serviceNameLabel] = svc.metadata.name!;
  labels[managedByLabel] = controllerManagedBy;
  return { labels, changed };
}

/** newEndpointSlice: generateName `<service>-`, owned by the Service. */
export function newEndpointSlice(svc: Service, addressType: string, ports: EndpointPort[]): EndpointSlice {
  const owner: OwnerReference = { apiVersion: 'v1', kind: 'Service', name: svc.metadata.name!, uid: svc.metadata.uid!, controller: true, blockOwnerDeletion: true };
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { generateName: `${svc.metadata.name}-`, namespace: svc.metadata.namespace, labels: sliceLabels(undefined, svc).labels, ownerReferences: [owner] },
    addressType, endpoints: [], ports,
  };
}

/** reconcileByAddressType; `errors` name pods skipped because their node is unknown (the Service is retried). */
export function planByAddressType(input: ReconcileInput): { plan: SlicePlan; errors: string[] } {
  const { service: svc, addressType } = input;
  const plan: SlicePlan = { create: [], update: [], delete: [] };
  const errors: string[] = [];
  const existingByPorts = new Map<string, EndpointSlice[]>();
  for (const slice of input.existing) {
    if (!ownedBy(slice, svc)) {
      plan.delete.push(slice);
      continue;
    }
    const key = portMapKey(slice.ports ?? []);
    existingByPorts.set(key, [...(existingByPorts.get(key) ?? []), slice]);
  }
  const desired = new Map<string, { ports: EndpointPort[]; endpoints: Map<string, Endpoint> }>();
  for (const pod of input.pods) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ports = endpointPorts(svc, pod);
    const key = portMapKey(ports);
    const group = desired.get(key) ?? { ports, endpoints: new Map<string, Endpoint>() };
    desired.set(key, group);
    const node = pod.spec?.nodeName ? input.node(pod.spec.nodeName) : undefined;
    if (!node && !svc.spec?.publishNotReadyAddresses) {
      errors.push(`skipping Pod ${pod.metadata.name} for Service ${svc.metadata.namespace}/${svc.metadata.name}: Node ${pod.spec?.nodeName ?? ''} Not Found`);
      continue;
    }
    const ep = podToEndpoint(pod, node, svc, addressType);
    if (ep.addresses.length) group.endpoints.set(endpointKey(ep), ep);
  }
  for (const [key, group] of desired) {
    const part = planByPortMapping(svc, existingByPorts.get(key) ?? [], group.endpoints, addressType, group.ports, input.maxEndpointsPerSlice);
    plan.create.push(...part.create);
    plan.update.push(...part.update);
    plan.delete.push(...part.delete);
  }
  for (const [key, slices] of existingByPorts) if (!desired.has(key)) plan.delete.push(...slices);
  // No endpoints at all: one empty placeholder slice, kept rather than recreated.
  if (input.existing.length === plan.delete.length && plan.create.length === 0) {
    const placeholder = newEndpointSlice(svc, addressType, []);
    if (plan.delete.length === 1 && isPlaceholderLike(plan.delete[0], placeholder)) plan.delete = [];
    else plan.create.push(placeholder);
  }
  return { plan, errors };
}

function isPlaceholderLike(slice: EndpointSlice, placeholder: EndpointSlice): boolean {
  return slice.metadata.namespace === placeholder.metadata.namespace && slice.addressType === placeholder.addressType &&
    !(slice.endpoints ?? []).length && !(slice.ports ?? []).length &&
    semanticEqual(slice.metadata.labels ?? {}, placeholder.metadata.labels) &&
    semanticEqual(slice.metadata.ownerReferences ?? [], placeholder.metadata.ownerReferences);
}

/** reconcileByPortMapping. */
function planByPortMapping(svc: Service, existing: EndpointSlice[], wanted: Map<string, Endpoint>, addressType: string,
  ports: EndpointPort[], max: number): SlicePlan {
  const byName = new Map<string, EndpointSlice>();
  const unchanged = new Set<string>();
  const toUpdate = new Set<string>();
  const toDelete = new Set<string>();
  // 1. Keep wanted endpoints where they are (updated if they changed), drop the others.
  for (const slice of existing) {
    const name = slice.metadata.name!;
    byName.set(name, slice);
    const kept: Endpoint[] = [];
    let endpointUpdated = false;
    for (const ep of slice.endpoints ?? []) {
      const want = wanted.get(endpointKey(ep));
      if (!want) continue;
      kept.push(want);
      if (!semanticEqual(want, ep)) endpointUpdated = true;
      wanted.delete(endpointKey(ep));
    }
    const { labels, changed } = sliceLabels(slice, svc);
    if (endpointUpdated || kept.length !== (slice.endpoints ?? []).length) {
      if (kept.length === 0) toDelete.add(name);
      else {
        byName.set(name, { ...structuredClone(slice), endpoints: kept, metadata: { ...structuredClone(slice.metadata), labels } });
        toUpdate.add(name);
      }
    } else if (changed) {
      byName.set(name, { ...structuredClone(slice), metadata: { ...structuredClone(slice.metadata), labels } });
      toUpdate.add(name);
    } else {
      unchanged.add(name);
    }
  }
  const pop = (): Endpoint => {
    const [key, ep] = wanted.entries().next().value as [string, Endpoint];
    wanted.delete(key);
    return ep;
  };
  // 2. Fill the slices already being rewritten, fullest first.
  if (wanted.size && toUpdate.size) {
    const slices = [...toUpdate].map((n) => byName.get(n)!).sort((a, b) => b.endpoints.length - a.endpoints.length);
    for (const slice of slices) while (wanted.size && slice.endpoints.length < max) slice.endpoints.push(pop());
  }
  // 3. The rest into the unchanged slice closest to full, else into new slices.
  const create: EndpointSlice[] = [];
  while (wanted.size) {
    let target: EndpointSlice | undefined;
    if (wanted.size < max && unchanged.size) {
      const fit = closestToFull([...unchanged].map((n) => byName.get(n)!), wanted.size, max);
      if (fit) {
        target = structuredClone(fit);
        byName.set(fit.metadata.name!, target);
      }
    }
    target ??= newEndpointSlice(svc, addressType, ports);
    while (wanted.size && target.endpoints.length < max) target.endpoints.push(pop());
    if (target.metadata.name) {
      toUpdate.add(target.metadata.name);
      unchanged.delete(target.metadata.name);
    } else {
      create.push(target);
    }
  }
  return { create, update: [...toUpdate].map((n) => byName.get(n)!), delete: [...toDelete].map((n) => byName.get(n)!) };
}

/** getSliceToFill. */
function closestToFull(slices: EndpointSlice[], count: number, max: number): EndpointSlice | undefined {
  let best: EndpointSlice | undefined;
  let bestRoom = max;
  for (const slice of slices) {
    const room = max - (count + slice.endpoints.length);
    if (room >= 0 && room < bestRoom) {
      bestRoom = room;
      best = slice;
      if (room === 0) break;
    }
  }
  return best;
}
