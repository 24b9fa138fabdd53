// The disruption controller (kube-controller-manager's `disruption-controller`,
// pkg/controller/disruption): keeps every PodDisruptionBudget's status — expectedPods,
// desiredHealthy, currentHealthy, disruptionsAllowed, observedGeneration, the DisruptionAllowed
// condition (SufficientPods / InsufficientPods / SyncFailed) — and drops disruptedPods entries
// for pods that went or that outlived DeletionTimeout. The eviction subresource reads that
// status: until this controller has observed a budget's generation, every eviction is refused.
import { isConflict, isNotFound, labelMatcher, objectKey, referenceTo, resources, splitKey, type LabelSelector, type ResourceDescriptor, type SharedInformer } from '../../client/index.ts';
import type { KubeObject } from '../../api/types.ts';
import type { Pod } from '../../api/core-v1.ts';
import { DelayedQueue } from '../clock.ts';
import { controllerRefOf } from '../controller-ref-manager.ts';
import { podInformer } from '../informers.ts';
import type { ControllerDefinition } from '../types.ts';
import {
  computeStatus, countHealthy, expectedAndDesired, failSafeStatus, liveDisruptedPods,
  type PdbStatus, type PodDisruptionBudget,
} from './status.ts';

export const controllerName = 'disruption-controller';

const pdbResource = resources.podDisruptionBudgets as ResourceDescriptor<PodDisruptionBudget>;

/** policy/v1: an empty selector selects every pod of the namespace, a missing one none (LabelSelectorAsSelector). */
export function pdbSelects(pdb: PodDisruptionBudget, pod: Pod): boolean {
  const selector = pdb.spec?.selector as LabelSelector | undefined;
  if (!selector) return false;
  return labelMatcher(selector)(pod.metadata.labels ?? {});
}

type Scaled = KubeObject & { spec?: { replicas?: number } };

/** The finders of kube's getExpectedScale: a pod's controller and its replicas (a Deployment's for its ReplicaSets). */
function scaleFinder(informers: Record<'replicaSets' | 'deployments' | 'replicationControllers' | 'statefulSets', SharedInformer<Scaled>>) {
  const find = (kind: keyof typeof informers, namespace: string, name: string, uid: string) => {
    const obj = informers[kind].store.get(`${namespace}/${name}`);
    return obj?.metadata.uid === uid ? obj : undefined;
  };
  return (pod: Pod): { uid: string; replicas: number } => {
    const ref = controllerRefOf(pod)!;
    const ns = pod.metadata.namespace!;
    const found = (obj: Scaled) => ({ uid: obj.metadata.uid!, replicas: obj.spec?.replicas ?? 1 });
    if (ref.kind === 'ReplicaSet' && ref.apiVersion.startsWith('apps/')) {
      const rs = find('replicaSets', ns, ref.name, ref.uid);
      const depRef = rs && controllerRefOf(rs);
      const dep = depRef?.kind === 'Deployment' ? find('deployments', ns, depRef.name, depRef.uid) : undefined;
      if (dep) return found(dep);
      if (rs && !depRef) return found(rs);
    }
    if (ref.kind === 'ReplicationController' && ref.apiVersion === 'v1') {
      const rc = find('replicationControllers', ns, ref.name, ref.uid);
      if (rc) return found(rc);
    }
    if (ref.kind === 'StatefulSet' && ref.apiVersion.startsWith('apps/')) {
      const sts = find('statefulSets', ns, ref.name, ref.uid);
      if (sts) return found(sts);
    }
    throw new Error(`found no controllers for pod "${pod.metadata.name}"`);
  };
}

export const disruptionController: ControllerDefinition = {
  name: controllerName,
  workers: () => 1, // kube runs one worker for budgets
  setup(ctx, queue) {
    const pdbs = ctx.factory.informerFor(pdbResource);
    const pods = podInformer(ctx.factory);
    const informers = {
      replicaSets: ctx.factory.informerFor<Scaled>(resources.replicaSets),
      deployments: ctx.factory.informerFor<Scaled>(resources.deployments),
      replicationControllers: ctx.factory.informerFor<Scaled>(resources.replicationControllers),
      statefulSets: ctx.factory.informerFor<Scaled>(resources.statefulSets),
    };
    const scaleOf = scaleFinder(informers);
    const recorder = ctx.recorder(controllerName);
    const delayed = new DelayedQueue(queue, ctx.clock);

    pdbs.addEventHandler({ onAdd: (p) => queue.add(objectKey(p)), onUpdate: (_o, p) => queue.add(objectKey(p)), onDelete: (p) => queue.add(objectKey(p)) });
    // A pod (or a change of its labels) wakes the budgets that select it, before and after.
    const enqueueFor = (pod: Pod) => {
      for (const pdb of pdbs.store.byNamespace(pod.metadata.namespace!)) if (pdbSelects(pdb, pod)) queue.add(objectKey(pdb));
    };
    pods.addEventHandler({ onAdd: enqueueFor, onUpdate: (old, pod) => { enqueueFor(old); enqueueFor(pod); }, onDelete: enqueueFor });
    // A controller's scale moves the expected count of budgets measured by it.
    for (const informer of Object.values(informers)) {
      informer.addEventHandler({ onUpdate: (old, obj) => {
        if (old.spec?.replicas === obj.spec?.replicas) return;
        for (const pdb of pdbs.store.byNamespace(obj.metadata.namespace!)) queue.add(objectKey(pdb));
      } });
    }

    /** trySync: the budget's status from its pods, or the fail-safe status when the scale is unknown. */
    const statusFor = (pdb: PodDisruptionBudget, now: number): { status: PdbStatus; recheckAt?: number } => {
      const selected = pods.store.byNamespace(pdb.metadata.namespace!).filter((p) => pdbSelects(pdb, p));
      const ref = referenceTo(pdb, 'PodDisruptionBudget', 'policy/v1');
      if (selected.length === 0) recorder.event(ref, 'Normal', 'NoPods', 'No matching pods found');
      const managed = selected.filter((p) => controllerRefOf(p));
      const measuredByScale = pdb.spec?.maxUnavailable != null || typeof pdb.spec?.minAvailable === 'string';
      if (measuredByScale && managed.length < selected.length) {
        recorder.event(ref, 'Warning', 'UnmanagedPods', `Pods selected by this PodDisruptionBudget (selector: ${JSON.stringify(pdb.spec?.selector)}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`);
      }
      let counts: { expected: number; desired: number };
      try {
        // Unmanaged pods have no scale to add: the controllers' scale counts only the managed ones.
        counts = expectedAndDesired(pdb, measuredByScale ? managed : selected, scaleOf);
      } catch (err) {
        recorder.event(ref, 'Warning', 'CalculateExpectedPodCountFailed', `Failed to calculate the number of expected pods: ${(err as Error).message}`);
        return { status: failSafeStatus(pdb, err, now) };
      }
      const { disrupted, recheckAt } = liveDisruptedPods(pdb, selected, now);
      const healthy = countHealthy(selected, disrupted);
      return { status: computeStatus(pdb, { ...counts, healthy, disrupted }, now), recheckAt };
    };

    return {
      async reconcile(key) {
        const pdb = pdbs.store.get(key);
        if (!pdb) return;
        const now = ctx.clock.now();
        const { status, recheckAt } = statusFor(pdb, now);
        if (recheckAt !== undefined) delayed.addAfter(key, recheckAt - now + 1);
        if (JSON.stringify(pdb.status ?? {}) === JSON.stringify(status)) return;
        const { namespace, name } = splitKey(key);
        try {
          await ctx.client.updateStatus(pdbResource, { ...pdb, status });
        } catch (err) {
          // A conflict means the eviction API (or a spec change) wrote first: the informer brings the new version back here.
          if (isNotFound(err)) return;
          if (isConflict(err)) return queue.add(key);
          ctx.log.warn({ pdb: `${namespace}/${name}`, err: String(err) }, `${controllerName}: status update failed`);
          throw err;
        }
      },
      stop: () => delayed.stop(),
    };
  },
};
