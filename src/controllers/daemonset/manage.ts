// manage and syncNodes, as kube's DaemonSetsController: for every node, the daemon pods it
// should have (podsShouldBeOnNode) — one on each node that should run it, none on a node it no
// longer fits, failed pods replaced (with backoff), extra pods beyond the oldest removed — then
// creates (slow-start batches, each pod pinned to its node by affinity and bound by the
// scheduler) and deletes, at most burstReplicas of each, with expectations set first.
import { objectKey, referenceTo, resources, isNotFound, type ApiClient, type EventRecorder } from '../../client/index.ts';
import type { Node, Pod } from '../../api/core-v1.ts';
import { controllerRefTo } from '../history.ts';
import { burstReplicas, slowStartBatch } from '../replicaset.ts';
import type { Expectations, FailedPodsBackoff } from './expectations.ts';
import { createPodTemplate, nodeShouldRunDaemonPod, pinnedToNode, targetNodeName } from './predicates.ts';
import { controllerKind, hashLabel, type DaemonSet } from './types.ts';

export interface ManageDeps {
  client: ApiClient;
  recorder: EventRecorder;
  expectations: Expectations;
  backoff: FailedPodsBackoff;
  /** Looks at the DaemonSet again after a delay (a failed pod in backoff). */
  enqueueAfter(key: string, ms: number): void;
}

const isTerminal = (pod: Pod) => pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded';
const created = (p: Pod) => Date.parse(p.metadata.creationTimestamp ?? '') || 0;

/** podByCreationTimestampAndPhase: scheduled first, then oldest, then by name. */
export function byCreation(a: Pod, b: Pod): number {
  return Number(!a.spec?.nodeName) - Number(!b.spec?.nodeName) || created(a) - created(b)
    || (a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0);
}

/** getNodesToDaemonPods: the claimed pods by the node they run on or are pinned to. */
export function nodesToDaemonPods(pods: Pod[], includeDeletedTerminal = false): Map<string, Pod[]> {
  const byNode = new Map<string, Pod[]>();
  for (const pod of pods) {
    if (!includeDeletedTerminal && isTerminal(pod) && pod.metadata.deletionTimestamp) continue;
    const node = targetNodeName(pod);
    if (!node) continue;
    byNode.set(node, [...(byNode.get(node) ?? []), pod]);
  }
  return byNode;
}

/** podsShouldBeOnNode: whether the node needs a pod, and which of its pods must go. */
function podsShouldBeOnNode(deps: ManageDeps, node: Node, pods: Pod[], ds: DaemonSet, hash: string): { create: boolean; remove: Pod[] } {
  const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
  const remove: Pod[] = [];
  if (shouldRun && pods.length === 0) return { create: true, remove };
  if (!shouldContinueRunning) return { create: false, remove: pods.filter((p) => !p.metadata.deletionTimestamp) };
  const running: Pod[] = [];
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    if (pod.status?.phase === 'Failed') {
      // Avoid hot-looping against a kubelet that rejects the pod.
      const key = `${ds.metadata.uid}/${node.metadata.name}`;
      if (deps.backoff.inBackoff(key)) {
        deps.enqueueAfter(objectKey(ds), deps.backoff.delay(key));
        continue;
      }
      deps.backoff.next(key);
      deps.recorder.event(refTo(ds), 'Warning', 'FailedDaemonPod',
        `Found failed daemon pod ${pod.metadata.namespace}/${pod.metadata.name} on node ${node.metadata.name}, will try to kill it`);
      remove.push(pod);
    } else if (pod.status?.phase === 'Succeeded') {
      remove.push(pod);
    } else {
      running.push(pod);
    }
  }
  running.sort(byCreation);
  if (!surgeAllowed(ds)) return { create: false, remove: [...remove, ...running.slice(1)] };
  if (running.length <= 1) return { create: running.length === 0 && shouldRun, remove };
  // With surge, the oldest old pod stays beside the oldest new one only while it is ready
  // and the new one not yet available; every other extra pod goes.
  let oldestNew: Pod | undefined, oldestOld: Pod | undefined;
  for (const pod of running) {
    if (pod.metadata.labels?.[hashLabel] === hash) {
      if (!oldestNew) { oldestNew = pod; continue; }
    } else if (!oldestOld) {
      oldestOld = pod;
      continue;
    }
    remove.push(pod);
  }
  if (oldestNew && oldestOld && (!isPodReady(oldestOld) || isPodAvailable(oldestNew, ds.spec.minReadySeconds ?? 0))) remove.push(oldestOld);
  return { create: false, remove };
}

function readyCondition(pod: Pod) {
  return pod.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True');
}

/** podutil.IsPodReady. */
export const isPodReady = (pod: Pod) => !!readyCondition(pod);

/** podutil.IsPodAvailable: ready for at least minReadySeconds. */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now = Date.now()): boolean {
  const ready = readyCondition(pod);
  if (!ready) return false;
  if (!minReadySeconds) return true;
  const since = Date.parse(ready.lastTransitionTime ?? '');
  return Number.isFinite(since) && since + minReadySeconds * 1000 <= now;
}

/** AllowsSurge: a RollingUpdate with a non-zero maxSurge. */
export function surgeAllowed(ds: DaemonSet): boolean {
  const ru = ds.spec.updateStrategy;
  return ru?.type === 'RollingUpdate' && !!ru.rollingUpdate?.maxSurge && ru.rollingUpdate.maxSurge !== '0%';
}

/**
 * manage: what every node needs, plus pods pinned to nodes that no longer exist: unscheduled
 * ones are deleted as kube's getUnscheduledPodsWithoutNode does; bound ones kube leaves to the
 * pod garbage collector, which force-deletes them (no kubelet is left to finish a graceful
 * delete) — kubelite has no PodGC controller, so this one does that for its own pods.
 */
export async function manage(deps: ManageDeps, ds: DaemonSet, nodes: Node[], pods: Pod[], hash: string): Promise<void> {
  const byNode = nodesToDaemonPods(pods);
  const needing: string[] = [];
  const remove: Pod[] = [];
  for (const node of nodes) {
    const r = podsShouldBeOnNode(deps, node, byNode.get(node.metadata.name!) ?? [], ds, hash);
    if (r.create) needing.push(node.metadata.name!);
    remove.push(...r.remove);
  }
  const existing = new Set(nodes.map((n) => n.metadata.name));
  const orphaned: Pod[] = [];
  for (const [node, onNode] of byNode) {
    if (existing.has(node)) continue;
    remove.push(...onNode.filter((p) => !p.spec?.nodeName && !p.metadata.deletionTimestamp));
    orphaned.push(...onNode.filter((p) => p.spec?.nodeName));
  }
  await Promise.all(orphaned.map((pod) => forceDelete(deps.client, pod)));
  await syncNodes(deps, ds, remove, needing, hash);
}

/** PodGC's deletion of a pod bound to a node that is gone: grace period 0. */
async function forceDelete(client: ApiClient, pod: Pod): Promise<void> {
  try {
    await client.delete(resources.pods, pod.metadata.name!, { namespace: pod.metadata.namespace, gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));
const refTo = (ds: DaemonSet) => referenceTo(ds, controllerKind.kind, controllerKind.apiVersion);

/** syncNodes: deletes `remove` and creates a pod on each node of `needing`, burstReplicas at most each. */
export async function syncNodes(deps: ManageDeps, ds: DaemonSet, remove: Pod[], needing: string[], hash: string): Promise<void> {
  const { client, recorder, expectations } = deps;
  const key = objectKey(ds);
  const creates = needing.slice(0, burstReplicas);
  const deletes = remove.slice(0, burstReplicas);
  expectations.set(key, creates.length, deletes.length);
  const template = createPodTemplate(ds, hash);
  let next = 0;
  const createOne = async () => {
    const nodeName = creates[next++];
    const pod: Pod = {
      apiVersion: 'v1', kind: 'Pod',
      metadata: {
        generateName: `${ds.metadata.name}-`, namespace: ds.metadata.namespace,
        labels: { ...template.metadata?.labels }, annotations: { ...template.metadata?.annotations },
        ...(template.metadata?.finalizers?.length ? { finalizers: [...template.metadata.finalizers] } : {}),
        ownerReferences: [controllerRefTo(ds, controllerKind)],
      },
      spec: { ...structuredClone(template.spec), affinity: pinnedToNode(template.spec?.affinity, nodeName) },
    };
    try {
      const made = await client.create(resources.pods, pod, { namespace: ds.metadata.namespace });
      recorder.event(refTo(ds), 'Normal', 'SuccessfulCreate', `Created pod: ${made.metadata.name}`);
    } catch (err) {
      expectations.creationObserved(key);
      recorder.event(refTo(ds), 'Warning', 'FailedCreate', `Error creating: ${errorText(err)}`);
      throw err;
    }
  };
  const result = await slowStartBatch(creates.length, createOne);
  const skipped = creates.length - result.done - result.failed;
  if (skipped > 0) expectations.lower(key, skipped, 0);

  const deleted = await Promise.allSettled(deletes.map(async (pod) => {
    try {
      await client.delete(resources.pods, pod.metadata.name!, { namespace: pod.metadata.namespace });
      recorder.event(refTo(ds), 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
    } catch (err) {
      expectations.deletionObserved(key);
      if (isNotFound(err)) return;
      recorder.event(refTo(ds), 'Warning', 'FailedDelete', `Error deleting: ${errorText(err)}`);
      throw err;
    }
  }));
  const failed = deleted.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (result.error) throw result.error;
  if (failed) throw failed.reason;
}
