// The Endpoints controller (kube-controller-manager's `endpoints-controller`, pkg/controller/endpoint):
// for every Service with a selector, an Endpoints object of the same name listing the
// selected pods — ready ones in `addresses`, the others in `notReadyAddresses` (all ready
// with publishNotReadyAddresses) — grouped by the ports they serve, with the Service's
// labels (plus `service.kubernetes.io/headless` for headless services), the
// last-change-trigger-time annotation, and at most 1000 addresses. Services without a
// selector keep the Endpoints their users write; Endpoints whose Service is gone are deleted.
import type { KubeObject } from '../api/types.ts';
import { ApiError, isNotFound, objectKey, referenceTo, resources, splitKey, type SharedInformer } from '../client/index.ts';
import { lastChangeTriggerTimeAnnotation, TriggerTimeTracker } from './endpointslice/trigger-time.ts';
import {
  maxEndpointsCapacity, overCapacityAnnotation, repackSubsets, truncateSubsets, type EndpointAddress, type EndpointSubset,
} from './endpointslice/subsets.ts';
import {
  findPort, isPodReady, isServiceIPSet, podIPForService, queueServicesAndTheirPods, shouldPodBeInEndpoints,
  semanticEqual, shouldSetHostname, type Pod, type Service,
} from './endpointslice/util.ts';
import type { ControllerContext, ControllerDefinition } from './types.ts';

export const controllerName = 'endpoints-controller';
export const headlessServiceLabel = 'service.kubernetes.io/headless';
/** Endpoints that hold a leader-election record are not a Service's (kube's checkLeftoverEndpoints skips them). */
const leaderElectionAnnotation = 'control-plane.alpha.kubernetes.io/leader';

interface Endpoints extends KubeObject {
  subsets?: EndpointSubset[];
}

export const endpointsController: ControllerDefinition = {
  name: controllerName,
  workers: (o) => o.concurrentEndpointSyncs,
  setup(ctx, queue) {
    const services = ctx.factory.informerFor<Service>(resources.services);
    const pods = ctx.factory.informerFor<Pod>(resources.pods);
    const endpoints = ctx.factory.informerFor<Endpoints>(resources.endpoints);
    const batch = ctx.options.endpointUpdatesBatchPeriodSeconds * 1000;
    queueServicesAndTheirPods(services, pods, queue, batch);
    endpoints.addEventHandler({ onDelete: (ep) => queue.add(objectKey(ep)) });
    const sync = new EndpointsSync(ctx, services, pods, endpoints);
    return {
      reconcile: (key) => sync.syncService(key),
      // checkLeftoverEndpoints: once, Endpoints whose Service may be gone are looked at.
      start: () => {
        for (const ep of endpoints.store.list()) if (!ep.metadata.annotations?.[leaderElectionAnnotation]) queue.add(objectKey(ep));
      },
    };
  },
};

class EndpointsSync {
  private readonly triggerTimes = new TriggerTimeTracker();
  /** Versions this controller replaced: seeing one again in the informer means its cache is behind (kube's staleEndpointsTracker). */
  private readonly stale = new Map<string, string>();
  private readonly recorder;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly services: SharedInformer<Service>,
    private readonly pods: SharedInformer<Pod>,
    private readonly endpoints: SharedInformer<Endpoints>,
  ) {
    this.recorder = ctx.recorder('endpoint-controller');
  }

  /** syncService for one Service key. */
  async syncService(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const svc = this.services.store.get(key);
    if (!svc) {
      // The Service is gone: so are its Endpoints.
      try {
        await this.ctx.client.delete(resources.endpoints, name, { namespace });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      this.triggerTimes.deleteService(key);
      this.stale.delete(key);
      return;
    }
    if (svc.spec?.type === 'ExternalName' || !svc.spec?.selector) return; // user-managed Endpoints
    const selector = svc.spec.selector;
    const selected = this.pods.store.byNamespace(namespace!).filter((p) => Object.entries(selector).every(([k, v]) => p.metadata.labels?.[k] === v));
    const triggerTime = this.triggerTimes.compute(key, svc, selected);
    const subsets = desiredSubsets(svc, selected);

    const current = this.endpoints.store.get(key);
    if (current && this.stale.get(key) === current.metadata.resourceVersion) {
      throw new Error(`endpoints informer cache is out of date, resource version ${current.metadata.resourceVersion} already processed for endpoints ${key}`);
    }
    const serviceLabels = svc.metadata.labels ?? {};
    const { [headlessServiceLabel]: _headless, ...currentLabels } = current?.metadata.labels ?? {};
    const overCapacity = subsets.reduce((n, ss) => n + (ss.addresses?.length ?? 0) + (ss.notReadyAddresses?.length ?? 0), 0) > maxEndpointsCapacity;
    const capacityAnnotationRight = !overCapacity && !current?.metadata.annotations?.[overCapacityAnnotation];
    if (current && semanticEqual(current.subsets ?? [], subsets) && semanticEqual(currentLabels, serviceLabels) && capacityAnnotationRight) return;

    const next: Endpoints = current ? structuredClone(current) : { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace } };
    next.subsets = subsets;
    const annotations = { ...next.metadata.annotations };
    if (triggerTime) annotations[lastChangeTriggerTimeAnnotation] = triggerTime;
    else delete annotations[lastChangeTriggerTimeAnnotation];
    if (truncateSubsets(subsets)) annotations[overCapacityAnnotation] = 'truncated';
    else delete annotations[overCapacityAnnotation];
    next.subsets = subsets.filter((ss) => ss.addresses || ss.notReadyAddresses);
    next.metadata.annotations = annotations;
    next.metadata.labels = { ...serviceLabels, ...(isServiceIPSet(svc) ? {} : { [headlessServiceLabel]: '' }) };
    if (!Object.keys(annotations).length) delete next.metadata.annotations;
    if (!Object.keys(next.metadata.labels).length) delete next.metadata.labels;
    await this.write(key, svc, next, current);
  }

  private async write(key: string, svc: Service, next: Endpoints, current: Endpoints | undefined): Promise<void> {
    const { namespace } = svc.metadata;
    try {
      if (!current) {
        await this.ctx.client.create(resources.endpoints, next, { namespace });
        return;
      }
      const updated = await this.ctx.client.update(resources.endpoints, next, { namespace });
      if (updated.metadata.resourceVersion !== current.metadata.resourceVersion) this.stale.set(key, current.metadata.resourceVersion!);
    } catch (err) {
      // A namespace being deleted refuses creates for good: drop the key, as kube does.
      if (!current && err instanceof ApiError && err.status.details?.causes?.some((c) => c.reason === 'NamespaceTerminating')) return;
      const ref = referenceTo(next, 'Endpoints', 'v1');
      const why = err instanceof Error ? err.message : String(err);
      if (!current) this.recorder.event(ref, 'Warning', 'FailedToCreateEndpoint', `Failed to create endpoint for service ${namespace}/${svc.metadata.name}: ${why}`);
      else this.recorder.event(ref, 'Warning', 'FailedToUpdateEndpoint', `Failed to update endpoint ${namespace}/${svc.metadata.name}: ${why}`);
      throw err;
    }
  }
}

/** The subsets kube's syncService computes: one per (pod, service port), repacked. */
export function desiredSubsets(svc: Service, pods: Pod[]): EndpointSubset[] {
  const tolerateUnready = !!svc.spec?.publishNotReadyAddresses;
  const ports = svc.spec?.ports ?? [];
  const subsets: EndpointSubset[] = [];
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, tolerateUnready)) continue;
    const ip = podIPForService(svc, pod);
    if (!ip) continue;
    const address: EndpointAddress = {
      ip,
      ...(shouldSetHostname(pod, svc) && { hostname: pod.spec!.hostname }),
      nodeName: pod.spec?.nodeName ?? '',
      targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
    };
    const ready = tolerateUnready || isPodReady(pod);
    const entry = (epPorts: EndpointSubset['ports']): EndpointSubset => (ready ? { addresses: [address], ports: epPorts } : { notReadyAddresses: [address], ports: epPorts });
    if (ports.length === 0) {
      // A headless service may have no ports: its addresses stand alone.
      if (svc.spec?.clusterIP === 'None') subsets.push(entry([]));
      continue;
    }
    for (const sp of ports) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      subsets.push(entry([{ name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol && { appProtocol: sp.appProtocol }) }]));
    }
  }
  const portless = subsets.filter((ss) => !ss.ports?.length);
  return [...repackSubsets(subsets.filter((ss) => ss.ports?.length)), ...mergePortless(portless)];
}

/** Headless services without ports: RepackSubsets drops addresses that serve no port, so they are kept as one subset. */
function mergePortless(subsets: EndpointSubset[]): EndpointSubset[] {
  if (!subsets.length) return [];
  const addresses = subsets.flatMap((ss) => ss.addresses ?? []);
  const notReady = subsets.flatMap((ss) => ss.notReadyAddresses ?? []);
  return [{ ...(addresses.length && { addresses }), ...(notReady.length && { notReadyAddresses: notReady }) }];
}

