// The HorizontalPodAutoscaler controller (kube-controller-manager's
// `horizontal-pod-autoscaler-controller`, pkg/controller/podautoscaler/horizontal.go). Every
// HPA is reconciled once per --horizontal-pod-autoscaler-sync-period (each enqueue waits a
// period, as kube's fixed-interval rate limiter makes it): read the target's `/scale`, pick
// its pods by the scale's status.selector, compute a proposal per metric from
// metrics.k8s.io, normalize it (stabilization, behavior policies, min/max), rescale through
// `/scale` with a SuccessfulRescale event, and write status and conditions.
import type { KubeObject } from '../../api/types.ts';
import { isNotFound, objectKey, referenceTo, resources, type ResourceDescriptor } from '../../client/index.ts';
import type { Pod } from '../../api/core-v1.ts';
import { podInformer } from '../informers.ts';
import type { ControllerContext, ControllerDefinition } from '../types.ts';
import { ReplicaNormalizer, type Behavior } from './behavior.ts';
import { computeReplicasForMetrics, type MetricSpec } from './compute-metrics.ts';
import { rfc3339, setCondition, type HpaStatus } from './status.ts';

export const controllerName = 'horizontal-pod-autoscaler-controller';
/** The event source kube's HPA controller records as. */
const eventComponent = 'horizontal-pod-autoscaler';

export const horizontalPodAutoscalers: ResourceDescriptor = {
  group: 'autoscaling', version: 'v2', resource: 'horizontalpodautoscalers', kind: 'HorizontalPodAutoscaler', namespaced: true,
};

/** The kinds whose `/scale` kubelite serves, by group and kind (kube asks its RESTMapper). */
const scaleTargets: Record<string, ResourceDescriptor> = {
  'apps/Deployment': resources.deployments,
  'apps/ReplicaSet': resources.replicaSets,
  'apps/StatefulSet': resources.statefulSets,
  '/ReplicationController': resources.replicationControllers,
};

interface Hpa extends KubeObject {
  spec: {
    scaleTargetRef: { apiVersion?: string; kind: string; name: string };
    minReplicas?: number;
    maxReplicas: number;
    metrics?: MetricSpec[];
    behavior?: Behavior;
  };
  status?: HpaStatus;
}

interface Scale extends KubeObject {
  spec?: { replicas?: number };
  status?: { replicas?: number; selector?: string };
}

export const horizontalPodAutoscalerController: ControllerDefinition = {
  name: controllerName,
  aliases: ['horizontalpodautoscaling'],
  workers: (o) => o.concurrentHorizontalPodAutoscalerSyncs,
  setup(ctx, queue) {
    const hpas = ctx.factory.informerFor<Hpa>(horizontalPodAutoscalers as ResourceDescriptor<Hpa>);
    const pods = podInformer(ctx.factory);
    const periodMs = ctx.options.horizontalPodAutoscalerSyncPeriodSeconds * 1000;
    const clock = ctx.clock;
    const normalizer = new ReplicaNormalizer(ctx.options.horizontalPodAutoscalerDownscaleStabilizationSeconds * 1000, () => clock.now());
    // Every request waits a sync period; one already waiting absorbs the rest.
    const enqueue = (hpa: Hpa) => queue.addAfter(objectKey(hpa), periodMs);
    hpas.addEventHandler({ onAdd: enqueue, onUpdate: (_old, hpa) => enqueue(hpa), onDelete: (hpa) => normalizer.forget(objectKey(hpa)) });
    const sync = new HpaSync(ctx, pods.store.byNamespace.bind(pods.store) as (ns: string) => Pod[], normalizer, () => clock.now());
    return {
      async reconcile(key) {
        const hpa = hpas.store.get(key);
        if (!hpa) return normalizer.forget(key);
        try {
          await sync.reconcileAutoscaler(structuredClone(hpa), key);
        } catch (err) {
          ctx.log.warn({ controller: controllerName, key, err: String(err) }, `${controllerName}: sync failed, retrying next period`);
        }
        return { requeueAfter: periodMs };
      },
    };
  },
};

class HpaSync {
  private readonly recorder;

  constructor(private readonly ctx: ControllerContext, private readonly podsIn: (ns: string) => Pod[],
    private readonly normalizer: ReplicaNormalizer, private readonly now: () => number) {
    this.recorder = ctx.recorder(eventComponent);
  }

  /** reconcileAutoscaler. */
  async reconcileAutoscaler(hpa: Hpa, key: string): Promise<void> {
    const original = JSON.stringify(hpa.status ?? {});
    const status: HpaStatus = structuredClone(hpa.status ?? { desiredReplicas: 0 });
    const ref = referenceTo(hpa, 'HorizontalPodAutoscaler', 'autoscaling/v2');
    const now = this.now();
    const namespace = hpa.metadata.namespace!;
    const target = hpa.spec.scaleTargetRef;
    const failGetScale = async (message: string) => {
      this.recorder.event(ref, 'Warning', 'FailedGetScale', message);
      setCondition(status, 'AbleToScale', 'False', 'FailedGetScale', `the HPA controller was unable to get the target's current scale: ${message}`, now);
      await this.writeStatus(hpa, original, status);
    };
    const group = (target.apiVersion ?? '').includes('/') ? target.apiVersion!.split('/')[0] : '';
    const descriptor = scaleTargets[`${group}/${target.kind}`];
    if (!descriptor) return failGetScale(`no matches for kind "${target.kind}" in group "${group}"`);
    let scale: Scale;
    try {
      scale = await this.ctx.client.get<Scale>(descriptor as ResourceDescriptor<Scale>, target.name, { namespace, subresource: 'scale' });
    } catch (err) {
      return failGetScale(err instanceof Error ? err.message : String(err));
    }
    setCondition(status, 'AbleToScale', 'True', 'SucceededGetScale', 'the HPA controller was able to get the target\'s current scale', now);
    const currentReplicas = scale.spec?.replicas ?? 0;
    this.normalizer.recordInitial(key, currentReplicas);
    const minReplicas = hpa.spec.minReplicas ?? 1;
    let desiredReplicas = 0;
    let rescaleReason = '';
    let rescale = true;
    let metricStatuses: unknown[] | undefined;
    if (currentReplicas === 0 && minReplicas !== 0) {
      desiredReplicas = 0;
      rescale = false;
      setCondition(status, 'ScalingActive', 'False', 'ScalingDisabled', 'scaling is disabled since the replica count of the target is zero', now);
    } else if (currentReplicas > hpa.spec.maxReplicas) {
      rescaleReason = 'Current number of replicas above Spec.MaxReplicas';
      desiredReplicas = hpa.spec.maxReplicas;
    } else if (currentReplicas < minReplicas) {
      rescaleReason = 'Current number of replicas below Spec.MinReplicas';
      desiredReplicas = minReplicas;
    } else {
      const selector = scale.status?.selector ?? '';
      if (!selector) {
        this.recorder.event(ref, 'Warning', 'SelectorRequired', 'selector is required');
        setCondition(status, 'ScalingActive', 'False', 'InvalidSelector', 'the HPA target\'s scale is missing a selector', now);
        this.setStatus(status, currentReplicas, status.desiredReplicas, [], false, now);
        return this.writeStatus(hpa, original, status);
      }
      const calculator = {
        tolerance: this.ctx.options.horizontalPodAutoscalerTolerance,
        cpuInitializationPeriodMs: this.ctx.options.horizontalPodAutoscalerCpuInitializationPeriodSeconds * 1000,
        delayOfInitialReadinessStatusMs: this.ctx.options.horizontalPodAutoscalerInitialReadinessDelaySeconds * 1000,
        now,
      };
      const result = await computeReplicasForMetrics(status, hpa.spec.metrics ?? [], {
        client: this.ctx.client, recorder: this.recorder, ref, namespace, specReplicas: currentReplicas, selector,
        pods: this.podsIn(namespace), calculator,
      }, now);
      metricStatuses = result.statuses;
      if (result.replicas === -1) {
        this.setStatus(status, currentReplicas, status.desiredReplicas, metricStatuses, false, now);
        await this.writeStatus(hpa, original, status);
        if (result.error) this.recorder.event(ref, 'Warning', 'FailedComputeMetricsReplicas', result.error);
        return;
      }
      if (result.replicas > desiredReplicas) desiredReplicas = result.replicas;
      if (desiredReplicas > currentReplicas) rescaleReason = `${result.metricName} above target`;
      if (desiredReplicas < currentReplicas) rescaleReason = 'All metrics below target';
      const normalized = this.normalizer.normalize({
        key, behavior: hpa.spec.behavior, minReplicas, maxReplicas: hpa.spec.maxReplicas, currentReplicas, desiredReplicas,
      });
      setCondition(status, 'AbleToScale', 'True', normalized.ableToScale.reason, normalized.ableToScale.message, now);
      setCondition(status, 'ScalingLimited', normalized.scalingLimited.status, normalized.scalingLimited.reason, normalized.scalingLimited.message, now);
      desiredReplicas = normalized.replicas;
      rescale = desiredReplicas !== currentReplicas;
    }
    if (rescale) {
      try {
        await this.ctx.client.patch(descriptor, target.name, 'merge',
          { metadata: { resourceVersion: scale.metadata.resourceVersion }, spec: { replicas: desiredReplicas } }, { namespace, subresource: 'scale' });
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        this.recorder.event(ref, 'Warning', 'FailedRescale', `New size: ${desiredReplicas}; reason: ${rescaleReason}; error: ${message}`);
        setCondition(status, 'AbleToScale', 'False', 'FailedUpdateScale', `the HPA controller was unable to update the target scale: ${message}`, now);
        this.setStatus(status, currentReplicas, status.desiredReplicas, metricStatuses, false, now);
        return this.writeStatus(hpa, original, status);
      }
      setCondition(status, 'AbleToScale', 'True', 'SucceededRescale', `the HPA controller was able to update the target scale to ${desiredReplicas}`, now);
      this.recorder.event(ref, 'Normal', 'SuccessfulRescale', `New size: ${desiredReplicas}; reason: ${rescaleReason}`);
      this.normalizer.recordScale(key, hpa.spec.behavior, currentReplicas, desiredReplicas);
      this.ctx.log.info({ hpa: key, currentReplicas, desiredReplicas, reason: rescaleReason }, 'horizontal-pod-autoscaler: successfully rescaled');
    } else {
      desiredReplicas = currentReplicas;
    }
    this.setStatus(status, currentReplicas, desiredReplicas, metricStatuses, rescale, now);
    await this.writeStatus(hpa, original, status);
  }

  /** setStatus: the replicas and metrics; lastScaleTime moves only on a rescale. */
  private setStatus(status: HpaStatus, current: number, desired: number, metrics: unknown[] | undefined, rescale: boolean, now: number): void {
    if (current) status.currentReplicas = current;
    else delete status.currentReplicas;
    status.desiredReplicas = desired;
    status.currentMetrics = metrics?.length ? metrics : null;
    if (rescale) status.lastScaleTime = rfc3339(now);
  }

  /** updateStatusIfNeeded: one PUT to `/status` when anything changed (a conflict waits for the next period). */
  private async writeStatus(hpa: Hpa, original: string, status: HpaStatus): Promise<void> {
    if (JSON.stringify(status) === original) return;
    try {
      await this.ctx.client.updateStatus(horizontalPodAutoscalers, { ...hpa, status });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
