// The TTL-after-finished controller (kube-controller-manager's `ttl-after-finished-controller`,
// pkg/controller/ttlafterfinished): a Job with spec.ttlSecondsAfterFinished is deleted that
// many seconds after its Complete or Failed condition's lastTransitionTime. The TTL is checked
// again on a fresh read before deleting (it may have changed), and the delete carries a UID
// precondition and cascades to the Job's pods.
import { isNotFound, objectKey, resources, splitKey, type ResourceDescriptor } from '../client/index.ts';
import { DelayedQueue } from './clock.ts';
import { finishedCondition, type Job } from './job/types.ts';
import type { ControllerDefinition } from './types.ts';

export const controllerName = 'ttl-after-finished-controller';

const jobsResource = resources.jobs as ResourceDescriptor<Job>;

/** needsCleanup: a TTL is set and the Job has finished. */
export function needsCleanup(job: Job): boolean {
  return job.spec.ttlSecondsAfterFinished != null && finishedCondition(job) !== undefined;
}

/** When the Job expires (ms since the epoch), or undefined if it never will. */
export function expiresAt(job: Job): number | undefined {
  if (!needsCleanup(job)) return undefined;
  const finishAt = Date.parse(finishedCondition(job)!.lastTransitionTime ?? '');
  if (Number.isNaN(finishAt)) return undefined; // kube: "unable to find the time when the Job finished"
  return finishAt + job.spec.ttlSecondsAfterFinished! * 1000;
}

export const ttlAfterFinishedController: ControllerDefinition = {
  name: controllerName,
  workers: (o) => o.concurrentTTLSyncs,
  setup(ctx, queue) {
    const clock = ctx.clock;
    const delayed = new DelayedQueue(queue, clock);
    const jobs = ctx.factory.informerFor(jobsResource);
    const enqueue = (job: Job) => {
      if (!job.metadata.deletionTimestamp && needsCleanup(job)) queue.add(objectKey(job));
    };
    jobs.addEventHandler({ onAdd: enqueue, onUpdate: (_old, job) => enqueue(job) });

    /** processTTL: undefined once expired, else how long until it is (and a wake-up then). */
    const timeLeft = (key: string, job: Job): number | undefined => {
      const at = expiresAt(job);
      if (at === undefined) return Infinity;
      const left = at - clock.now();
      if (left <= 0) return undefined;
      delayed.addAfter(key, left);
      return left;
    };

    return {
      async reconcile(key) {
        const cached = jobs.store.get(key);
        if (!cached || cached.metadata.deletionTimestamp || timeLeft(key, cached) !== undefined) return;
        const { namespace, name } = splitKey(key);
        let fresh: Job;
        try {
          fresh = await ctx.client.get(jobsResource, name, { namespace });
        } catch (err) {
          if (isNotFound(err)) return;
          throw err;
        }
        if (fresh.metadata.deletionTimestamp || timeLeft(key, fresh) !== undefined) return;
        ctx.log.info({ job: key }, `${controllerName}: cleaning up Job`);
        try {
          await ctx.client.delete(jobsResource, name, { namespace, propagationPolicy: 'Foreground', preconditions: { uid: fresh.metadata.uid } });
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      },
      stop: () => delayed.stop(),
    };
  },
};
