// The pod garbage collector (kube-controller-manager's `pod-garbage-collector-controller`,
// pkg/controller/podgc): every gcCheckPeriod it force-deletes (grace period 0)
//  - the oldest terminated pods (Succeeded or Failed) beyond --terminated-pod-gc-threshold;
//  - pods bound to a node that no longer exists, once the node has stayed unseen for the
//    quarantine time and a fresh GET confirms it is gone: first marked Failed with the
//    DisruptionTarget condition (reason DeletionByPodGC), as kube does;
//  - pods being deleted that were never scheduled (no kubelet will ever finish them).
import { isNotFound, objectKey, resources } from '../client/index.ts';
import type { Pod } from '../api/core-v1.ts';
import { periodicPass, rfc3339 } from './clock.ts';
import { nodeInformer, podInformer } from './informers.ts';
import type { ControllerContext, ControllerDefinition } from './types.ts';

export const controllerName = 'pod-garbage-collector-controller';
const passKey = 'gc';

const isTerminated = (pod: Pod) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

/** gcTerminated's victims: the oldest terminated, not already deleting, beyond the threshold. */
export function terminatedToCollect(pods: Pod[], threshold: number): Pod[] {
  if (threshold <= 0) return [];
  const terminated = pods.filter((p) => isTerminated(p) && !p.metadata.deletionTimestamp);
  const excess = terminated.length - threshold;
  if (excess <= 0) return [];
  const created = (p: Pod) => Date.parse(p.metadata.creationTimestamp ?? '') || 0;
  return terminated.sort((a, b) => created(a) - created(b) || objectKey(a).localeCompare(objectKey(b))).slice(0, excess);
}

export const podGCController: ControllerDefinition = {
  name: controllerName,
  aliases: ['podgc'],
  workers: () => 1,
  setup(ctx, queue) {
    const pods = podInformer(ctx.factory);
    const nodes = nodeInformer(ctx.factory);
    /** Nodes that pods name but the informer lacks, with when they were first missed. */
    const missingSince = new Map<string, number>();
    const passes = periodicPass(ctx.clock, ctx.options.podGCPeriodSeconds * 1000, () => queue.add(passKey));
    return {
      start: passes.start,
      stop: passes.stop,
      async reconcile() {
        const all = pods.store.list();
        const victims = terminatedToCollect(all, ctx.options.terminatedPodGCThreshold);
        if (victims.length) ctx.log.info({ count: victims.length }, `${controllerName}: garbage collecting terminated pods`);
        const errors: unknown[] = [];
        const run = async (fn: () => Promise<void>) => { try { await fn(); } catch (err) { errors.push(err); } };
        for (const pod of victims) await run(() => forceDelete(ctx, pod));
        for (const pod of await orphanedPods(ctx, all, nodes.store.keys(), missingSince)) {
          await run(async () => {
            await markFailed(ctx, pod);
            await forceDelete(ctx, pod);
          });
        }
        for (const pod of all.filter((p) => p.metadata.deletionTimestamp && !p.spec?.nodeName)) await run(() => forceDelete(ctx, pod));
        if (errors.length) throw errors[0];
      },
    };
  },
};

/** gcOrphaned: pods of nodes that stayed unseen through the quarantine and that the API confirms are gone. */
async function orphanedPods(ctx: ControllerContext, all: Pod[], nodeKeys: string[], missingSince: Map<string, number>): Promise<Pod[]> {
  const known = new Set(nodeKeys);
  const now = ctx.clock.now();
  const named = new Set(all.map((p) => p.spec?.nodeName).filter((n): n is string => !!n && !known.has(n)));
  for (const node of missingSince.keys()) if (!named.has(node)) missingSince.delete(node);
  const gone = new Set<string>();
  for (const node of named) {
    const since = missingSince.get(node) ?? now;
    missingSince.set(node, since);
    if (now - since < ctx.options.podGCOrphanQuarantineSeconds * 1000) continue;
    try {
      await ctx.client.get(resources.nodes, node);
      missingSince.delete(node); // it exists after all: the informer was behind
    } catch (err) {
      if (!isNotFound(err)) throw err;
      gone.add(node);
    }
  }
  return all.filter((p) => p.spec?.nodeName && gone.has(p.spec.nodeName));
}

/** markFailedAndDeletePodWithCondition's status half: phase Failed (unless terminal) and DisruptionTarget. */
async function markFailed(ctx: ControllerContext, pod: Pod): Promise<void> {
  const conditions = (pod.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget');
  conditions.push({ type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists', lastTransitionTime: rfc3339(ctx.clock.now()) });
  const status: Record<string, unknown> = { conditions };
  if (!isTerminated(pod)) status.phase = 'Failed';
  try {
    await ctx.client.patch(resources.pods, pod.metadata.name!, 'merge', { status }, { namespace: pod.metadata.namespace, subresource: 'status' });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

async function forceDelete(ctx: ControllerContext, pod: Pod): Promise<void> {
  ctx.log.info({ pod: objectKey(pod) }, `${controllerName}: forced deletion of pod`);
  try {
    await ctx.client.delete(resources.pods, pod.metadata.name!, { namespace: pod.metadata.namespace, gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
