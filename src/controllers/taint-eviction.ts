// The taint eviction controller (kube-controller-manager's `taint-eviction-controller`, the
// NoExecute taint manager): a pod bound to a node with a NoExecute taint it does not
// tolerate is deleted at once; a pod that tolerates every such taint, some of them only for
// `tolerationSeconds`, is deleted once the shortest of those has passed since the controller
// saw the taints (the DefaultTolerationSeconds admission gives every pod 300 s for
// not-ready/unreachable); a pod that tolerates them forever stays. Before deleting, the pod
// gets the DisruptionTarget condition (reason DeletionByTaintManager), and an event says so
// ("Marking for deletion Pod ns/name"); a scheduled deletion that is no longer due (taint
// removed, tolerations changed) is cancelled with an event ("Cancelling deletion of Pod ...").
// Level-triggered: the key is the pod; node events enqueue the pods bound to the node.
import { isConflict, isNotFound, objectKey, resources, splitKey, type SharedInformer } from '../client/index.ts';
import { toleratesTaint } from '../api/node-predicates.ts';
import type { Node, Pod, PodCondition, Taint, Toleration } from '../api/core-v1.ts';
import { referenceTo, type EventRecorder } from './events.ts';
import { nodeInformer, podInformer, podsOnNode } from './informers.ts';
import type { ControllerContext, ControllerDefinition } from './types.ts';

export const controllerName = 'taint-eviction-controller';

/** A scheduled deletion: when the controller first saw the pod due for one, and whether it has been carried out. */
interface ScheduledEviction {
  createdAt: number;
  fired: boolean;
  eventSent: boolean;
}

export function noExecuteTaints(node: Node | undefined): Taint[] {
  return (node?.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');
}

/**
 * GetMatchingTolerations: whether every taint is tolerated, and for each taint the first
 * toleration that tolerates it.
 */
export function matchingTolerations(taints: Taint[], tolerations: Toleration[]): { allTolerated: boolean; used: Toleration[] } {
  const used: Toleration[] = [];
  for (const taint of taints) {
    const match = tolerations.find((t) => toleratesTaint(t, taint));
    if (!match) return { allTolerated: false, used: [] };
    used.push(match);
  }
  return { allTolerated: true, used };
}

/** getMinTolerationTime, in ms: the shortest tolerationSeconds (≤ 0 → 0), or -1 when all tolerate forever. */
export function minTolerationMs(used: Toleration[]): number {
  if (used.length === 0) return 0;
  let min = Infinity;
  for (const t of used) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
    if (t.tolerationSeconds <= 0) return 0;
    min = Math.min(min, t.tolerationSeconds);
  }
  return min === Infinity ? -1 : min * 1000;
}

function keysOnNode(pods: SharedInformer<Pod>, nodeName: string | undefined): string[] {
  return nodeName ? podsOnNode(pods, nodeName).map(objectKey) : [];
}

const sameNoExecute = (a: Node, b: Node) => JSON.stringify(noExecuteTaints(a)) === JSON.stringify(noExecuteTaints(b));

export const taintEvictionController: ControllerDefinition = {
  name: controllerName,
  workers: (o) => o.concurrentTaintEvictionSyncs,
  setup(ctx, queue) {
    const pods = podInformer(ctx.factory);
    const nodes = nodeInformer(ctx.factory);
    const recorder = ctx.recorder(controllerName);
    const scheduled = new Map<string, ScheduledEviction>();

    pods.addEventHandler({
      onAdd: (pod) => {
        if (pod.spec?.nodeName) queue.add(objectKey(pod));
      },
      onUpdate: (old, pod) => {
        if (!pod.spec?.nodeName) return;
        const key = objectKey(pod);
        // Status churn matters only for pods on a tainted node or with a deletion pending.
        const changed = old.spec?.nodeName !== pod.spec.nodeName || JSON.stringify(old.spec?.tolerations) !== JSON.stringify(pod.spec.tolerations);
        if (changed || scheduled.has(key) || noExecuteTaints(nodes.store.get(pod.spec.nodeName)).length) queue.add(key);
      },
      onDelete: (pod) => queue.add(objectKey(pod)),
    });
    nodes.addEventHandler({
      onAdd: (node) => keysOnNode(pods, node.metadata.name).forEach((k) => queue.add(k)),
      onUpdate: (old, node) => {
        if (!sameNoExecute(old, node)) keysOnNode(pods, node.metadata.name).forEach((k) => queue.add(k));
      },
      onDelete: (node) => keysOnNode(pods, node.metadata.name).forEach((k) => queue.add(k)),
    });

    return {
      async reconcile(key) {
        const pod = pods.store.get(key);
        if (!pod || !pod.spec?.nodeName || pod.metadata.deletionTimestamp) {
          // Gone or already going: a deletion still pending is moot (kube cancels it with an event only if the pod remains).
          if (pod?.metadata.deletionTimestamp || !pod) scheduled.delete(key);
          else cancel(recorder, scheduled, key, pod);
          return;
        }
        const taints = noExecuteTaints(nodes.store.get(pod.spec.nodeName));
        if (taints.length === 0) return cancel(recorder, scheduled, key, pod);
        const { allTolerated, used } = matchingTolerations(taints, pod.spec.tolerations ?? []);
        const tolerationMs = allTolerated ? minTolerationMs(used) : 0;
        if (tolerationMs < 0) return cancel(recorder, scheduled, key, pod);

        const now = Date.now();
        let eviction = scheduled.get(key);
        if (eviction?.fired) return;
        if (!eviction) scheduled.set(key, (eviction = { createdAt: now, fired: false, eventSent: false }));
        const fireAt = eviction.createdAt + tolerationMs;
        if (now < fireAt) return { requeueAfter: fireAt - now };
        if (!eviction.eventSent) {
          recorder.event(referenceTo(pod, 'Pod'), 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`);
          eviction.eventSent = true;
        }
        await addConditionAndDeletePod(ctx, pod);
        eviction.fired = true;
        ctx.log.info({ pod: key, node: pod.spec.nodeName }, `${controllerName}: deleted pod for a NoExecute taint`);
      },
    };
  },
};

function cancel(recorder: EventRecorder, scheduled: Map<string, ScheduledEviction>, key: string, pod: Pod): void {
  const eviction = scheduled.get(key);
  scheduled.delete(key);
  if (eviction && !eviction.fired) recorder.event(referenceTo(pod, 'Pod'), 'Normal', 'TaintManagerEviction', `Cancelling deletion of Pod ${key}`);
}

const disruptionTarget: Omit<PodCondition, 'lastTransitionTime'> = {
  type: 'DisruptionTarget',
  status: 'True',
  reason: 'DeletionByTaintManager',
  message: 'Taint manager: deleting due to NoExecute taint',
};

/** addConditionAndDeletePod: the DisruptionTarget condition through pods/status, then DELETE, both for this pod's uid only. */
async function addConditionAndDeletePod(ctx: ControllerContext, pod: Pod): Promise<void> {
  const { namespace, name } = splitKey(objectKey(pod));
  const uid = pod.metadata.uid;
  const has = pod.status?.conditions?.some((c) => c.type === disruptionTarget.type && c.status === 'True' && c.reason === disruptionTarget.reason);
  try {
    if (!has) {
      const condition = { ...disruptionTarget, lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
      await ctx.client.patch(resources.pods, name, 'strategic', { metadata: { uid }, status: { conditions: [condition] } }, { namespace, subresource: 'status' });
    }
    await ctx.client.delete(resources.pods, name, { namespace, preconditions: uid ? { uid } : undefined });
  } catch (err) {
    // Gone already, or the name now belongs to another pod: nothing left to evict.
    if (isNotFound(err) || isConflict(err)) return;
    throw err;
  }
}
