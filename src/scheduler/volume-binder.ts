// VolumeBinding's PreBind (kube-scheduler's volumebinding BindPodVolumes): once a node is
// chosen, each WaitForFirstConsumer claim is met as Filter decided — an Available volume gets
// the claim in its claimRef (the PV binder completes the bind), otherwise the claim is
// annotated volume.kubernetes.io/selected-node for its provisioner — and the pod's binding
// waits until every claim is bound (kube waits up to --bind-timeout-seconds, 600 s).
import { annBindCompleted, annBoundByController, annSelectedNode } from '../api/volumes.ts';
import { resources, type ApiClient, type ResourceDescriptor } from '../client/index.ts';
import type { Snapshot } from './cache.ts';
import { findPodVolumes, podClaims, type VolumeLister } from './plugins/volume-binding.ts';
import type { Pod } from '../api/core-v1.ts';

export const bindTimeoutMs = 600_000;

export class VolumeBinder {
  private readonly waiters = new Set<() => void>();

  constructor(private readonly client: ApiClient, private readonly lister: VolumeLister, private readonly timeoutMs = bindTimeoutMs) {}

  /** Called on every PVC and PV event: pending waits look again. */
  changed(): void {
    for (const wake of [...this.waiters]) wake();
  }

  /** Makes the API calls for the chosen node, then waits for the claims to be bound; throws kube's reason on failure. */
  async bindPodVolumes(pod: Pod, nodeName: string, snapshot: Snapshot): Promise<void> {
    const claims = podClaims(pod, this.lister);
    if (typeof claims === 'string') throw new Error(claims);
    if (!claims.delayed.length) return;
    const node = snapshot.get(nodeName);
    if (!node) throw new Error(`node "${nodeName}" not found`);
    const decisions = findPodVolumes(claims, node, this.lister);
    if (typeof decisions === 'string') throw new Error(decisions);
    for (const { claim, volume } of decisions) {
      if (volume) {
        const claimRef = { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: claim.metadata.namespace, name: claim.metadata.name, uid: claim.metadata.uid, resourceVersion: claim.metadata.resourceVersion };
        await this.client.update(resources.persistentVolumes, {
          ...volume, metadata: { ...volume.metadata, annotations: { ...volume.metadata.annotations, [annBoundByController]: 'yes' } }, spec: { ...volume.spec, claimRef },
        });
      } else if (claim.metadata.annotations?.[annSelectedNode] !== nodeName) {
        await this.client.patch(resources.persistentVolumeClaims as ResourceDescriptor, claim.metadata.name!, 'merge',
          { metadata: { annotations: { [annSelectedNode]: nodeName } } }, { namespace: claim.metadata.namespace });
      }
    }
    await this.waitBound(pod, claims.delayed.map((c) => c.metadata.name!));
  }

  /** checkBindings until true, woken by informer events. */
  private waitBound(pod: Pod, names: string[]): Promise<void> {
    const ns = pod.metadata.namespace!;
    const bound = () => names.every((name) => {
      const claim = this.lister.claim(ns, name);
      const volume = claim?.spec?.volumeName ? this.lister.volume(claim.spec.volumeName) : undefined;
      return claim?.metadata.annotations?.[annBindCompleted] === 'yes' && volume?.spec?.claimRef?.uid === claim.metadata.uid;
    });
    return new Promise((resolve, reject) => {
      const finish = (err?: Error) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        if (err) reject(err); else resolve();
      };
      const check = () => {
        const gone = names.find((name) => !this.lister.claim(ns, name));
        if (gone) finish(new Error(`failed to get PVC "${ns}/${gone}": persistentvolumeclaim "${gone}" not found`));
        else if (bound()) finish();
      };
      const timer = setTimeout(() => finish(new Error('binding volumes: context deadline exceeded')), this.timeoutMs);
      timer.unref?.();
      this.waiters.add(check);
      check();
    });
  }
}
