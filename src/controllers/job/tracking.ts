// Pod tracking with finalizers (trackJobStatusAndRemoveFinalizers in kube's Job controller):
// a finished pod is first recorded by UID in status.uncountedTerminatedPods, then its
// batch.kubernetes.io/job-tracking finalizer is removed, then it moves into the succeeded /
// failed counters — so no pod is counted twice or lost, even if the controller stops midway.
// The interim FailureTarget / SuccessCriteriaMet condition is written before the finalizers
// go; Failed / Complete only once no pod is uncounted or still terminating.
import { isNotFound, resources } from '../../client/index.ts';
import { rfc3339 } from '../clock.ts';
import { ensureCondition, newCondition, type JobDeps, type SyncJobCtx } from './context.ts';
import { completionIndexOf, validIndex } from './indexes.ts';
import { refTo, removeTrackingFinalizer } from './manage.ts';
import { matchPodFailurePolicy } from './pod-failure-policy.ts';
import { hasBackoffLimitPerIndex, hasTrackingFinalizer, isIndexedJob, isPodFailed, type Job, type JobPod, type JobStatus } from './types.ts';

/** kube's MaxUncountedPods: finalizers removed per pass, so big Jobs do not starve small ones. */
const maxUncountedPods = 500;

export async function trackJobStatusAndRemoveFinalizers(d: JobDeps, jc: SyncJobCtx, needsFlushIn: boolean): Promise<void> {
  let needsFlush = needsFlushIn;
  const job = jc.job;
  const status = job.status!;
  const uncounted = (status.uncountedTerminatedPods ??= {});
  const indexed = isIndexedJob(job);
  const completions = job.spec.completions ?? 0;
  const pods = indexed ? [...jc.pods].sort((a, b) => completionIndexOf(a) - completionIndexOf(b)) : jc.pods;
  const withFinalizer = new Set(pods.filter((p) => hasTrackingFinalizer(p) && !jc.expectedRmFinalizers.has(p.metadata.uid!)).map((p) => p.metadata.uid!));
  if (cleanUncounted(status, withFinalizer)) needsFlush = true;

  const toRemove: JobPod[] = [];
  const newSucceededIndexes: number[] = [];
  let reachedMax = false;
  for (const pod of pods) {
    const uid = pod.metadata.uid!;
    if (!hasTrackingFinalizer(pod) || jc.expectedRmFinalizers.has(uid)) continue; // counted in an earlier pass
    const failed = isPodFailed(pod, job);
    if (!canRemoveFinalizer(jc, pod, failed)) continue;
    toRemove.push(pod);
    if (pod.status?.phase === 'Succeeded' && !jc.uncounted.failed.has(uid)) {
      if (indexed) {
        const ix = completionIndexOf(pod);
        if (validIndex(pod, completions) && !jc.prevSucceededIndexes!.has(ix)) {
          newSucceededIndexes.push(ix);
          needsFlush = true;
        }
      } else if (!jc.uncounted.succeeded.has(uid)) {
        (uncounted.succeeded ??= []).push(uid);
        needsFlush = true;
      }
    } else if (failed || (jc.finishedCondition && jc.finishedCondition.type !== 'SuccessCriteriaMet')) {
      // Once the Job is finishing, every pod that did not succeed counts as failed.
      if (!jc.uncounted.failed.has(uid) && (!indexed || validIndex(pod, completions)) && matchPodFailurePolicy(job, pod).countFailed) {
        (uncounted.failed ??= []).push(uid);
        needsFlush = true;
      }
    }
    if (newSucceededIndexes.length + (uncounted.succeeded?.length ?? 0) + (uncounted.failed?.length ?? 0) >= maxUncountedPods) {
      reachedMax = true;
      break;
    }
  }
  if (indexed) {
    jc.succeededIndexes = jc.succeededIndexes!.withIndexes(newSucceededIndexes);
    const completed = jc.succeededIndexes.toString();
    if (completed !== (status.completedIndexes ?? '')) needsFlush = true;
    status.succeeded = jc.succeededIndexes.total();
    status.completedIndexes = completed;
    const failedIndexes = jc.failedIndexes?.toString();
    if (failedIndexes !== status.failedIndexes) {
      status.failedIndexes = failedIndexes;
      needsFlush = true;
    }
  }
  if (jc.finishedCondition?.type === 'FailureTarget') {
    status.conditions = [...(status.conditions ?? []), jc.finishedCondition];
    needsFlush = true;
    jc.finishedCondition = newCondition('Failed', 'True', jc.finishedCondition.reason ?? '', jc.finishedCondition.message ?? '', d.clock.now());
  }
  if (jc.finishedCondition?.type === 'SuccessCriteriaMet') {
    if (!status.conditions?.some((c) => c.type === 'SuccessCriteriaMet' && c.status === 'True')) {
      status.conditions = [...(status.conditions ?? []), jc.finishedCondition];
      needsFlush = true;
    }
    jc.finishedCondition = newCondition('Complete', 'True', jc.finishedCondition.reason ?? '', jc.finishedCondition.message ?? '', d.clock.now());
  }
  needsFlush = await flushUncountedAndRemoveFinalizers(d, jc, toRemove, withFinalizer, needsFlush);
  const finished = !reachedMax && enactJobFinished(d, jc);
  if (finished) needsFlush = true;
  if (!needsFlush) return;
  jc.job = await writeStatus(d, jc.job);
  if (finished) recordJobFinished(d, jc.job);
}

/** canRemoveFinalizer: the Job is going or finishing, the pod succeeded, or it failed (unless kept for its index's count). */
function canRemoveFinalizer(jc: SyncJobCtx, pod: JobPod, failed: boolean): boolean {
  if (jc.job.metadata.deletionTimestamp || jc.finishedCondition || pod.status?.phase === 'Succeeded') return true;
  if (!failed) return false;
  if (hasBackoffLimitPerIndex(jc.job)) {
    const kept = jc.podsWithDelayedDeletionPerIndex?.get(completionIndexOf(pod));
    if (kept?.metadata.uid === pod.metadata.uid) return false;
  }
  return true;
}

async function flushUncountedAndRemoveFinalizers(d: JobDeps, jc: SyncJobCtx, toRemove: JobPod[], withFinalizer: Set<string>, needsFlushIn: boolean): Promise<boolean> {
  let needsFlush = needsFlushIn;
  if (needsFlush) {
    jc.job = await writeStatus(d, jc.job);
    d.backoff.update(jc.key, jc.newBackoffRecord);
    needsFlush = false;
  }
  let firstError: unknown;
  if (toRemove.length) {
    d.finalizerExpectations.expectRemoved(jc.key, toRemove.map((p) => p.metadata.uid!));
    await Promise.all(toRemove.map(async (pod) => {
      try {
        await removeTrackingFinalizer(d, pod);
      } catch (err) {
        d.finalizerExpectations.removalObserved(jc.key, pod.metadata.uid!);
        if (!isNotFound(err)) {
          firstError ??= err;
          return;
        }
      }
      withFinalizer.delete(pod.metadata.uid!);
    }));
  }
  if (cleanUncounted(jc.job.status!, withFinalizer)) needsFlush = true;
  if (firstError) {
    if (needsFlush) jc.job = await writeStatus(d, jc.job);
    throw firstError;
  }
  return needsFlush;
}

/** cleanUncountedPodsWithoutFinalizers: UIDs whose finalizer is gone move into the counters. */
function cleanUncounted(status: JobStatus, withFinalizer: Set<string>): boolean {
  let changed = false;
  const uncounted = (status.uncountedTerminatedPods ??= {});
  for (const kind of ['succeeded', 'failed'] as const) {
    const list = uncounted[kind] ?? [];
    const kept = list.filter((uid) => withFinalizer.has(uid));
    if (kept.length === list.length) continue;
    changed = true;
    status[kind] = (status[kind] ?? 0) + list.length - kept.length;
    if (kept.length) uncounted[kind] = kept;
    else delete uncounted[kind];
  }
  return changed;
}

/** enactJobFinished: Complete or Failed once nothing is uncounted or terminating. */
function enactJobFinished(d: JobDeps, jc: SyncJobCtx): boolean {
  const cond = jc.finishedCondition;
  if (!cond) return false;
  const status = jc.job.status!;
  const u = status.uncountedTerminatedPods;
  if ((u?.succeeded?.length ?? 0) + (u?.failed?.length ?? 0) > 0) return false;
  if (jc.terminating > 0) return false;
  const now = d.clock.now();
  status.conditions = ensureCondition(status.conditions ?? [], cond.type, cond.status, cond.reason ?? '', cond.message ?? '', now).list;
  if (cond.type === 'Complete') status.completionTime = status.conditions.find((c) => c.type === 'Complete')?.lastTransitionTime ?? rfc3339(now);
  return true;
}

/** recordJobFinished: Completed, or a Warning named by the failure's reason. */
function recordJobFinished(d: JobDeps, job: Job): void {
  const complete = job.status?.conditions?.find((c) => c.type === 'Complete' && c.status === 'True');
  if (complete) {
    if (job.spec.completions != null && (job.status?.succeeded ?? 0) > job.spec.completions) {
      d.recorder.event(refTo(job), 'Warning', 'TooManySucceededPods', 'Too many succeeded pods running after completion count reached');
    }
    d.recorder.event(refTo(job), 'Normal', 'Completed', 'Job completed');
    return;
  }
  const failed = job.status?.conditions?.find((c) => c.type === 'Failed' && c.status === 'True');
  if (failed) d.recorder.event(refTo(job), 'Warning', failed.reason ?? 'Failed', failed.message ?? '');
}

/** PUT /status with kube's omitempty for the counters. */
export async function writeStatus(d: JobDeps, job: Job): Promise<Job> {
  const status: JobStatus = { ...job.status };
  for (const k of ['active', 'succeeded', 'failed'] as const) if (!status[k]) delete status[k];
  if (!status.completedIndexes) delete status.completedIndexes;
  if (status.failedIndexes === undefined) delete status.failedIndexes;
  const written = await d.client.updateStatus(resources.jobs, { ...job, status });
  return { ...written, status: structuredClone(written.status ?? {}) } as Job;
}
