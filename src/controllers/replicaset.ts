// The ReplicaSet controller (kube-controller-manager's `replicaset-controller`), and the core
// the ReplicationController manager shares with it (kube's ReplicationManager is the same
// ReplicaSetController over converted objects; see replicationcontroller.ts): level-triggered
// over one ReplicaSet key. It claims pods as kube's PodControllerRefManager does (adopts active
// orphans its selector matches, releases owned pods it no longer matches), creates pods from
// spec.template in slow-start batches (1, 2, 4, ...) or deletes the extras ranked as kube's
// ActivePodsWithRanks does (unscheduled, pending, not ready, doubled up on a node, newest
// first), and writes status through `/status`. Expectations keep a reconcile from acting
// again before the informer has seen its own creates and deletes (kube's ControllerExpectations).
import type { KubeObject } from '../api/types.ts';
import {
  controllerIndex, isConflict, isNotFound, objectKey, referenceTo, resources,
  type EventRecorder, type LabelSelector, type ResourceDescriptor, type SharedInformer, type Store,
} from '../client/index.ts';
import type { Pod } from '../api/core-v1.ts';
import { claimObjects, controllerRefOf, selectorMatcher } from './controller-ref-manager.ts';
import { controllerRefTo, type OwnerKind } from './history.ts';
import { podInformer } from './informers.ts';
import type { ControllerContext, ControllerDefinition } from './types.ts';

export const controllerName = 'replicaset-controller';
/** kube's BurstReplicas: at most this many creates or deletes per sync. */
export const burstReplicas = 500;
/** kube's ExpectationsTimeout: unobserved creates/deletes stop blocking a sync after this. */
const expectationsTimeoutMs = 5 * 60_000;
/** --concurrent-replicaset-syncs' default. */
const concurrentReplicaSetSyncs = 5;

export interface ReplicaSet extends KubeObject {
  spec?: {
    replicas?: number;
    minReadySeconds?: number;
    selector?: LabelSelector;
    template?: { metadata?: KubeObject['metadata']; spec?: Pod['spec'] };
  };
  status?: ReplicaSetStatus;
}

export interface ReplicaSetStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: ReplicaSetCondition[];
}

export interface ReplicaSetCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

/** Pending creates and deletes per ReplicaSet key, lowered as the informer observes them. */
export class Expectations {
  private readonly pending = new Map<string, { adds: number; deletes: Set<string>; since: number }>();

  satisfied(key: string, now = Date.now()): boolean {
    const e = this.pending.get(key);
    return !e || (e.adds <= 0 && e.deletes.size === 0) || now - e.since > expectationsTimeoutMs;
  }
  expectCreations(key: string, count: number): void {
    this.pending.set(key, { adds: count, deletes: new Set(), since: Date.now() });
  }
  expectDeletions(key: string, podKeys: string[]): void {
    this.pending.set(key, { adds: 0, deletes: new Set(podKeys), since: Date.now() });
  }
  creationObserved(key: string): void {
    const e = this.pending.get(key);
    if (e) e.adds--;
  }
  deletionObserved(key: string, podKey: string): void {
    this.pending.get(key)?.deletes.delete(podKey);
  }
  delete(key: string): void {
    this.pending.delete(key);
  }
}

/** What one replica manager manages: ReplicaSets, or ReplicationControllers. */
export interface ReplicaManagerKind {
  /** The controller's name (--controllers) and its events' component. */
  name: string;
  component: string;
  resource: ResourceDescriptor<ReplicaSet>;
  kind: OwnerKind;
  /** The owner's selector as a label test (a LabelSelector for ReplicaSets, a label map for RCs). */
  selector(owner: ReplicaSet): (labels: Record<string, string> | undefined) => boolean;
}

const replicaSetManagerKind: ReplicaManagerKind = {
  name: controllerName, component: controllerName, resource: resources.replicaSets as ResourceDescriptor<ReplicaSet>,
  kind: { apiVersion: 'apps/v1', kind: 'ReplicaSet' },
  selector: (rs) => selectorMatcher(rs.spec?.selector),
};

/** The controller definition of a replica manager for `managed`. */
export function replicaManager(managed: ReplicaManagerKind): ControllerDefinition {
  return {
    name: managed.name,
    workers: () => concurrentReplicaSetSyncs,
    setup(ctx, queue) {
      const replicaSets = ctx.factory.informerFor<ReplicaSet>(managed.resource);
      const pods = podInformer(ctx.factory);
      const expectations = new Expectations();
      const recorder = ctx.recorder(managed.component);

      replicaSets.addEventHandler({
        onAdd: (rs) => queue.add(objectKey(rs)),
        onUpdate: (_old, rs) => queue.add(objectKey(rs)),
        onDelete: (rs) => expectations.delete(objectKey(rs)),
      });
      // A pod wakes the ReplicaSet that controls it or, when an orphan, every one whose selector matches it.
      const ownerKey = (pod: Pod): string | undefined => {
        const ref = controllerRefOf(pod);
        if (ref?.kind !== managed.kind.kind || ref.apiVersion !== managed.kind.apiVersion) return undefined;
        const rs = replicaSets.store.get(`${pod.metadata.namespace}/${ref.name}`);
        return rs?.metadata.uid === ref.uid ? objectKey(rs) : undefined;
      };
      const enqueueFor = (pod: Pod) => {
        if (controllerRefOf(pod)) {
          const key = ownerKey(pod);
          if (key) queue.add(key);
          return;
        }
        for (const rs of matchingReplicaSets(managed, replicaSets.store, pod)) queue.add(objectKey(rs));
      };
      pods.addEventHandler({
        onAdd(pod) {
          const key = ownerKey(pod);
          if (key) pod.metadata.deletionTimestamp ? expectations.deletionObserved(key, objectKey(pod)) : expectations.creationObserved(key);
          enqueueFor(pod);
        },
        onUpdate(old, pod) {
          if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return; // a resync
          const key = ownerKey(pod);
          if (key && pod.metadata.deletionTimestamp) expectations.deletionObserved(key, objectKey(pod));
          // Labels or the controller changed: the old owner (or matching sets) may have lost a pod.
          if (controllerRefOf(old)?.uid !== controllerRefOf(pod)?.uid || JSON.stringify(old.metadata.labels) !== JSON.stringify(pod.metadata.labels)) enqueueFor(old);
          enqueueFor(pod);
        },
        onDelete(pod) {
          const key = ownerKey(pod);
          if (!key) return;
          expectations.deletionObserved(key, objectKey(pod));
          queue.add(key);
        },
      });
      const sync = new ReplicaSetSync({ ctx, managed, replicaSets, pods, expectations, recorder });
      return { reconcile: (key) => sync.reconcile(key) };
    },
  };
}

export const replicaSetController = replicaManager(replicaSetManagerKind);

function matchingReplicaSets(managed: ReplicaManagerKind, store: Store<ReplicaSet>, pod: Pod): ReplicaSet[] {
  return store.byNamespace(pod.metadata.namespace!).filter((rs) => managed.selector(rs)(pod.metadata.labels));
}

/** controller.FilterActivePods: not terminating, not Succeeded or Failed. */
export function isPodActive(pod: Pod): boolean {
  return !pod.metadata.deletionTimestamp && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';
}

function readyCondition(pod: Pod) {
  return pod.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True');
}

/** Ready for minReadySeconds (podutil.IsPodAvailable); otherwise the ms until it will be. */
function availableIn(pod: Pod, minReadySeconds: number, now: number): number | undefined {
  const ready = readyCondition(pod);
  if (!ready) return undefined;
  if (!minReadySeconds || !ready.lastTransitionTime) return 0;
  return Math.max(0, Date.parse(ready.lastTransitionTime) + minReadySeconds * 1000 - now);
}

/** The pods to delete first, in the spirit of kube's ActivePodsWithRanks. */
export function podsToDelete(pods: Pod[], count: number): Pod[] {
  const perNode = new Map<string, number>();
  for (const p of pods) if (p.spec?.nodeName) perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
  const phaseRank = (p: Pod) => ({ Pending: 0, Unknown: 1, Running: 2 } as Record<string, number>)[p.status?.phase ?? 'Pending'] ?? 0;
  const created = (p: Pod) => Date.parse(p.metadata.creationTimestamp ?? '') || 0;
  const ranked = [...pods].sort((a, b) =>
    Number(!!a.spec?.nodeName) - Number(!!b.spec?.nodeName) // unscheduled first
    || phaseRank(a) - phaseRank(b) // Pending < Unknown < Running
    || Number(!!readyCondition(a)) - Number(!!readyCondition(b)) // not ready first
    || (perNode.get(b.spec?.nodeName ?? '') ?? 0) - (perNode.get(a.spec?.nodeName ?? '') ?? 0) // doubled up first
    || created(b) - created(a)); // newest first
  return ranked.slice(0, count);
}

interface SyncDeps {
  ctx: ControllerContext;
  managed: ReplicaManagerKind;
  replicaSets: SharedInformer<ReplicaSet>;
  pods: SharedInformer<Pod>;
  expectations: Expectations;
  recorder: EventRecorder;
}

class ReplicaSetSync {
  constructor(private readonly d: SyncDeps) {}

  /** syncReplicaSet for one key. */
  async reconcile(key: string): Promise<{ requeueAfter: number } | void> {
    const { replicaSets, expectations } = this.d;
    const rs = replicaSets.store.get(key);
    if (!rs) return expectations.delete(key);
    const needsSync = expectations.satisfied(key) && !rs.metadata.deletionTimestamp;
    const pods = await this.claimPods(rs);
    let manageError: unknown;
    if (needsSync) {
      try {
        await this.manageReplicas(key, rs, pods);
      } catch (err) {
        manageError = err;
      }
    }
    const requeueAfter = await this.updateStatus(rs, pods, manageError);
    if (manageError) throw manageError;
    if (requeueAfter !== undefined) return { requeueAfter };
  }

  /** ClaimPods: the active pods it controls, after adopting matching orphans and releasing non-matching ones. */
  private claimPods(rs: ReplicaSet): Promise<Pod[]> {
    const { pods, ctx } = this.d;
    const { managed } = this.d;
    const matches = managed.selector(rs);
    const candidates = [
      ...pods.store.byIndex(controllerIndex, rs.metadata.uid!),
      ...pods.store.byNamespace(rs.metadata.namespace!).filter((p) => !controllerRefOf(p)),
    ].filter(isPodActive);
    return claimObjects(candidates, {
      client: ctx.client, resource: resources.pods, owner: rs, ownerKind: managed.kind, ownerResource: managed.resource,
      matches: (pod) => matches(pod.metadata.labels),
    });
  }

  /** manageReplicas: create or delete toward spec.replicas, at most burstReplicas at a time. */
  private async manageReplicas(key: string, rs: ReplicaSet, pods: Pod[]): Promise<void> {
    const diff = pods.length - (rs.spec?.replicas ?? 1);
    if (diff < 0) await this.createPods(key, rs, Math.min(-diff, burstReplicas));
    else if (diff > 0) await this.deletePods(key, rs, podsToDelete(pods, Math.min(diff, burstReplicas)));
  }

  private async createPods(key: string, rs: ReplicaSet, count: number): Promise<void> {
    const { ctx, expectations, recorder } = this.d;
    expectations.expectCreations(key, count); // before the first create, so no watch event outruns it
    const ref = referenceTo(rs, this.d.managed.kind.kind, this.d.managed.kind.apiVersion);
    const template = rs.spec?.template ?? {};
    const controllerRef = controllerRefTo(rs, this.d.managed.kind);
    const createOne = async () => {
      const pod: Pod = {
        apiVersion: 'v1', kind: 'Pod',
        metadata: {
          generateName: `${rs.metadata.name}-`, namespace: rs.metadata.namespace,
          labels: { ...template.metadata?.labels }, annotations: { ...template.metadata?.annotations },
          ...(template.metadata?.finalizers && { finalizers: [...template.metadata.finalizers] }),
          ownerReferences: [controllerRef],
        },
        spec: structuredClone(template.spec),
      };
      try {
        const created = await ctx.client.create(resources.pods, pod, { namespace: rs.metadata.namespace });
        recorder.event(ref, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
      } catch (err) {
        expectations.creationObserved(key); // it will never be observed
        recorder.event(ref, 'Warning', 'FailedCreate', `Error creating: ${err instanceof Error ? err.message : String(err)}`);
        throw err;
      }
    };
    const created = await slowStartBatch(count, createOne);
    for (let skipped = count - created.done - created.failed; skipped > 0; skipped--) expectations.creationObserved(key);
    if (created.error) throw created.error;
  }

  private async deletePods(key: string, rs: ReplicaSet, victims: Pod[]): Promise<void> {
    const { ctx, expectations, recorder } = this.d;
    expectations.expectDeletions(key, victims.map(objectKey));
    const ref = referenceTo(rs, this.d.managed.kind.kind, this.d.managed.kind.apiVersion);
    const results = await Promise.allSettled(victims.map(async (pod) => {
      try {
        await ctx.client.delete(resources.pods, pod.metadata.name!, { namespace: pod.metadata.namespace });
        recorder.event(ref, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
      } catch (err) {
        expectations.deletionObserved(key, objectKey(pod));
        if (isNotFound(err)) return;
        recorder.event(ref, 'Warning', 'FailedDelete', `Error deleting: ${err instanceof Error ? err.message : String(err)}`);
        throw err;
      }
    }));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** calculateStatus + updateReplicaSetStatus; returns when to look again for pods about to become available. */
  private async updateStatus(rs: ReplicaSet, pods: Pod[], manageError?: unknown): Promise<number | undefined> {
    const now = Date.now();
    const minReadySeconds = rs.spec?.minReadySeconds ?? 0;
    const templateLabels = Object.entries(rs.spec?.template?.metadata?.labels ?? {});
    let nextAvailable: number | undefined;
    let ready = 0, available = 0;
    for (const pod of pods) {
      const wait = availableIn(pod, minReadySeconds, now);
      if (wait === undefined) continue;
      ready++;
      if (wait === 0) available++;
      else nextAvailable = Math.min(nextAvailable ?? wait, wait);
    }
    const status: ReplicaSetStatus = {
      ...rs.status,
      replicas: pods.length,
      fullyLabeledReplicas: pods.filter((p) => templateLabels.every(([k, v]) => p.metadata.labels?.[k] === v)).length,
      readyReplicas: ready,
      availableReplicas: available,
      observedGeneration: rs.metadata.generation,
      conditions: replicaFailureConditions(rs, pods.length, manageError, now),
    };
    if (!status.conditions?.length) delete status.conditions;
    const unchanged = (s: ReplicaSetStatus | undefined) => (['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration'] as const)
      .every((f) => (s?.[f] ?? 0) === (status[f] ?? 0)) && JSON.stringify(s?.conditions ?? []) === JSON.stringify(status.conditions ?? []);
    let current = rs;
    for (let attempt = 0; !unchanged(current.status); attempt++) {
      try {
        const next = { ...current.status, ...status };
        if (!status.conditions) delete next.conditions;
        await this.d.ctx.client.updateStatus(this.d.managed.resource, { ...current, status: next });
        break;
      } catch (err) {
        if (isNotFound(err)) return undefined;
        if (!isConflict(err) || attempt >= 1) throw err;
        current = await this.d.ctx.client.get(this.d.managed.resource, rs.metadata.name!, { namespace: rs.metadata.namespace }) as ReplicaSet;
        if (current.metadata.uid !== rs.metadata.uid) return undefined;
      }
    }
    return nextAvailable === undefined ? undefined : nextAvailable + 1;
  }
}

/**
 * The ReplicaFailure condition as kube's calculateStatus sets it: added (FailedCreate or
 * FailedDelete, the error as message) when managing replicas failed, removed once it works;
 * the deployment controller carries it over to the Deployment.
 */
function replicaFailureConditions(rs: ReplicaSet, podCount: number, manageError: unknown, now: number): ReplicaSetCondition[] {
  const conditions = (rs.status?.conditions ?? []) as ReplicaSetCondition[];
  const failure = conditions.find((c) => c.type === 'ReplicaFailure');
  if (manageError && !failure) {
    const diff = podCount - (rs.spec?.replicas ?? 1);
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    const message = manageError instanceof Error ? manageError.message : String(manageError);
    const lastTransitionTime = new Date(Math.floor(now / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    return [...conditions, { type: 'ReplicaFailure', status: 'True', lastTransitionTime, reason, message }];
  }
  if (!manageError && failure) return conditions.filter((c) => c !== failure);
  return conditions;
}


/** kube's slowStartBatch: calls in batches of 1, 2, 4, ... and stops after a batch with a failure. */
export async function slowStartBatch(count: number, fn: () => Promise<void>): Promise<{ done: number; failed: number; error?: unknown }> {
  let done = 0, failed = 0, error: unknown;
  for (let remaining = count, batch = Math.min(1, count); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, fn));
    for (const r of results) {
      if (r.status === 'fulfilled') done++;
      else (failed++, error ??= r.reason);
    }
    if (error) break;
    remaining -= batch;
  }
  return { done, failed, error };
}
