// syncJob (pkg/controller/job/job_controller.go, v1.32) for one key: claim the pods, count the
// newly finished ones, decide whether the Job has failed (podFailurePolicy FailJob,
// backoffLimit, activeDeadlineSeconds, failed indexes) or succeeded (completions, successPolicy),
// otherwise manage its pods (create, delete, suspend) and its Suspended condition; then track
// pods and status through the finalizer protocol in tracking.ts.
import { rfc3339 } from '../clock.ts';
import { claimPods } from './claim.ts';
import { ensureCondition, newCondition, type JobDeps, type SyncJobCtx } from './context.ts';
import { OrderedIntervals, completionIndexOf, indexesOf, indexFailureCount, indexIgnoredFailureCount, matchSuccessPolicy, validIndex } from './indexes.ts';
import { deleteActivePods, manageJob, refTo } from './manage.ts';
import { matchPodFailurePolicy } from './pod-failure-policy.ts';
import { trackJobStatusAndRemoveFinalizers } from './tracking.ts';
import { finishedTime } from './backoff.ts';
import {
  hasBackoffLimitPerIndex, hasTrackingFinalizer, isIndexedJob, isJobFinished, isPodActive, isPodFailed, isPodReady, isPodTerminating,
  jobControllerName, type Job, type JobCondition, type JobPod,
} from './types.ts';

export async function syncJob(d: JobDeps, key: string): Promise<void> {
  const shared = d.jobs.store.get(key);
  if (!shared) {
    d.expectations.delete(key);
    d.finalizerExpectations.delete(key);
    d.backoff.remove(key);
    return;
  }
  if (shared.spec.managedBy != null && shared.spec.managedBy !== jobControllerName) return; // another controller's Job
  if (isJobFinished(shared)) {
    d.backoff.remove(key);
    return;
  }
  const mode = shared.spec.completionMode;
  if (mode != null && mode !== 'NonIndexed' && mode !== 'Indexed') {
    d.recorder.event(refTo(shared), 'Warning', 'UnknownCompletionMode', 'Skipped Job sync because completion mode is unknown');
    return;
  }
  const job: Job = { ...shared, spec: shared.spec, status: structuredClone(shared.status ?? {}) };
  const status = job.status!;
  status.uncountedTerminatedPods ??= {};
  // Expectations first: a pod created after this check only defers the sync to its own event.
  const satisfied = d.expectations.satisfied(key);
  const pods = await claimPods(d.client, d.pods, job);
  const activePods = pods.filter(isPodActive);
  const jc: SyncJobCtx = {
    key, job, pods, activePods,
    ready: activePods.filter(isPodReady).length,
    terminating: pods.filter(isPodTerminating).length,
    succeeded: 0, failed: 0,
    uncounted: { succeeded: new Set(status.uncountedTerminatedPods.succeeded), failed: new Set(status.uncountedTerminatedPods.failed) },
    expectedRmFinalizers: d.finalizerExpectations.expected(key),
    newBackoffRecord: { failuresAfterLastSuccess: 0 },
  };
  let active = activePods.length;
  const newSucceeded = newFinishedPods(jc, jc.uncounted.succeeded, (p) => p.status?.phase === 'Succeeded');
  const newFailed = newFinishedPods(jc, jc.uncounted.failed, (p) => isPodFailed(p, job));
  jc.succeeded = (status.succeeded ?? 0) + newSucceeded.length + jc.uncounted.succeeded.size;
  jc.failed = (status.failed ?? 0) + newFailed.filter((p) => matchPodFailurePolicy(job, p).countFailed).length + jc.uncounted.failed.size;
  const now = d.clock.now();
  if (!status.startTime && !job.spec.suspend) status.startTime = rfc3339(now); // first start
  jc.newBackoffRecord = d.backoff.next(key, newSucceeded, newFailed);

  jc.finishedCondition = decideFailure(d, jc);
  if (isIndexedJob(job)) decideIndexed(d, jc);

  let suspendChanged = false;
  let manageError: unknown;
  if (jc.finishedCondition) {
    // Failing: every active pod goes; the Job is declared finished only once none is left.
    try {
      const deleted = await deleteActivePods(d, jc, jc.activePods);
      if (deleted !== active || !satisfied) jc.finishedCondition = undefined;
      active -= deleted;
    } catch (err) {
      manageError = err;
      jc.finishedCondition = undefined;
    }
  } else {
    let managed = false;
    if (satisfied && !job.metadata.deletionTimestamp) {
      try {
        active = await manageJob(d, jc);
      } catch (err) {
        manageError = err;
      }
      managed = true;
    }
    const complete = job.spec.completions == null ? jc.succeeded > 0 && active === 0 : jc.succeeded >= job.spec.completions && active === 0;
    if (complete) {
      jc.finishedCondition = newCondition('SuccessCriteriaMet', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods', now);
    } else if (managed) {
      suspendChanged = updateSuspended(d, jc, now);
    }
  }
  const needsStatusUpdate = suspendChanged || active !== (status.active ?? 0) || jc.ready !== status.ready || jc.terminating !== status.terminating;
  status.active = active;
  status.ready = jc.ready;
  status.terminating = jc.terminating;
  await trackJobStatusAndRemoveFinalizers(d, jc, needsStatusUpdate);
  if (manageError) throw manageError;
}

/** getNewFinishedPods: pods still carrying the finalizer, not yet uncounted, that pass `filter`. */
function newFinishedPods(jc: SyncJobCtx, uncounted: Set<string>, filter: (p: JobPod) => boolean): JobPod[] {
  const completions = jc.job.spec.completions ?? 0;
  return jc.pods.filter((p) => {
    const uid = p.metadata.uid!;
    if (!hasTrackingFinalizer(p) || uncounted.has(uid) || jc.expectedRmFinalizers.has(uid)) return false;
    if (isIndexedJob(jc.job) && !validIndex(p, completions)) return false;
    return filter(p);
  });
}

/** The failure the Job has reached, if any: FailureTarget (kept or new), backoff limit or deadline. */
function decideFailure(d: JobDeps, jc: SyncJobCtx): JobCondition | undefined {
  const { job } = jc;
  const now = d.clock.now();
  const status = job.status!;
  if (status.conditions?.some((c) => c.type === 'SuccessCriteriaMet' && c.status === 'True')) {
    const met = status.conditions.find((c) => c.type === 'SuccessCriteriaMet')!;
    return newCondition('SuccessCriteriaMet', 'True', met.reason ?? '', met.message ?? '', now);
  }
  const target = status.conditions?.find((c) => c.type === 'FailureTarget' && c.status === 'True');
  if (target) return newCondition('Failed', 'True', target.reason ?? '', target.message ?? '', now);
  if (job.spec.podFailurePolicy) {
    for (const pod of jc.pods) {
      if (!isPodFailed(pod, job)) continue;
      const { failJobMessage } = matchPodFailurePolicy(job, pod);
      if (failJobMessage) return newCondition('FailureTarget', 'True', 'PodFailurePolicy', failJobMessage, now);
    }
  }
  if (jc.failed > (job.spec.backoffLimit ?? 6) || pastBackoffLimitOnFailure(job, jc.pods)) {
    return newCondition('FailureTarget', 'True', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit', now);
  }
  const deadline = job.spec.activeDeadlineSeconds;
  if (deadline != null && status.startTime && !job.spec.suspend) {
    const left = Date.parse(status.startTime) + deadline * 1000 - now;
    if (left <= 0) return newCondition('FailureTarget', 'True', 'DeadlineExceeded', 'Job was active longer than specified deadline', now);
    d.delayed.addAfter(jc.key, left);
  }
  return undefined;
}

/** pastBackoffLimitOnFailure: with restartPolicy OnFailure, container restarts count as failures. */
function pastBackoffLimitOnFailure(job: Job, pods: JobPod[]): boolean {
  if (job.spec.template?.spec?.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const p of pods) {
    if (p.status?.phase !== 'Running' && p.status?.phase !== 'Pending') continue;
    for (const s of [...(p.status.initContainerStatuses ?? []), ...(p.status.containerStatuses ?? [])]) restarts += s.restartCount ?? 0;
  }
  const limit = job.spec.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

/** Succeeded and failed indexes, the failed-indexes verdicts and the success policy. */
function decideIndexed(d: JobDeps, jc: SyncJobCtx): void {
  const { job } = jc;
  const completions = job.spec.completions ?? 0;
  const now = d.clock.now();
  jc.prevSucceededIndexes = OrderedIntervals.parse(job.status!.completedIndexes, completions);
  jc.succeededIndexes = jc.prevSucceededIndexes.withIndexes(indexesOf(jc.pods.filter((p) => p.status?.phase === 'Succeeded' && validIndex(p, completions) && hasTrackingFinalizer(p))));
  jc.succeeded = jc.succeededIndexes.total();
  if (hasBackoffLimitPerIndex(job)) {
    const failedNow = jc.pods.filter((p) => validIndex(p, completions) && hasTrackingFinalizer(p) && isIndexFailed(job, p));
    jc.failedIndexes = OrderedIntervals.parse(job.status!.failedIndexes, completions).withIndexes(indexesOf(failedNow));
    if (!jc.finishedCondition) {
      const failedTotal = jc.failedIndexes.total();
      if (job.spec.maxFailedIndexes != null && failedTotal > job.spec.maxFailedIndexes) {
        jc.finishedCondition = newCondition('FailureTarget', 'True', 'MaxFailedIndexesExceeded', 'Job has exceeded the specified maximal number of failed indexes', now);
      } else if (failedTotal > 0 && failedTotal + jc.succeededIndexes.total() >= completions) {
        jc.finishedCondition = newCondition('FailureTarget', 'True', 'FailedIndexes', 'Job has failed indexes', now);
      }
    }
    jc.podsWithDelayedDeletionPerIndex = podsWithDelayedDeletion(jc);
  }
  if (!jc.finishedCondition) {
    const message = matchSuccessPolicy(job.spec.successPolicy?.rules, completions, jc.succeededIndexes);
    if (message) jc.finishedCondition = newCondition('SuccessCriteriaMet', 'True', 'SuccessPolicy', message, now);
  }
}

/** isIndexFailed: a FailIndex rule matched, or the index used up backoffLimitPerIndex. */
function isIndexFailed(job: Job, pod: JobPod): boolean {
  if (!isPodFailed(pod, job)) return false;
  const match = matchPodFailurePolicy(job, pod);
  if (match.action === 'FailIndex') return true;
  return match.countFailed && indexFailureCount(pod) >= (job.spec.backoffLimitPerIndex ?? 0);
}

/** getPodsWithDelayedDeletionPerIndex: per idle index, its last failed pod, kept until its replacement carries the count. */
function podsWithDelayedDeletion(jc: SyncJobCtx): Map<number, JobPod> {
  const activeIndexes = indexesOf(jc.activePods);
  const result = new Map<number, JobPod>();
  for (const pod of newFinishedPods(jc, new Set(), (p) => isPodFailed(p, jc.job))) {
    const ix = completionIndexOf(pod);
    if (jc.succeededIndexes!.has(ix) || jc.failedIndexes?.has(ix) || activeIndexes.has(ix)) continue;
    const last = result.get(ix);
    const count = (p: JobPod) => indexFailureCount(p) + indexIgnoredFailureCount(p);
    if (!last || (count(last) <= count(pod) && finishedTime(pod) >= finishedTime(last))) result.set(ix, pod);
  }
  return result;
}

/** The Suspended condition and its events; resuming resets startTime (activeDeadlineSeconds counts from it). */
function updateSuspended(d: JobDeps, jc: SyncJobCtx, now: number): boolean {
  const status = jc.job.status!;
  const conditions = status.conditions ?? [];
  if (jc.job.spec.suspend) {
    const r = ensureCondition(conditions, 'Suspended', 'True', 'JobSuspended', 'Job suspended', now);
    if (r.changed) d.recorder.event(refTo(jc.job), 'Normal', 'Suspended', 'Job suspended');
    status.conditions = r.list;
    return r.changed;
  }
  const r = ensureCondition(conditions, 'Suspended', 'False', 'JobResumed', 'Job resumed', now);
  if (r.changed) {
    d.recorder.event(refTo(jc.job), 'Normal', 'Resumed', 'Job resumed');
    status.startTime = rfc3339(now);
  }
  status.conditions = r.list;
  return r.changed;
}
