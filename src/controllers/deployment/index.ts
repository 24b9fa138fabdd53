// The Deployment controller (kube-controller-manager's `deployment-controller`): level-
// triggered over one Deployment key. It owns ReplicaSets (one per pod template, named
// `<deployment>-<pod-template-hash>`) and moves replicas between them by the Deployment's
// strategy; see sync.ts for the order of a sync. Events that wake a Deployment, as kube's
// handlers: its own changes; a ReplicaSet it controls (or, for an orphan, every Deployment
// whose selector matches it) being added, changed or deleted; and, for Recreate, a pod of
// its going away (the new ReplicaSet waits for the last old pod).
import type { KubeObject } from '../../api/types.ts';
import { objectKey, resources, type ResourceDescriptor, type SharedInformer } from '../../client/index.ts';
import type { Pod } from '../../api/core-v1.ts';
import { podInformer } from '../informers.ts';
import type { ControllerDefinition } from '../types.ts';
import { controllerRefOf, selectorMatcher } from '../controller-ref-manager.ts';
import { controllerName, type DeploymentDeps, type SyncContext } from './context.ts';
import { syncDeployment } from './sync.ts';
import type { Deployment, ReplicaSet } from './types.ts';

/** --concurrent-deployment-syncs' default. */
const concurrentDeploymentSyncs = 5;

export const deploymentController: ControllerDefinition = {
  name: controllerName,
  workers: () => concurrentDeploymentSyncs,
  setup(ctx, queue) {
    const deployments = ctx.factory.informerFor(resources.deployments as ResourceDescriptor<Deployment>);
    const replicaSets = ctx.factory.informerFor<ReplicaSet>(resources.replicaSets);
    const pods = podInformer(ctx.factory);
    const now = () => ctx.clock.now();
    const deps: DeploymentDeps = { client: ctx.client, recorder: ctx.recorder(controllerName), replicaSets, pods, log: ctx.log, now };

    deployments.addEventHandler({
      onAdd: (d) => queue.add(objectKey(d)),
      onUpdate: (_old, d) => queue.add(objectKey(d)),
      onDelete: (d) => queue.add(objectKey(d)),
    });
    const owner = (obj: KubeObject) => ownerDeployment(deployments, obj);
    const enqueueMatching = (rs: ReplicaSet) => {
      for (const d of deployments.store.byNamespace(rs.metadata.namespace!)) {
        if (selectorMatcher(d.spec.selector)(rs.metadata.labels)) queue.add(objectKey(d));
      }
    };
    replicaSets.addEventHandler({
      onAdd(rs) {
        const d = owner(rs);
        if (d) queue.add(objectKey(d));
        else if (!controllerRefOf(rs) && !rs.metadata.deletionTimestamp) enqueueMatching(rs);
      },
      onUpdate(old, rs) {
        if (old.metadata.resourceVersion === rs.metadata.resourceVersion) return; // a resync
        const oldRef = controllerRefOf(old);
        const ref = controllerRefOf(rs);
        if (oldRef && oldRef.uid !== ref?.uid) {
          const previous = owner(old);
          if (previous) queue.add(objectKey(previous));
        }
        const d = owner(rs);
        if (d) return queue.add(objectKey(d));
        const labelsChanged = JSON.stringify(old.metadata.labels) !== JSON.stringify(rs.metadata.labels);
        if (!ref && (labelsChanged || oldRef)) enqueueMatching(rs);
      },
      onDelete(rs) {
        const d = owner(rs);
        if (d) queue.add(objectKey(d));
      },
    });
    pods.addEventHandler({
      onDelete(pod: Pod) {
        const rsRef = controllerRefOf(pod);
        if (rsRef?.kind !== 'ReplicaSet') return;
        const rs = replicaSets.store.get(`${pod.metadata.namespace}/${rsRef.name}`);
        const d = rs?.metadata.uid === rsRef.uid ? owner(rs) : undefined;
        if (d?.spec.strategy?.type === 'Recreate') queue.add(objectKey(d));
      },
    });

    return {
      async reconcile(key) {
        const cached = deployments.store.get(key);
        if (!cached) return;
        const c: SyncContext = { ...deps, d: structuredClone(cached) };
        await syncDeployment(c);
        if (c.requeueAfter !== undefined) return { requeueAfter: c.requeueAfter };
      },
    };
  },
};

/** resolveControllerRef: the Deployment a ReplicaSet's controller reference names, if it is still that one. */
function ownerDeployment(deployments: SharedInformer<Deployment>, obj: KubeObject): Deployment | undefined {
  const ref = controllerRefOf(obj);
  if (ref?.kind !== 'Deployment') return undefined;
  const d = deployments.store.get(`${obj.metadata.namespace}/${ref.name}`);
  return d?.metadata.uid === ref.uid ? d : undefined;
}
