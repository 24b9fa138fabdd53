// The CronJob controller (kube-controller-manager's `cronjob-controller`, ControllerV2): a
// CronJob's key is queued when it or one of its Jobs changes, and again just after its next
// due time — scheduled on the controller's Clock, so tests drive it with a FakeClock.
import { objectKey } from '../../client/index.ts';
import { DelayedQueue } from '../clock.ts';
import type { Job } from '../job/types.ts';
import type { ControllerDefinition } from '../types.ts';
import { cronJobsResource, jobsResource, syncCronJobKey, type CronJobDeps } from './sync.ts';
import { nextScheduleTimeDuration, parseSchedule, type CronJob } from './utils.ts';

export const controllerName = 'cronjob-controller';

export const cronJobController: ControllerDefinition = {
  name: controllerName,
  workers: (o) => o.concurrentCronJobSyncs,
  setup(ctx, queue) {
    const clock = ctx.clock;
    const delayed = new DelayedQueue(queue, clock);
    const cronJobs = ctx.factory.informerFor(cronJobsResource);
    const jobs = ctx.factory.informerFor(jobsResource);
    const recorder = ctx.recorder(controllerName);
    const d: CronJobDeps = { client: ctx.client, cronJobs, jobs, recorder, clock };

    /** resolveControllerRef: the CronJob that controls a Job, if it is still that CronJob. */
    const ownerKey = (job: Job): string | undefined => {
      const ref = job.metadata.ownerReferences?.find((o) => o.controller);
      if (ref?.kind !== 'CronJob') return undefined;
      const cj = cronJobs.store.get(`${job.metadata.namespace}/${ref.name}`);
      return cj?.metadata.uid === ref.uid ? objectKey(cj) : undefined;
    };
    const enqueueOwner = (job: Job) => {
      const key = ownerKey(job);
      if (key) queue.add(key);
    };
    jobs.addEventHandler({
      onAdd: enqueueOwner,
      onUpdate(old, job) {
        if (old.metadata.resourceVersion === job.metadata.resourceVersion) return;
        const oldKey = ownerKey(old);
        if (oldKey && oldKey !== ownerKey(job)) queue.add(oldKey);
        enqueueOwner(job);
      },
      onDelete: enqueueOwner,
    });
    cronJobs.addEventHandler({
      onAdd: (cj) => queue.add(objectKey(cj)),
      onUpdate(old, cj) {
        // A new schedule or time zone: look again when it is next due; anything else: now.
        if (old.spec.schedule !== cj.spec.schedule || old.spec.timeZone !== cj.spec.timeZone) {
          try {
            delayed.addAfter(objectKey(cj), nextScheduleTimeDuration(cj, clock.now(), parseSchedule(cj)));
          } catch {
            recorder.event({ apiVersion: 'batch/v1', kind: 'CronJob', namespace: cj.metadata.namespace, name: cj.metadata.name!, uid: cj.metadata.uid },
              'Warning', 'UnParseableCronJobSchedule', `unparseable schedule for cronjob: ${cj.spec.schedule}`);
          }
          return;
        }
        queue.add(objectKey(cj));
      },
    });
    return {
      async reconcile(key) {
        const after = await syncCronJobKey(d, key);
        if (after !== undefined) delayed.addAfter(key, after);
      },
      stop: () => delayed.stop(),
    };
  },
};

export type { CronJob };
