// manageJob (pkg/controller/job/job_controller.go): brings the number of active pods to what
// the Job wants — none while suspended; min(parallelism, completions − succeeded) otherwise,
// or parallelism until the first success for a work queue (no completions) — deleting the
// extras first, creating the missing ones in slow-start batches after the failure backoff.
// Pods of an Indexed Job get the lowest pending indexes: annotation and label
// batch.kubernetes.io/job-completion-index, hostname <job>-<index>, JOB_COMPLETION_INDEX.
import { isNotFound, referenceTo, resources } from '../../client/index.ts';
import { slowStartBatch } from '../replicaset.ts';
import { finishedTime, remainingBackoff } from './backoff.ts';
import { jobControllerRef } from './claim.ts';
import type { JobDeps, SyncJobCtx } from './context.ts';
import {
  completionIndexOf, duplicatedIndexPods, firstPendingIndexes, indexesOf, indexFailureCount, indexIgnoredFailureCount,
} from './indexes.ts';
import { matchPodFailurePolicy } from './pod-failure-policy.ts';
import {
  completionIndexEnvName, hasBackoffLimitPerIndex, isIndexedJob, isPodReady, isPodTerminating, jobCompletionIndexAnnotation,
  jobIndexFailureCountAnnotation, jobIndexIgnoredFailureCountAnnotation, jobTrackingFinalizer, onlyReplaceFailedPods,
  type Job, type JobPod,
} from './types.ts';

/** kube's MaxPodCreateDeletePerSync. */
const maxPodCreateDeletePerSync = 500;
/** validation.DNS1123SubdomainMaxLength − the 5 random characters of a generated name. */
const maxGeneratedNameLength = 58;

/** Returns the number of active pods after its creates and deletes. */
export async function manageJob(d: JobDeps, jc: SyncJobCtx): Promise<number> {
  const { job } = jc;
  let active = jc.activePods.length;
  if (job.spec.suspend) {
    const removed = await deleteJobPods(d, jc, activePodsForRemoval(job, jc.activePods, active));
    return active - removed;
  }
  const parallelism = job.spec.parallelism ?? 1;
  let wantActive: number;
  if (job.spec.completions == null) wantActive = jc.succeeded > 0 ? active : parallelism;
  else wantActive = Math.max(0, Math.min(job.spec.completions - jc.succeeded, parallelism));

  const toDelete = activePodsForRemoval(job, jc.activePods, Math.max(0, active - wantActive)).slice(0, maxPodCreateDeletePerSync);
  if (toDelete.length) {
    // Deleting and creating in one pass could fight over indexes: deletion goes first.
    return active - (await deleteJobPods(d, jc, toDelete));
  }
  const terminating = onlyReplaceFailedPods(job) ? jc.terminating : 0;
  let diff = wantActive - terminating - active;
  if (diff <= 0) return active;

  if (!hasBackoffLimitPerIndex(job)) {
    const wait = remainingBackoff(d.clock.now(), d.backoffBaseMs, d.backoffMaxMs, jc.newBackoffRecord.failuresAfterLastSuccess, jc.newBackoffRecord.lastFailureTime);
    if (wait > 0) {
      d.delayed.addAfter(jc.key, Math.max(wait, d.batchPeriodMs));
      return 0;
    }
  }
  diff = Math.min(diff, maxPodCreateDeletePerSync);
  let indexes: number[] = [];
  if (isIndexedJob(job)) {
    indexes = firstPendingIndexes(nonPendingIndexes(jc), diff, job.spec.completions!);
    if (hasBackoffLimitPerIndex(job)) {
      const { now, wait } = indexesReadyNow(d, jc, indexes);
      if (!now.length && wait > 0) {
        d.delayed.addAfter(jc.key, Math.max(wait, d.batchPeriodMs));
        return 0;
      }
      indexes = now;
    }
    diff = indexes.length;
  }
  if (diff <= 0) return active;
  d.expectations.expectCreations(jc.key, diff);
  const pending = [...indexes];
  const result = await slowStartBatch(diff, () => createPod(d, jc, pending.length ? pending.shift()! : undefined));
  for (let skipped = diff - result.done - result.failed; skipped > 0; skipped--) d.expectations.creationObserved(jc.key);
  active += result.done;
  if (result.error) throw result.error;
  return active;
}

/** Indexes with an active, succeeded or failed pod (or a terminating one, when only failed pods are replaced). */
function nonPendingIndexes(jc: SyncJobCtx) {
  let nonPending = jc.succeededIndexes!.withIndexes(indexesOf(jc.activePods));
  if (onlyReplaceFailedPods(jc.job)) nonPending = nonPending.withIndexes(indexesOf(jc.pods.filter(isPodTerminating)));
  if (jc.failedIndexes) nonPending = nonPending.merge(jc.failedIndexes);
  return nonPending;
}

/** getPodCreationInfoForIndependentIndexes: each index waits out its own backoff. */
function indexesReadyNow(d: JobDeps, jc: SyncJobCtx, indexes: number[]): { now: number[]; wait: number } {
  const now: number[] = [];
  let wait = Infinity;
  for (const ix of indexes) {
    const last = jc.podsWithDelayedDeletionPerIndex?.get(ix);
    const remaining = last
      ? remainingBackoff(d.clock.now(), d.backoffBaseMs, d.backoffMaxMs, indexFailureCount(last) + indexIgnoredFailureCount(last) + 1, finishedTime(last))
      : 0;
    if (remaining === 0) now.push(ix);
    else wait = Math.min(wait, remaining);
  }
  return { now, wait: now.length ? 0 : wait === Infinity ? 0 : wait };
}

async function createPod(d: JobDeps, jc: SyncJobCtx, index: number | undefined): Promise<void> {
  const { job } = jc;
  const template = structuredClone(job.spec.template ?? {});
  const labels: Record<string, string> = { ...template.metadata?.labels };
  const annotations: Record<string, string> = { ...template.metadata?.annotations };
  const spec = template.spec ?? {};
  let generateName = `${job.metadata.name}-`;
  if (index !== undefined) {
    annotations[jobCompletionIndexAnnotation] = String(index);
    labels[jobCompletionIndexAnnotation] = String(index);
    spec.hostname = `${job.metadata.name}-${index}`;
    generateName = generateNameWithIndex(job.metadata.name!, index);
    for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) addCompletionIndexEnv(c);
    if (hasBackoffLimitPerIndex(job)) addIndexFailureCounts(annotations, job, jc.podsWithDelayedDeletionPerIndex?.get(index));
  }
  const finalizers = [...(template.metadata?.finalizers ?? [])];
  if (!finalizers.includes(jobTrackingFinalizer)) finalizers.push(jobTrackingFinalizer);
  const pod: JobPod = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { generateName, namespace: job.metadata.namespace, labels, annotations, finalizers, ownerReferences: [jobControllerRef(job)] },
    spec,
  };
  try {
    const created = await d.client.create(resources.pods, pod, { namespace: job.metadata.namespace });
    d.recorder.event(refTo(job), 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
  } catch (err) {
    d.expectations.creationObserved(jc.key); // it will never be observed
    d.recorder.event(refTo(job), 'Warning', 'FailedCreate', `Error creating: ${err instanceof Error ? err.message : String(err)}`);
    throw err;
  }
}

/** podGenerateNameWithIndex: `<job>-<index>-`, the job name cut so the whole fits. */
function generateNameWithIndex(jobName: string, index: number): string {
  const suffix = `-${index}-`;
  const name = jobName + suffix;
  return name.length > maxGeneratedNameLength ? jobName.slice(0, maxGeneratedNameLength - suffix.length) + suffix : name;
}

/** JOB_COMPLETION_INDEX from the pod's index label, unless the container sets it itself. */
function addCompletionIndexEnv(container: { env?: { name: string }[] }): void {
  if (container.env?.some((e) => e.name === completionIndexEnvName)) return;
  (container.env ??= []).push({ name: completionIndexEnvName, valueFrom: { fieldRef: { fieldPath: `metadata.labels['${jobCompletionIndexAnnotation}']` } } } as { name: string });
}

/** getNewIndexFailureCounts: the replaced pod's counts, plus its own failure. */
function addIndexFailureCounts(annotations: Record<string, string>, job: Job, replaced: JobPod | undefined): void {
  let failures = 0, ignored = 0;
  if (replaced) {
    failures = indexFailureCount(replaced);
    ignored = indexIgnoredFailureCount(replaced);
    if (matchPodFailurePolicy(job, replaced).countFailed) failures++;
    else ignored++;
  }
  annotations[jobIndexFailureCountAnnotation] = String(failures);
  if (ignored > 0) annotations[jobIndexIgnoredFailureCountAnnotation] = String(ignored);
}

/** deleteJobPods: tracking finalizer off, then DELETE; returns how many were deleted. */
export async function deleteJobPods(d: JobDeps, jc: SyncJobCtx, pods: JobPod[]): Promise<number> {
  if (!pods.length) return 0;
  d.expectations.expectDeletions(jc.key, pods.length);
  let deleted = 0;
  let firstError: unknown;
  await Promise.all(pods.map(async (pod) => {
    try {
      if (pod.metadata.finalizers?.includes(jobTrackingFinalizer)) await removeTrackingFinalizer(d, pod);
      await d.client.delete(resources.pods, pod.metadata.name!, { namespace: pod.metadata.namespace });
      d.recorder.event(refTo(jc.job), 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
      deleted++;
      if (isPodReady(pod)) jc.ready--;
      jc.terminating++;
    } catch (err) {
      d.expectations.deletionObserved(jc.key);
      if (isNotFound(err)) return;
      d.recorder.event(refTo(jc.job), 'Warning', 'FailedDelete', `Error deleting: ${err instanceof Error ? err.message : String(err)}`);
      firstError ??= err;
    }
  }));
  if (firstError) throw firstError;
  return deleted;
}

/** deleteActivePods: DELETE keeping finalizers (the tracking pass removes them); returns how many. */
export async function deleteActivePods(d: JobDeps, jc: SyncJobCtx, pods: JobPod[]): Promise<number> {
  let deleted = 0;
  let firstError: unknown;
  await Promise.all(pods.map(async (pod) => {
    try {
      await d.client.delete(resources.pods, pod.metadata.name!, { namespace: pod.metadata.namespace });
      d.recorder.event(refTo(jc.job), 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
    } catch (err) {
      if (!isNotFound(err)) {
        firstError ??= err;
        return;
      }
    }
    deleted++;
    if (isPodReady(pod)) jc.ready--;
    jc.terminating++;
  }));
  if (firstError) throw firstError;
  return deleted;
}

export async function removeTrackingFinalizer(d: JobDeps, pod: JobPod): Promise<void> {
  await d.client.patch(resources.pods, pod.metadata.name!, 'strategic',
    { metadata: { '$deleteFromPrimitiveList/finalizers': [jobTrackingFinalizer] } }, { namespace: pod.metadata.namespace });
}

/**
 * activePodsForRemoval: for an Indexed Job, pods without a valid index and repeated indexes
 * first; then the least advanced pods in kube's ActivePods order.
 */
export function activePodsForRemoval(job: Job, pods: JobPod[], atLeast: number): JobPod[] {
  let remove: JobPod[] = [];
  let left = pods;
  if (isIndexedJob(job)) ({ remove, keep: left } = duplicatedIndexPods(pods, job.spec.completions ?? 0, compareActivePods));
  if (remove.length < atLeast) remove = [...remove, ...[...left].sort(compareActivePods).slice(0, atLeast - remove.length)];
  return remove;
}

/** controller.ActivePods: unassigned < assigned, Pending < Unknown < Running, not ready < ready, more restarts, newer. */
export function compareActivePods(a: JobPod, b: JobPod): number {
  const phase = (p: JobPod) => ({ Pending: 0, Unknown: 1, Running: 2 } as Record<string, number>)[p.status?.phase ?? 'Pending'] ?? 0;
  const restarts = (p: JobPod) => Math.max(0, ...(p.status?.containerStatuses ?? []).map((s) => s.restartCount ?? 0));
  const created = (p: JobPod) => Date.parse(p.metadata.creationTimestamp ?? '') || 0;
  return Number(!!a.spec?.nodeName) - Number(!!b.spec?.nodeName)
    || phase(a) - phase(b)
    || Number(isPodReady(a)) - Number(isPodReady(b))
    || restarts(b) - restarts(a)
    || created(b) - created(a)
    || completionIndexOf(a) - completionIndexOf(b);
}

export function refTo(job: Job) {
  return referenceTo(job, 'Job', 'batch/v1');
}
