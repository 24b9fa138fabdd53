// The EndpointSlice controller (kube-controller-manager's `endpointslice-controller`,
// pkg/controller/endpointslice): for every Service with a selector, discovery.k8s.io/v1
// EndpointSlices named `<service>-xxxxx`, owned by the Service and labelled
// kubernetes.io/service-name and endpointslice.kubernetes.io/managed-by, that list the
// selected pods with their ready/serving/terminating conditions, node, zone and hostname —
// at most --max-endpoints-per-slice each, changed with as little churn as possible (see
// reconciler.ts). Slices of a Service that is gone are deleted here too, which kube leaves
// to the garbage collector.
import {
  ApiError, isNotFound, referenceTo, resources, splitKey, type EventRecorder, type ResourceDescriptor, type SharedInformer,
} from '../../client/index.ts';
import type { ControllerContext, ControllerDefinition } from '../types.ts';
import {
  controllerManagedBy, managedByLabel, planByAddressType, serviceNameLabel, type EndpointSlice, type SlicePlan,
} from './reconciler.ts';
import { EndpointSliceTracker } from './tracker.ts';
import { lastChangeTriggerTimeAnnotation, TriggerTimeTracker } from './trigger-time.ts';
import { queueServicesAndTheirPods, type Pod, type Service } from './util.ts';

export const controllerName = 'endpointslice-controller';
/** endpointSliceChangeMinSyncDelay: a slice changed by someone else wakes its Service after this. */
const sliceChangeMinSyncDelayMs = 1000;

const managedByUs = (slice: EndpointSlice) => slice.metadata.labels?.[managedByLabel] === controllerManagedBy;
const serviceKeyOf = (slice: EndpointSlice) => {
  const name = slice.metadata.labels?.[serviceNameLabel];
  return name ? `${slice.metadata.namespace}/${name}` : undefined;
};

export const endpointSliceController: ControllerDefinition = {
  name: controllerName,
  workers: (o) => o.concurrentServiceEndpointSyncs,
  setup(ctx, queue) {
    const services = ctx.factory.informerFor<Service>(resources.services);
    const pods = ctx.factory.informerFor<Pod>(resources.pods);
    const slices = ctx.factory.informerFor(resources.endpointSlices as ResourceDescriptor<EndpointSlice>);
    const nodes = ctx.factory.informerFor(resources.nodes);
    const tracker = new EndpointSliceTracker((s) => serviceKeyOf(s as EndpointSlice));
    const batch = ctx.options.endpointSliceUpdatesBatchPeriodSeconds * 1000;
    const enqueueFor = (slice: EndpointSlice) => {
      const key = serviceKeyOf(slice);
      if (key) queue.addAfter(key, Math.max(sliceChangeMinSyncDelayMs, batch));
    };
    queueServicesAndTheirPods(services, pods, queue, batch);
    slices.addEventHandler({
      onAdd: (slice) => managedByUs(slice) && tracker.shouldSync(slice) && enqueueFor(slice),
      onUpdate: (old, slice) => {
        if (serviceKeyOf(old) !== serviceKeyOf(slice)) return (enqueueFor(slice), enqueueFor(old));
        if (managedByUs(old) !== managedByUs(slice) || (managedByUs(slice) && tracker.shouldSync(slice))) enqueueFor(slice);
      },
      onDelete: (slice) => {
        if (managedByUs(slice) && tracker.has(slice) && !tracker.handleDeletion(slice)) enqueueFor(slice);
      },
    });
    const sync = new EndpointSliceSync({ ctx, services, pods, slices, nodes, tracker, recorder: ctx.recorder('endpoint-slice-controller') });
    return { reconcile: (key) => sync.syncService(key) };
  },
};

interface SyncDeps {
  ctx: ControllerContext;
  services: SharedInformer<Service>;
  pods: SharedInformer<Pod>;
  slices: SharedInformer<EndpointSlice>;
  nodes: SharedInformer;
  tracker: EndpointSliceTracker;
  recorder: EventRecorder;
}

class EndpointSliceSync {
  private readonly triggerTimes = new TriggerTimeTracker();

  constructor(private readonly d: SyncDeps) {}

  /** syncService for one Service key. */
  async syncService(key: string): Promise<void> {
    const { services, pods, slices, tracker, recorder } = this.d;
    const { namespace, name } = splitKey(key);
    const owned = slices.store.byNamespace(namespace!)
      .filter((s) => s.metadata.labels?.[serviceNameLabel] === name && managedByUs(s) && !s.metadata.deletionTimestamp);
    const svc = services.store.get(key);
    if (!svc) {
      this.triggerTimes.deleteService(key);
      tracker.deleteService(key);
      await this.deleteOrphans(owned);
      return;
    }
    if (svc.spec?.type === 'ExternalName' || !svc.spec?.selector) return;
    const selector = svc.spec.selector;
    const selected = pods.store.byNamespace(namespace!).filter((p) => Object.entries(selector).every(([k, v]) => p.metadata.labels?.[k] === v));
    if (tracker.staleSlices(key, owned)) throw new Error('EndpointSlice informer cache is out of date');
    const triggerTime = this.triggerTimes.compute(key, svc, selected);
    const families: string[] = svc.spec.ipFamilies?.length ? svc.spec.ipFamilies : ['IPv4'];
    const addressTypes = new Set<string>(families.filter((f) => f === 'IPv4' || f === 'IPv6'));
    const plan: SlicePlan = { create: [], update: [], delete: owned.filter((s) => !addressTypes.has(s.addressType)) };
    const errors: string[] = [];
    for (const addressType of addressTypes) {
      const part = planByAddressType({
        service: svc, pods: selected, existing: owned.filter((s) => s.addressType === addressType), addressType,
        node: (n) => this.d.nodes.store.get(n), maxEndpointsPerSlice: this.d.ctx.options.maxEndpointsPerSlice,
      });
      plan.create.push(...part.plan.create);
      plan.update.push(...part.plan.update);
      plan.delete.push(...part.plan.delete);
      errors.push(...part.errors);
    }
    try {
      await this.finalize(svc, plan, triggerTime);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      recorder.event(referenceTo(svc, 'Service', 'v1'), 'Warning', 'FailedToUpdateEndpointSlices',
        `Error updating Endpoint Slices for Service ${namespace}/${name}: ${why}`);
      throw err;
    }
    if (errors.length) throw new Error(errors.join('; '));
  }

  /** finalize: creates become updates of slices about to be deleted; no creates for a Service being deleted. */
  private async finalize(svc: Service, plan: SlicePlan, triggerTime: string | undefined): Promise<void> {
    const { ctx, tracker } = this.d;
    const namespace = svc.metadata.namespace;
    for (let i = 0; i < plan.delete.length && plan.create.length;) {
      const doomed = plan.delete[i];
      const slice = plan.create[plan.create.length - 1];
      if (doomed.addressType === slice.addressType && doomed.metadata.ownerReferences?.some((o) => o.uid === svc.metadata.uid)) {
        plan.create.pop();
        plan.update.push({ ...slice, metadata: { ...doomed.metadata, labels: slice.metadata.labels, ownerReferences: slice.metadata.ownerReferences } });
        plan.delete.splice(i, 1);
      } else i++;
    }
    if (!svc.metadata.deletionTimestamp) {
      for (const slice of plan.create) {
        annotateTriggerTime(slice, triggerTime);
        try {
          tracker.update(await ctx.client.create(resources.endpointSlices, slice, { namespace }));
        } catch (err) {
          if (err instanceof ApiError && err.status.details?.causes?.some((c) => c.reason === 'NamespaceTerminating')) return;
          throw new Error(`failed to create EndpointSlice for Service ${namespace}/${svc.metadata.name}: ${err instanceof Error ? err.message : err}`);
        }
      }
    }
    for (const slice of plan.update) {
      annotateTriggerTime(slice, triggerTime);
      try {
        tracker.update(await ctx.client.update(resources.endpointSlices, slice, { namespace }));
      } catch (err) {
        throw new Error(`failed to update ${slice.metadata.name} EndpointSlice for Service ${namespace}/${svc.metadata.name}: ${err instanceof Error ? err.message : err}`);
      }
    }
    for (const slice of plan.delete) await this.deleteSlice(slice);
  }

  private async deleteSlice(slice: EndpointSlice): Promise<void> {
    try {
      await this.d.ctx.client.delete(resources.endpointSlices, slice.metadata.name!, { namespace: slice.metadata.namespace });
      this.d.tracker.expectDeletion(slice);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** The Service is gone: its slices go too (kube's garbage collector does this through the owner reference). */
  private async deleteOrphans(owned: EndpointSlice[]): Promise<void> {
    for (const slice of owned) {
      const owner = slice.metadata.ownerReferences?.find((o) => o.kind === 'Service' && o.controller);
      const live = owner && this.d.services.store.list().some((s) => s.metadata.uid === owner.uid);
      if (!live) await this.deleteSlice(slice);
    }
  }
}

/** addTriggerTimeAnnotation. */
function annotateTriggerTime(slice: EndpointSlice, triggerTime: string | undefined): void {
  const annotations = { ...slice.metadata.annotations };
  if (triggerTime) annotations[lastChangeTriggerTimeAnnotation] = triggerTime;
  else delete annotations[lastChangeTriggerTimeAnnotation];
  slice.metadata.annotations = annotations;
  if (!Object.keys(annotations).length) delete slice.metadata.annotations;
}
