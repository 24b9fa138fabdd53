// The Job controller (kube-controller-manager's `job-controller`): informers on Jobs and pods,
// Job keys queued at once for Job changes and batched (syncJobBatchPeriod) for pod changes,
// and a second queue that strips the tracking finalizer from orphaned pods (syncOrphanPod).
import { isNotFound, objectKey, resources, runWorkers, WorkQueue, type ResourceDescriptor } from '../../client/index.ts';
import { DelayedQueue } from '../clock.ts';
import type { ControllerDefinition } from '../types.ts';
import { BackoffStore } from './backoff.ts';
import type { JobDeps } from './context.ts';
import { FinalizerExpectations, PodExpectations } from './expectations.ts';
import { removeTrackingFinalizer } from './manage.ts';
import { syncJob } from './sync.ts';
import { controllerRefOf } from '../controller-ref-manager.ts';
import { hasTrackingFinalizer, isJobFinished, type Job, type JobPod } from './types.ts';

export const controllerName = 'job-controller';

export const jobController: ControllerDefinition = {
  name: controllerName,
  workers: (o) => o.concurrentJobSyncs,
  setup(ctx, queue) {
    const clock = ctx.clock;
    const jobs = ctx.factory.informerFor(resources.jobs as ResourceDescriptor<Job>);
    const pods = ctx.factory.informerFor<JobPod>(resources.pods);
    const delayed = new DelayedQueue(queue, clock);
    const orphans = new WorkQueue<string>();
    const d: JobDeps = {
      client: ctx.client, log: ctx.log, jobs, pods, clock, delayed,
      expectations: new PodExpectations(), finalizerExpectations: new FinalizerExpectations(), backoff: new BackoffStore(),
      recorder: ctx.recorder(controllerName),
      backoffBaseMs: ctx.options.jobPodFailureBackoffSeconds * 1000,
      backoffMaxMs: ctx.options.jobPodFailureBackoffMaxSeconds * 1000,
      batchPeriodMs: ctx.options.jobSyncBatchPeriodSeconds * 1000,
    };
    const batched = (job: Job) => delayed.addAfter(objectKey(job), d.batchPeriodMs);
    /** resolveControllerRef: the Job a controller reference names, if it is still that Job. */
    const ownerOf = (pod: JobPod): Job | undefined => {
      const ref = controllerRefOf(pod);
      if (ref?.kind !== 'Job' || ref.apiVersion !== 'batch/v1') return undefined;
      const job = jobs.store.get(`${pod.metadata.namespace}/${ref.name}`);
      return job?.metadata.uid === ref.uid ? job : undefined;
    };
    const orphan = (pod: JobPod) => {
      if (hasTrackingFinalizer(pod)) orphans.add(objectKey(pod));
    };
    /** deletePod: a pod going or gone. */
    const podGone = (pod: JobPod, final: boolean) => {
      const job = controllerRefOf(pod) ? ownerOf(pod) : undefined;
      if (!job || isJobFinished(job)) return orphan(pod);
      const key = objectKey(job);
      d.expectations.deletionObserved(key);
      if (final || !hasTrackingFinalizer(pod)) d.finalizerExpectations.removalObserved(key, pod.metadata.uid!);
      batched(job);
    };
    /** Orphans whose labels match a Job: that Job may adopt them. */
    const matchingJobs = (pod: JobPod) => jobs.store.byNamespace(pod.metadata.namespace!)
      .filter((j) => j.spec.selector && Object.keys(j.spec.selector.matchLabels ?? {}).length + (j.spec.selector.matchExpressions?.length ?? 0) > 0)
      .filter((j) => Object.entries(j.spec.selector!.matchLabels ?? {}).every(([k, v]) => pod.metadata.labels?.[k] === v));

    jobs.addEventHandler({
      onAdd: (job) => queue.add(objectKey(job)),
      onUpdate(old, job) {
        if (job.metadata.generation === old.metadata.generation) batched(job);
        else queue.add(objectKey(job));
        if (isJobFinished(job)) cleanupPodFinalizers(job);
        // A new or changed activeDeadlineSeconds: look again when it runs out.
        const ads = job.spec.activeDeadlineSeconds;
        if (job.status?.startTime && ads != null && ads !== old.spec.activeDeadlineSeconds) {
          delayed.addAfter(objectKey(job), Date.parse(job.status.startTime) + ads * 1000 - clock.now());
        }
      },
      onDelete(job) {
        queue.add(objectKey(job));
        cleanupPodFinalizers(job);
      },
    });
    const cleanupPodFinalizers = (job: Job) => {
      for (const pod of pods.store.byNamespace(job.metadata.namespace!)) {
        if (controllerRefOf(pod)?.uid === job.metadata.uid) orphan(pod);
      }
    };
    pods.addEventHandler({
      onAdd(pod) {
        if (pod.metadata.deletionTimestamp) return podGone(pod, false);
        if (controllerRefOf(pod)) {
          const job = ownerOf(pod);
          if (!job) return orphan(pod);
          d.expectations.creationObserved(objectKey(job));
          return batched(job);
        }
        orphan(pod);
        for (const job of matchingJobs(pod)) batched(job);
      },
      onUpdate(old, pod) {
        if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
        if (pod.metadata.deletionTimestamp) return podGone(pod, false);
        const ref = controllerRefOf(pod);
        const oldRef = controllerRefOf(old);
        if (oldRef && oldRef.uid !== ref?.uid) {
          const oldJob = ownerOf(old);
          if (oldJob) {
            if (!hasTrackingFinalizer(pod)) d.finalizerExpectations.removalObserved(objectKey(oldJob), pod.metadata.uid!);
            batched(oldJob);
          }
        }
        if (ref) {
          const job = ownerOf(pod);
          if (!job) return;
          if (!hasTrackingFinalizer(pod)) d.finalizerExpectations.removalObserved(objectKey(job), pod.metadata.uid!);
          return batched(job);
        }
        orphan(pod);
        if (JSON.stringify(old.metadata.labels) !== JSON.stringify(pod.metadata.labels) || oldRef) for (const job of matchingJobs(pod)) batched(job);
      },
      onDelete: (pod) => podGone(pod, true),
    });

    /** syncOrphanPod: strip the finalizer unless a live, unfinished Job controls the pod. */
    const syncOrphanPod = async (key: string) => {
      const pod = pods.store.get(key);
      if (!pod) return;
      const ref = controllerRefOf(pod);
      if (ref) {
        if (ref.kind !== 'Job' || ref.apiVersion !== 'batch/v1') return;
        const job = ownerOf(pod);
        if (job && !isJobFinished(job)) return;
      }
      if (!hasTrackingFinalizer(pod)) return;
      try {
        await removeTrackingFinalizer(d, pod);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    };
    let orphanLoop: Promise<void> | undefined;
    return {
      reconcile: (key) => syncJob(d, key),
      start() {
        orphanLoop = runWorkers(orphans, 1, syncOrphanPod, { onError: (key, err) => ctx.log.warn({ key, err: String(err) }, `${controllerName}: orphan pod cleanup failed, will retry`) });
      },
      async stop() {
        delayed.stop();
        orphans.shutdown();
        await orphanLoop;
      },
    };
  },
};
