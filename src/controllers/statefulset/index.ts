// The StatefulSet controller (kube-controller-manager's `statefulset-controller`): per
// StatefulSet key it adopts orphan ControllerRevisions, claims the pods named after it that
// its selector matches, works out the current and update revisions, runs one pass of
// updateStatefulSet (control.ts), writes status and trims the revision history. Pods wake the
// set that controls them (orphans: every set whose selector matches them).
import {
  labelMatcher, objectKey, resources, type LabelSelector, type SharedInformer, type Store,
} from '../../client/index.ts';
import { claimObjects, controllerRefOf } from '../controller-ref-manager.ts';
import { ControllerHistory, controllerRevisionsResource } from '../history.ts';
import { podInformer } from '../informers.ts';
import type { ControllerDefinition } from '../types.ts';
import { updateStatefulSet } from './control.ts';
import { StatefulPodControl } from './pod-control.ts';
import { isMemberOf, isRunningAndReady, replicasOf } from './pods.ts';
import { statefulSetRevisions, truncateHistory } from './revisions.ts';
import { updateStatefulSetStatus } from './status.ts';
import { controllerKind, controllerName, statefulSetsResource, type PersistentVolumeClaim, type StatefulPod, type StatefulSet } from './types.ts';

/** --concurrent-statefulset-syncs' default. */
const concurrentStatefulSetSyncs = 5;

/** An empty selector selects nothing here (validation forbids one on a StatefulSet). */
function selectorMatcher(selector: LabelSelector | undefined): (labels: Record<string, string> | undefined) => boolean {
  if (!selector || (!Object.keys(selector.matchLabels ?? {}).length && !selector.matchExpressions?.length)) return () => false;
  return labelMatcher(selector);
}

/** getPodStatefulSets: the sets an orphan pod could belong to. */
function setsForOrphan(sets: Store<StatefulSet>, pod: StatefulPod): StatefulSet[] {
  return sets.byNamespace(pod.metadata.namespace!).filter((s) => selectorMatcher(s.spec?.selector)(pod.metadata.labels) && isMemberOf(s, pod));
}

export const statefulSetController: ControllerDefinition = {
  name: controllerName,
  workers: () => concurrentStatefulSetSyncs,
  setup(ctx, queue) {
    const sets = ctx.factory.informerFor(statefulSetsResource);
    const pods = podInformer(ctx.factory) as SharedInformer<StatefulPod>;
    const claims = ctx.factory.informerFor<PersistentVolumeClaim>(resources.persistentVolumeClaims);
    const revisions = ctx.factory.informerFor(controllerRevisionsResource);
    const history = new ControllerHistory(ctx.client, revisions);
    const control = new StatefulPodControl(ctx.client, claims, ctx.recorder(controllerName));

    sets.addEventHandler({
      onAdd: (s) => queue.add(objectKey(s)),
      onUpdate: (_old, s) => queue.add(objectKey(s)),
      onDelete: (s) => queue.add(objectKey(s)),
    });
    const ownerKey = (pod: StatefulPod): string | undefined => {
      const ref = controllerRefOf(pod);
      if (ref?.kind !== controllerKind.kind) return undefined;
      const set = sets.store.get(`${pod.metadata.namespace}/${ref.name}`);
      return set?.metadata.uid === ref.uid ? objectKey(set) : undefined;
    };
    const enqueueFor = (pod: StatefulPod) => {
      if (controllerRefOf(pod)) {
        const key = ownerKey(pod);
        if (key) queue.add(key);
      } else {
        for (const s of setsForOrphan(sets.store, pod)) queue.add(objectKey(s));
      }
    };
    pods.addEventHandler({
      onAdd: enqueueFor,
      onUpdate(old, pod) {
        if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
        if (controllerRefOf(old)?.uid !== controllerRefOf(pod)?.uid || JSON.stringify(old.metadata.labels) !== JSON.stringify(pod.metadata.labels)) enqueueFor(old);
        enqueueFor(pod);
        // A pod turning ready becomes available minReadySeconds later: look again then.
        const key = ownerKey(pod);
        const set = key ? sets.store.get(key) : undefined;
        if (key && set?.spec.minReadySeconds && !isRunningAndReady(old) && isRunningAndReady(pod)) queue.addAfter(key, set.spec.minReadySeconds * 1000 + 1);
      },
      onDelete: enqueueFor,
    });

    return {
      async reconcile(key) {
        const set = sets.store.get(key);
        if (!set) return;
        const selects = selectorMatcher(set.spec?.selector);
        // adoptOrphanRevisions
        const owned = history.list(set, selects);
        const orphans = owned.filter((r) => !controllerRefOf(r));
        for (const r of orphans) if (!set.metadata.deletionTimestamp) await history.adopt(set, controllerKind, r);
        const claimed = await claimObjects(pods.store.byNamespace(set.metadata.namespace!), {
          client: ctx.client, resource: resources.pods, owner: set, ownerKind: controllerKind, ownerResource: resources.statefulSets,
          matches: (p) => selects(p.metadata.labels) && isMemberOf(set, p),
        }) as StatefulPod[];
        const { current, update, collisionCount } = await statefulSetRevisions(history, set, owned);
        const { status, error } = await updateStatefulSet({ set, pods: claimed, current, update, collisionCount, control });
        await updateStatefulSetStatus(ctx.client, set, status);
        await truncateHistory(history, set, claimed, owned, current, update);
        if (error) throw error;
        const minReadySeconds = set.spec.minReadySeconds ?? 0;
        if (minReadySeconds > 0 && status.availableReplicas !== replicasOf(set)) return { requeueAfter: minReadySeconds * 1000 };
      },
    };
  },
};
