// What the Endpoints and EndpointSlice controllers share, as kube's k8s.io/endpointslice/util:
// which pods belong in endpoints, how a service port resolves to a pod's port, which
// services a pod change wakes, and the shapes of Services and Pods both controllers read.
import type { KubeObject } from '../../api/types.ts';
import { objectKey, type SharedInformer, type Store, type WorkQueue } from '../../client/index.ts';

export interface ServicePort {
  name?: string;
  port: number;
  protocol?: string;
  targetPort?: number | string;
  appProtocol?: string;
  nodePort?: number;
}

export interface Service extends KubeObject {
  spec?: {
    type?: string;
    selector?: Record<string, string> | null;
    clusterIP?: string;
    clusterIPs?: string[];
    ipFamilies?: string[];
    ports?: ServicePort[];
    publishNotReadyAddresses?: boolean;
  };
}

interface PodContainer {
  name?: string;
  ports?: { name?: string; containerPort: number; protocol?: string }[];
  restartPolicy?: string;
}

export interface Pod extends KubeObject {
  spec?: { nodeName?: string; hostname?: string; subdomain?: string; containers?: PodContainer[]; initContainers?: PodContainer[] };
  status?: {
    phase?: string;
    podIP?: string;
    podIPs?: { ip: string }[];
    conditions?: { type: string; status: string; lastTransitionTime?: string }[];
  };
}

/** IsPodReady: the Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** ShouldPodBeInEndpoints: not terminal, has an IP, and not terminating unless terminating pods count. */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return false;
  if (!pod.status?.podIP && !pod.status?.podIPs?.length) return false;
  return includeTerminating || !pod.metadata.deletionTimestamp;
}

/** ShouldSetHostname: the pod names itself and sits in this service's subdomain. */
export function shouldSetHostname(pod: Pod, svc: Service): boolean {
  return !!pod.spec?.hostname && pod.spec.subdomain === svc.metadata.name && pod.metadata.namespace === svc.metadata.namespace;
}

/** isServiceIPSet: not headless and not ExternalName. */
export function isServiceIPSet(svc: Service): boolean {
  return !!svc.spec?.clusterIP && svc.spec.clusterIP !== 'None';
}

/**
 * FindPort: a numeric targetPort as is; a named one looked up among the containers' (and
 * sidecars') ports of the same protocol. Undefined when the pod has no such port.
 */
export function findPort(pod: Pod, sp: ServicePort): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target;
  const protocol = sp.protocol ?? 'TCP';
  const sidecars = (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  for (const c of [...(pod.spec?.containers ?? []), ...sidecars]) {
    const port = c.ports?.find((p) => p.name === target && (p.protocol ?? 'TCP') === protocol);
    if (port) return port.containerPort;
  }
  return undefined;
}

/** The pod's IPs, from status.podIPs or else status.podIP. */
export function podIPs(pod: Pod): string[] {
  if (pod.status?.podIPs?.length) return pod.status.podIPs.map((p) => p.ip);
  return pod.status?.podIP ? [pod.status.podIP] : [];
}

const isIPv6 = (ip: string) => ip.includes(':');

/** The IP of the service's first family (podToEndpointAddressForService). */
export function podIPForService(svc: Service, pod: Pod): string | undefined {
  const family = svc.spec?.ipFamilies?.[0] ?? (svc.spec?.clusterIP && svc.spec.clusterIP !== 'None' && isIPv6(svc.spec.clusterIP) ? 'IPv6' : 'IPv4');
  return podIPs(pod).find((ip) => isIPv6(ip) === (family === 'IPv6'));
}

/** The addresses of one family, for an EndpointSlice of that addressType. */
export function podIPsOfType(pod: Pod, addressType: string): string[] {
  return podIPs(pod).filter((ip) => isIPv6(ip) === (addressType === 'IPv6'));
}

function selectorMatches(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

/** getServicesForPod: a nil selector selects nothing (an empty one, everything). */
export function servicesForPod(services: Store<Service>, namespace: string, labels: Record<string, string> | undefined): Set<string> {
  const keys = new Set<string>();
  for (const svc of services.byNamespace(namespace)) {
    const selector = svc.spec?.selector;
    if (selector && selectorMatches(selector, labels)) keys.add(objectKey(svc));
  }
  return keys;
}

const sameIPs = (a: Pod, b: Pod) => JSON.stringify(podIPs(a)) === JSON.stringify(podIPs(b));

/** podEndpointsChanged: [the endpoint itself may change, the services it belongs to may change]. */
function podEndpointsChanged(old: Pod, pod: Pod): [boolean, boolean] {
  const labelsChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(pod.metadata.labels ?? {}) ||
    old.spec?.hostname !== pod.spec?.hostname || old.spec?.subdomain !== pod.spec?.subdomain;
  const podChanged = old.metadata.deletionTimestamp !== pod.metadata.deletionTimestamp ||
    isPodReady(old) !== isPodReady(pod) || !sameIPs(old, pod) || old.status?.phase !== pod.status?.phase;
  return [podChanged, labelsChanged];
}

/** GetServicesToUpdateOnPodChange: the union (or, for a label change only, the symmetric difference) of old and new memberships. */
export function servicesToUpdateOnPodChange(services: Store<Service>, old: Pod, pod: Pod): Set<string> {
  if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return new Set(); // a resync
  const [podChanged, labelsChanged] = podEndpointsChanged(old, pod);
  if (!podChanged && !labelsChanged) return new Set();
  const now = servicesForPod(services, pod.metadata.namespace!, pod.metadata.labels);
  if (!labelsChanged) return now;
  const before = servicesForPod(services, old.metadata.namespace!, old.metadata.labels);
  if (podChanged) return new Set([...now, ...before]);
  return new Set([...now, ...before].filter((k) => now.has(k) !== before.has(k)));
}

/** Deep equality that ignores object key order (apiequality.Semantic.DeepEqual for JSON values). */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((v, i) => semanticEqual(v, (b as unknown[])[i]));
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => semanticEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * The event handlers the Endpoints and EndpointSlice controllers share: a Service's key on
 * every change to it, and the keys of the Services selecting a pod whenever the pod changes
 * in a way that matters (after `batchMs`, kube's --endpoint-updates-batch-period).
 */
export function queueServicesAndTheirPods(services: SharedInformer<Service>, pods: SharedInformer<Pod>, queue: WorkQueue<string>, batchMs: number): void {
  const enqueue = (keys: Iterable<string>) => {
    for (const key of keys) batchMs ? queue.addAfter(key, batchMs) : queue.add(key);
  };
  services.addEventHandler({
    onAdd: (svc) => queue.add(objectKey(svc)),
    onUpdate: (_old, svc) => queue.add(objectKey(svc)),
    onDelete: (svc) => queue.add(objectKey(svc)),
  });
  pods.addEventHandler({
    onAdd: (pod) => enqueue(servicesForPod(services.store, pod.metadata.namespace!, pod.metadata.labels)),
    onUpdate: (old, pod) => enqueue(servicesToUpdateOnPodChange(services.store, old, pod)),
    onDelete: (pod) => enqueue(servicesForPod(services.store, pod.metadata.namespace!, pod.metadata.labels)),
  });
}
