// The DaemonSet controller (kube-controller-manager's `daemonset-controller`): per DaemonSet
// key it settles the current revision (revisions.ts), claims the pods its selector matches,
// runs manage() unless creates or deletes are still unobserved, then the rolling update, trims
// history and writes status. Nodes joining, changing labels or taints, or leaving wake the
// DaemonSets whose verdict on them changed; pods wake the DaemonSet that controls them.
import { labelMatcher, objectKey, referenceTo, resources, type SharedInformer, type Store } from '../../client/index.ts';
import type { Node, Pod } from '../../api/core-v1.ts';
import { claimObjects, controllerRefOf } from '../controller-ref-manager.ts';
import { ControllerHistory, controllerRevisionsResource } from '../history.ts';
import { nodeInformer, podInformer } from '../informers.ts';
import type { ControllerDefinition } from '../types.ts';
import { Expectations, FailedPodsBackoff } from './expectations.ts';
import { manage, type ManageDeps } from './manage.ts';
import { nodeShouldRunDaemonPod } from './predicates.ts';
import { cleanupHistory, constructHistory } from './revisions.ts';
import { rollingUpdate } from './rolling-update.ts';
import { calculateStatus, storeDaemonSetStatus } from './status.ts';
import { controllerKind, controllerName, daemonSetsResource, hashLabel, type DaemonSet } from './types.ts';

/** --concurrent-daemonset-syncs' default. */
const concurrentDaemonSetSyncs = 2;

const selectsNothing = (ds: DaemonSet) => !ds.spec?.selector
  || (!Object.keys(ds.spec.selector.matchLabels ?? {}).length && !ds.spec.selector.matchExpressions?.length);

/** getDaemonSetsForPod: the DaemonSets an orphan pod could belong to. */
function setsForOrphan(sets: Store<DaemonSet>, pod: Pod): DaemonSet[] {
  return sets.byNamespace(pod.metadata.namespace!).filter((ds) => !selectsNothing(ds) && labelMatcher(ds.spec.selector!)(pod.metadata.labels));
}

export const daemonSetController: ControllerDefinition = {
  name: controllerName,
  workers: () => concurrentDaemonSetSyncs,
  setup(ctx, queue) {
    const sets = ctx.factory.informerFor(daemonSetsResource);
    const pods = podInformer(ctx.factory);
    const nodes = nodeInformer(ctx.factory);
    const revisions = ctx.factory.informerFor(controllerRevisionsResource);
    const history = new ControllerHistory(ctx.client, revisions);
    const expectations = new Expectations();
    const backoff = new FailedPodsBackoff();
    const recorder = ctx.recorder(controllerName);
    const deps: ManageDeps = { client: ctx.client, recorder, expectations, backoff, enqueueAfter: (key, ms) => queue.addAfter(key, ms) };

    sets.addEventHandler({
      onAdd: (ds) => queue.add(objectKey(ds)),
      onUpdate: (_old, ds) => queue.add(objectKey(ds)),
      onDelete: (ds) => (expectations.delete(objectKey(ds)), queue.add(objectKey(ds))),
    });
    const ownerKey = (pod: Pod): string | undefined => {
      const ref = controllerRefOf(pod);
      if (ref?.kind !== controllerKind.kind) return undefined;
      const ds = sets.store.get(`${pod.metadata.namespace}/${ref.name}`);
      return ds?.metadata.uid === ref.uid ? objectKey(ds) : undefined;
    };
    const enqueueFor = (pod: Pod) => {
      if (controllerRefOf(pod)) {
        const key = ownerKey(pod);
        if (key) queue.add(key);
      } else {
        for (const ds of setsForOrphan(sets.store, pod)) queue.add(objectKey(ds));
      }
    };
    pods.addEventHandler({
      onAdd(pod) {
        const key = ownerKey(pod);
        if (key) pod.metadata.deletionTimestamp ? expectations.deletionObserved(key) : expectations.creationObserved(key);
        enqueueFor(pod);
      },
      onUpdate(old, pod) {
        if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
        if (controllerRefOf(old)?.uid !== controllerRefOf(pod)?.uid || JSON.stringify(old.metadata.labels) !== JSON.stringify(pod.metadata.labels)) enqueueFor(old);
        enqueueFor(pod);
      },
      onDelete(pod) {
        const key = ownerKey(pod);
        if (!key) return;
        expectations.deletionObserved(key);
        queue.add(key);
      },
    });
    // A node wakes the DaemonSets whose verdict on it changed (addNode, updateNode); a node that
    // leaves wakes those with pods there.
    const verdict = (node: Node, ds: DaemonSet) => JSON.stringify(nodeShouldRunDaemonPod(node, ds));
    nodes.addEventHandler({
      onAdd: (node) => sets.store.list().forEach((ds) => nodeShouldRunDaemonPod(node, ds).shouldRun && queue.add(objectKey(ds))),
      onUpdate: (old, node) => sets.store.list().forEach((ds) => verdict(old, ds) !== verdict(node, ds) && queue.add(objectKey(ds))),
      onDelete: () => sets.store.list().forEach((ds) => queue.add(objectKey(ds))),
    });

    return {
      async reconcile(key) {
        const ds = sets.store.get(key);
        if (!ds) return expectations.delete(key);
        if (selectsNothing(ds)) {
          recorder.event(referenceTo(ds, controllerKind.kind, controllerKind.apiVersion), 'Warning', 'SelectingAll',
            'This daemon set is selecting all pods. A non-empty selector is required.');
          return;
        }
        if (ds.metadata.deletionTimestamp) return;
        const nodeList = nodes.store.list();
        const claimed = await claimPods(ds);
        const { current, old } = await constructHistory({ client: ctx.client, history, revisions, pods: claimed, ds });
        const hash = current.metadata.labels?.[hashLabel] ?? '';
        if (!expectations.satisfied(key)) {
          // Only status; observedGeneration waits until this generation has been acted on.
          await storeDaemonSetStatus(ctx.client, ds, calculateStatus(ds, nodeList, claimed, hash, false));
          return;
        }
        let error: unknown;
        try {
          await manage(deps, ds, nodeList, claimed, hash);
          if (expectations.satisfied(key) && ds.spec.updateStrategy?.type === 'RollingUpdate') {
            await rollingUpdate(deps, ds, nodeList, claimed, hash);
          }
          await cleanupHistory(history, ds, old, claimed);
        } catch (err) {
          error = err;
        }
        const status = calculateStatus(ds, nodeList, claimed, hash, true);
        await storeDaemonSetStatus(ctx.client, ds, status);
        if (error) throw error;
        backoff.gc();
        const minReadySeconds = ds.spec.minReadySeconds ?? 0;
        if (minReadySeconds > 0 && status.numberReady !== status.numberAvailable) return { requeueAfter: minReadySeconds * 1000 };
      },
    };

    /** getDaemonPods: the claimed pods (adopting matching orphans, releasing owned pods that no longer match). */
    async function claimPods(ds: DaemonSet): Promise<Pod[]> {
      const selects = labelMatcher(ds.spec.selector!);
      return claimObjects((pods as SharedInformer<Pod>).store.byNamespace(ds.metadata.namespace!), {
        client: ctx.client, resource: resources.pods, owner: ds, ownerKind: controllerKind, ownerResource: resources.daemonSets,
        matches: (p) => selects(p.metadata.labels),
      }) as Promise<Pod[]>;
    }
  },
};
