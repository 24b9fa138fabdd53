// getPodsForJob: the pods a Job manages, after reconciling ownership as kube's
// PodControllerRefManager does with the tracking finalizer: an active orphan that the Job's
// selector matches is adopted (controller reference and batch.kubernetes.io/job-tracking
// added in one patch), an owned pod that no longer matches is released.
import type { OwnerReference } from '../../api/types.ts';
import { controllerIndex, isNotFound, labelMatcher, resources, type ApiClient, type SharedInformer } from '../../client/index.ts';
import { controllerRefOf, hasTrackingFinalizer, jobTrackingFinalizer, type Job, type JobPod } from './types.ts';

export function jobControllerRef(job: Job): OwnerReference {
  return { apiVersion: 'batch/v1', kind: 'Job', name: job.metadata.name!, uid: job.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

/** A nil or empty selector matches nothing, as the controller assumes. */
function selectorMatcher(job: Job): (labels: Record<string, string> | undefined) => boolean {
  const selector = job.spec.selector;
  if (!selector || (!Object.keys(selector.matchLabels ?? {}).length && !selector.matchExpressions?.length)) return () => false;
  return labelMatcher(selector);
}

export async function claimPods(client: ApiClient, pods: SharedInformer<JobPod>, job: Job): Promise<JobPod[]> {
  const uid = job.metadata.uid!;
  const matches = selectorMatcher(job);
  const claimed: JobPod[] = [];
  for (const pod of pods.store.byIndex(controllerIndex, uid)) {
    if (matches(pod.metadata.labels) || pod.metadata.deletionTimestamp) {
      claimed.push(pod);
      continue;
    }
    if (job.metadata.deletionTimestamp) continue;
    const owners = (pod.metadata.ownerReferences ?? []).filter((o) => o.uid !== uid);
    const finalizers = (pod.metadata.finalizers ?? []).filter((f) => f !== jobTrackingFinalizer);
    await patchPod(client, pod, { ownerReferences: owners, finalizers });
  }
  const orphans = pods.store.byNamespace(job.metadata.namespace!)
    .filter((p) => !p.metadata.deletionTimestamp && !controllerRefOf(p) && matches(p.metadata.labels));
  if (orphans.length && !job.metadata.deletionTimestamp && (await canAdopt(client, job))) {
    for (const pod of orphans) {
      const finalizers = hasTrackingFinalizer(pod) ? pod.metadata.finalizers : [...(pod.metadata.finalizers ?? []), jobTrackingFinalizer];
      const adopted = await patchPod(client, pod, { ownerReferences: [...(pod.metadata.ownerReferences ?? []), jobControllerRef(job)], finalizers });
      if (adopted) claimed.push(adopted);
    }
  }
  return claimed;
}

/** RecheckDeletionTimestamp: adopt only for a Job that, read fresh, is the same one and not being deleted. */
async function canAdopt(client: ApiClient, job: Job): Promise<boolean> {
  try {
    const fresh = await client.get(resources.jobs, job.metadata.name!, { namespace: job.metadata.namespace });
    return fresh.metadata.uid === job.metadata.uid && !fresh.metadata.deletionTimestamp;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

/** A metadata patch conditional on the version judged (a conflict fails the sync, which retries). */
async function patchPod(client: ApiClient, pod: JobPod, metadata: Record<string, unknown>): Promise<JobPod | undefined> {
  const { name, namespace, uid, resourceVersion } = pod.metadata;
  try {
    return await client.patch(resources.pods, name!, 'merge', { metadata: { uid, resourceVersion, ...metadata } }, { namespace }) as JobPod;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}
