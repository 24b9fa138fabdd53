// kube-scheduler for kubelite: informers on pods, nodes, namespaces and PriorityClasses feed
// the cache and the scheduling queue; one loop takes the most important pending pod,
// schedules it against the cache (filters, scores, preemption), assumes it onto the chosen
// node at once so the next pod sees it, and binds it through `pods/binding` in the
// background, a few bindings in flight. A pod that fits nowhere gets PodScheduled=False
// (Unschedulable) and a FailedScheduling event, and waits for a cluster event to retry.
import type { Logger } from 'pino';
import { ApiClient, InformerFactory, isConflict, retryReporter, isNotFound, objectKey, resources, type ResourceDescriptor } from '../client/index.ts';
import { createLogger } from '../log.ts';
import { SchedulerCache } from './cache.ts';
import { EventRecorder } from './events.ts';
import { ConcurrencyLimiter } from '../api/concurrency-limiter.ts';
import { newPodInfo, type PodInfo } from './node-info.ts';
import { preempt } from './preemption.ts';
import { SchedulingQueue, type QueuedPod } from './queue.ts';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../api/volumes.ts';
import { pluginName as volumeBindingPlugin, volumeBinding } from './plugins/volume-binding.ts';
import { defaultProfile } from './profile.ts';
import { fitErrorMessage, schedulePod } from './schedule.ts';
import { VolumeBinder } from './volume-binder.ts';
import type { Node, Pod, PodCondition, PriorityClass } from '../api/core-v1.ts';

export type SchedulerLog = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

export interface SchedulerOptions {
  client: ApiClient;
  schedulerName?: string;
  log?: SchedulerLog;
  /**
   * The scheduler talks to the API through its own client with this rate limit (kube's
   * --kube-api-qps/burst; client-go's 5/10 would cap it at 5 bindings a second). 0 reuses
   * `client` as it is.
   */
  qps?: number;
  burst?: number;
  /**
   * Bindings in flight at once (default 64). kube-scheduler runs each binding cycle in its own
   * goroutine, bounded only by its client's QPS: scheduling the next pod never waits for a bind.
   */
  parallelBindings?: number;
  /** KubeSchedulerConfiguration's percentageOfNodesToScore (0: adaptive, kube's default). */
  percentageOfNodesToScore?: number;
  /** podInitialBackoff / podMaxBackoff. */
  backoff?: { initialMs: number; maxMs: number };
  /** Tie-breaking between equal nodes (tests seed it). */
  random?: () => number;
}

export interface RunningScheduler {
  /** Resolves true once the informers have synced and scheduling has started. */
  readonly ready: Promise<boolean>;
  stop(): Promise<void>;
}

export const priorityClasses: ResourceDescriptor<PriorityClass> = {
  group: 'scheduling.k8s.io', version: 'v1', resource: 'priorityclasses', kind: 'PriorityClass', namespaced: false,
};

/** POST /api/v1/namespaces/{ns}/pods/{name}/binding: the Binding subresource, as a descriptor. */
function bindingOf(podName: string): ResourceDescriptor {
  return { group: '', version: 'v1', resource: `pods/${encodeURIComponent(podName)}/binding`, kind: 'Binding', namespaced: true };
}

const isTerminal = (pod: Pod) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

/** Plugins whose verdict an event may change (kube's cluster events → queueing hints, coarsely). */
const assignedPodDeleted = new Set(['NodeResourcesFit', 'NodePorts', 'InterPodAffinity', 'PodTopologySpread', 'DefaultPreemption']);
const assignedPodAdded = new Set(['InterPodAffinity', 'PodTopologySpread']);

export function startScheduler(opts: SchedulerOptions): RunningScheduler {
  const schedulerName = opts.schedulerName ?? 'default-scheduler';
  const log: SchedulerLog = opts.log ?? createLogger();
  const ownClient = opts.qps !== 0;
  const client = ownClient
    ? new ApiClient(opts.client.config, { qps: opts.qps ?? 500, burst: opts.burst ?? 1000, userAgent: `kubelite-scheduler/0.1.0 (${process.platform}/${process.arch}) ${schedulerName}` })
    : opts.client;
  const informerFailures = retryReporter(log, 'scheduler: informer failure');
  // Informers without managedFields: kube-scheduler trims them from its pods (the scheduler reads none).
  const factory = new InformerFactory(client, { stripManagedFields: true, onError: (err, during) => informerFailures.failed(err, { during }) });
  const podInformer = factory.informerFor<Pod>(resources.pods);
  const nodeInformer = factory.informerFor<Node>(resources.nodes);
  const namespaceInformer = factory.informerFor(resources.namespaces);
  const priorityClassInformer = factory.informerFor(priorityClasses);
  // VolumeBinding's listers: claims, volumes and classes (kube-scheduler watches them, and CSINode, for its volume plugins).
  const claimInformer = factory.informerFor(resources.persistentVolumeClaims as ResourceDescriptor<PersistentVolumeClaim>);
  const volumeInformer = factory.informerFor(resources.persistentVolumes as ResourceDescriptor<PersistentVolume>);
  const classInformer = factory.informerFor(resources.storageClasses as ResourceDescriptor<StorageClass>);
  const volumeLister = {
    claim: (ns: string, name: string) => claimInformer.store.get(`${ns}/${name}`),
    volume: (name: string) => volumeInformer.store.get(name),
    volumes: () => volumeInformer.store.list(),
    storageClass: (name: string) => classInformer.store.get(name),
  };
  const profile = { ...defaultProfile, filters: [...defaultProfile.filters, volumeBinding(volumeLister)] };

  const cache = new SchedulerCache((ns) => namespaceInformer.store.get(ns)?.metadata.labels);
  const queue = new SchedulingQueue({ initialBackoffMs: opts.backoff?.initialMs, maxBackoffMs: opts.backoff?.maxMs });
  const recorder = new EventRecorder(client, schedulerName, log);
  const binder = new ConcurrencyLimiter(opts.parallelBindings ?? 64);
  const writes = new ConcurrencyLimiter(16);
  const binding = new Set<string>();
  const random = opts.random ?? Math.random;
  const rotation = { nextStartNodeIndex: 0 };
  const volumeBinder = new VolumeBinder(client, volumeLister);
  let stopped = false;

  /** spec.priority as admission set it, else the PriorityClass's value, else the global default. */
  function priorityOf(pod: Pod): number {
    if (typeof pod.spec?.priority === 'number') return pod.spec.priority;
    const classes = priorityClassInformer.store.list() as PriorityClass[];
    const name = pod.spec?.priorityClassName;
    const cls = name ? classes.find((c) => c.metadata.name === name) : classes.find((c) => c.globalDefault);
    return cls?.value ?? 0;
  }

  const responsibleFor = (pod: Pod) => (pod.spec?.schedulerName ?? 'default-scheduler') === schedulerName;
  const pending = (pod: Pod) => !pod.spec?.nodeName && !pod.metadata.deletionTimestamp && !isTerminal(pod) && !pod.spec?.schedulingGates?.length;

  function onPod(pod: Pod, old?: Pod): void {
    const key = objectKey(pod);
    const nodeName = pod.spec?.nodeName;
    if (nodeName) {
      queue.done(key);
      if (isTerminal(pod)) {
        // A finished pod frees its node, as if deleted (the scheduler's informer drops them).
        if (cache.nodeOf(key) !== undefined) podGone(key);
        return;
      }
      const confirmsAssumed = cache.isAssumed(key);
      cache.setPod(newPodInfo(pod, priorityOf(pod)), nodeName);
      recorder.forget(pod.metadata.uid);
      const labelsChanged = JSON.stringify(old?.metadata.labels) !== JSON.stringify(pod.metadata.labels);
      if (!confirmsAssumed && (!old?.spec?.nodeName || labelsChanged)) moveAll(assignedPodAdded);
      // A pod that starts terminating no longer counts for spreading; a deletion may follow.
      if (pod.metadata.deletionTimestamp && !old?.metadata.deletionTimestamp) moveAll(assignedPodDeleted);
      return;
    }
    if (binding.has(key)) return; // its binding is in flight; the cache already holds it
    if (!responsibleFor(pod) || !pending(pod)) {
      queue.delete(key);
      cache.clearNomination(key);
      return;
    }
    const priority = priorityOf(pod);
    // An update without a nominated node right after preemption nominated one keeps it (as kube's nominator does).
    const nominated = pod.status?.nominatedNodeName || cache.nominatedNodeOf(key);
    if (nominated) cache.nominate(newPodInfo(pod, priority), nominated);
    queue.update(pod, priority);
  }

  function podGone(key: string): void {
    cache.removePod(key);
    moveAll(assignedPodDeleted);
  }

  function onPodDelete(pod: Pod): void {
    const key = objectKey(pod);
    const wasAssigned = cache.nodeOf(key) !== undefined;
    cache.removePod(key);
    cache.clearNomination(key);
    queue.delete(key);
    recorder.forget(pod.metadata.uid);
    if (wasAssigned) moveAll(assignedPodDeleted);
  }

  /** Retries unschedulable pods that one of `plugins` rejected (all of them without a set). */
  function moveAll(plugins?: Set<string>): void {
    const moved = queue.moveAllToActiveOrBackoff((qp) => !plugins || qp.unschedulablePlugins.size === 0
      || [...qp.unschedulablePlugins].some((p) => plugins.has(p)));
    if (moved) log.debug({ moved }, 'scheduler: cluster event, retrying unschedulable pods');
  }

  /** Node changes that can make a pod fit: labels, taints, cordon, allocatable, readiness. */
  function nodeChanged(old: Node, node: Node): boolean {
    const ready = (n: Node) => n.status?.conditions?.find((c) => c.type === 'Ready')?.status;
    return JSON.stringify(old.metadata.labels) !== JSON.stringify(node.metadata.labels)
      || JSON.stringify(old.spec ?? {}) !== JSON.stringify(node.spec ?? {})
      || JSON.stringify(old.status?.allocatable) !== JSON.stringify(node.status?.allocatable)
      || ready(old) !== ready(node);
  }

  podInformer.addEventHandler({ onAdd: (p) => onPod(p), onUpdate: (o, p) => onPod(p, o), onDelete: (p) => onPodDelete(p) });
  // A claim, volume or class change may let a pod's volumes fit, and wakes PreBinds waiting for a bind.
  const volumeEvent = () => {
    volumeBinder.changed();
    moveAll(new Set([volumeBindingPlugin]));
  };
  for (const informer of [claimInformer, volumeInformer, classInformer] as { addEventHandler: typeof podInformer.addEventHandler }[]) {
    informer.addEventHandler({ onAdd: volumeEvent, onUpdate: volumeEvent, onDelete: volumeEvent });
  }
  nodeInformer.addEventHandler({
    onAdd: (n) => {
      cache.setNode(n);
      moveAll();
    },
    onUpdate: (o, n) => {
      cache.setNode(n);
      if (nodeChanged(o, n)) moveAll();
    },
    onDelete: (n) => cache.removeNode(n.metadata.name ?? ''),
  });

  function background(what: string, task: () => Promise<unknown>): void {
    void writes.run(task).catch((err) => {
      if (!isNotFound(err)) log.warn({ err: String(err) }, `scheduler: ${what} failed`);
    });
  }

  /** updatePod: PodScheduled=False and the nominated node, written only when they change. */
  function recordUnschedulable(pod: Pod, reason: string, message: string, nominatedNodeName: string | null | undefined): void {
    const conditions = pod.status?.conditions ?? [];
    const old = conditions.find((c) => c.type === 'PodScheduled');
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const condition: PodCondition = {
      type: 'PodScheduled', status: 'False', lastProbeTime: null,
      lastTransitionTime: old?.status === 'False' && old.lastTransitionTime ? old.lastTransitionTime : now, reason, message,
    };
    const conditionChanged = old?.status !== 'False' || old.reason !== reason || old.message !== message;
    const nominationChanged = nominatedNodeName !== undefined && (pod.status?.nominatedNodeName ?? null) !== nominatedNodeName;
    recorder.record(pod, 'Warning', 'FailedScheduling', 'Scheduling', message);
    if (!conditionChanged && !nominationChanged) return;
    const status: Record<string, unknown> = { conditions: [...conditions.filter((c) => c.type !== 'PodScheduled'), condition] };
    if (nominationChanged) status.nominatedNodeName = nominatedNodeName;
    background('updating pod status', () => client.patch(resources.pods, pod.metadata.name!, 'merge', { status },
      { namespace: pod.metadata.namespace, subresource: 'status' }));
  }

  /** prepareCandidate: mark and delete the victims, and drop lower nominations on that node. */
  function evictVictims(preemptor: PodInfo, nodeName: string, victims: PodInfo[]): void {
    for (const victim of victims) {
      if (victim.terminating) continue;
      const v = victim.pod;
      const condition: PodCondition = {
        type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler',
        message: `${schedulerName}: preempting to accommodate a higher priority pod`, lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      };
      const conditions = [...(v.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget'), condition];
      background('preempting a pod', async () => {
        await client.patch(resources.pods, v.metadata.name!, 'merge', { status: { conditions } }, { namespace: v.metadata.namespace, subresource: 'status' });
        await client.delete(resources.pods, v.metadata.name!, { namespace: v.metadata.namespace, preconditions: { uid: v.metadata.uid } });
      });
      recorder.record(v, 'Normal', 'Preempted', 'Preempting', `Preempted by pod ${preemptor.pod.metadata.uid} on node ${nodeName}`);
    }
    for (const other of cache.nominatedPods(nodeName)) {
      if (other.priority >= preemptor.priority || other.key === preemptor.key) continue;
      cache.clearNomination(other.key);
      background('clearing a nomination', () => client.patch(resources.pods, other.pod.metadata.name!, 'merge', { status: { nominatedNodeName: null } },
        { namespace: other.namespace, subresource: 'status' }));
    }
  }

  async function bind(pod: Pod, podInfo: PodInfo, nodeName: string): Promise<void> {
    const { name, namespace } = pod.metadata;
    const key = podInfo.key;
    let stage = 'running Bind plugin "DefaultBinder"';
    try {
      stage = 'running PreBind plugin "VolumeBinding"';
      await volumeBinder.bindPodVolumes(pod, nodeName, cache);
      stage = 'running Bind plugin "DefaultBinder"';
      await client.create(bindingOf(name!), {
        apiVersion: 'v1', kind: 'Binding', metadata: { name, namespace, uid: pod.metadata.uid }, target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
      }, { namespace });
      recorder.record(pod, 'Normal', 'Scheduled', 'Binding', `Successfully assigned ${namespace}/${name} to ${nodeName}`);
    } catch (err) {
      cache.forget(key);
      log.warn({ err: String(err), pod: key, node: nodeName }, 'scheduler: binding failed');
      const latest = podInformer.store.get(key);
      if (latest && pending(latest) && responsibleFor(latest) && !stopped) {
        queue.addFailed(latest, priorityOf(latest));
        // A conflict means someone else bound it meanwhile: the informer will say so.
        const reason = `binding rejected: ${stage}: ${err instanceof Error ? err.message : String(err)}`;
        if (!isConflict(err)) recordUnschedulable(latest, 'SchedulerError', reason, undefined);
      }
    } finally {
      binding.delete(key);
    }
  }

  /** scheduleOne: one pod, synchronously against the cache; the binding runs on. */
  function scheduleOne(qp: QueuedPod): void {
    const pod = qp.pod;
    const podInfo = newPodInfo(pod, qp.priority);
    if (cache.nodes.length === 0) {
      queue.failed(qp.key, 'error');
      recordUnschedulable(pod, 'SchedulerError', 'no nodes available to schedule pods', undefined);
      return;
    }
    const result = schedulePod(cache, podInfo, { random, profile, rotation, percentageOfNodesToScore: opts.percentageOfNodesToScore });
    if ('nodeName' in result) {
      cache.assume(podInfo, result.nodeName);
      binding.add(qp.key);
      queue.done(qp.key);
      void binder.run(() => bind(pod, podInfo, result.nodeName));
      return;
    }
    const fitError = result.fitError;
    const outcome = preempt(cache, podInfo, fitError);
    let nominated: string | null | undefined;
    if ('candidate' in outcome) {
      nominated = outcome.candidate.nodeName;
      cache.nominate(podInfo, nominated);
      evictVictims(podInfo, nominated, outcome.candidate.victims);
    } else {
      fitError.postFilterMsg = outcome.message;
      if (outcome.clearNomination && pod.status?.nominatedNodeName) {
        nominated = null;
        cache.clearNomination(podInfo.key);
      }
    }
    const plugins = new Set([...fitError.statuses.values()].map((s) => s.plugin));
    if (nominated) plugins.add('DefaultPreemption');
    queue.failed(qp.key, plugins);
    const message = fitErrorMessage(fitError);
    log.debug({ pod: qp.key, message }, 'scheduler: unschedulable');
    recordUnschedulable(pod, 'Unschedulable', message, nominated);
  }

  async function run(): Promise<boolean> {
    factory.start();
    const synced = await factory.waitForSync();
    if (!synced || stopped) return false;
    void loop();
    return true;
  }

  async function loop(): Promise<void> {
    while (!stopped) {
      await binder.free();
      const qp = await queue.pop();
      if (!qp || stopped) break;
      try {
        scheduleOne(qp);
      } catch (err) {
        log.error({ err: String(err), pod: qp.key }, 'scheduler: scheduling attempt failed');
        queue.failed(qp.key, 'error');
      }
      // Let informer events and binding answers in between pods.
      await new Promise((resolveTurn) => setImmediate(resolveTurn));
    }
  }

  const ready = run();
  return {
    ready,
    async stop() {
      if (stopped) return;
      stopped = true;
      queue.close();
      await factory.stop();
      await Promise.all([binder.idle(), writes.idle(), recorder.idle()]);
      if (ownClient) client.close();
    },
  };
}
