// getPodsForJob: the pods a Job manages, after reconciling ownership as kube's
// PodControllerRefManager does with the tracking finalizer: an active orphan that the Job's
// selector matches is adopted (controller reference and batch.kubernetes.io/job-tracking
// added in one patch), an owned pod that no longer matches is released.
import type { OwnerReference } from '../../api/types.ts';
import { controllerIndex, isNotFound, resources, type ApiClient, type SharedInformer } from '../../client/index.ts';
import { controllerRefOf, recheckDeletionTimestamp, selectorMatcher } from '../controller-ref-manager.ts';
import { hasTrackingFinalizer, jobTrackingFinalizer, type Job, type JobPod } from './types.ts';

export function jobControllerRef(job: Job): OwnerReference {
  return { apiVersion: 'batch/v1', kind: 'Job', name: job.metadata.name!, uid: job.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

export async function claimPods(client: ApiClient, pods: SharedInformer<JobPod>, job: Job): Promise<JobPod[]> {
  const uid = job.metadata.uid!;
  const matches = selectorMatcher(job.spec.selector);
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
  if (orphans.length && !job.metadata.deletionTimestamp && (await recheckDeletionTimestamp(client, resources.jobs, job))) {
    for (const pod of orphans) {
      const finalizers = hasTrackingFinalizer(pod) ? pod.metadata.finalizers : [...(pod.metadata.finalizers ?? []), jobTrackingFinalizer];
      const adopted = await patchPod(client, pod, { ownerReferences: [...(pod.metadata.ownerReferences ?? []), jobControllerRef(job)], finalizers });
      if (adopted) claimed.push(adopted);
    }
  }
  return claimed;
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
