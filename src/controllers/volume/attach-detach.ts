// The attach/detach controller (kube-controller-manager's `persistentvolume-attach-detach-controller`,
// pkg/controller/volume/attachdetach) for CSI volumes: per node, the desired state is every CSI
// PersistentVolume a scheduled, unfinished pod there uses through its claims (when the driver's
// CSIDriver says attachRequired, true when it has none); the actual state is the node's
// VolumeAttachments. Missing ones are created, named as kube's CSI attacher names them
// (`csi-<sha256(volumeHandle + driver + node)>`), and ones no pod needs are deleted (detach).
// kubelite has no CSI external-attacher sidecar, so the controller plays it too: a new
// attachment is marked attached in its status. The node's status.volumesAttached follows.
import { createHash } from 'node:crypto';
import type { KubeObject } from '../../api/types.ts';
import { podClaimNames, type PersistentVolume, type PersistentVolumeClaim } from '../../api/volumes.ts';
import { isAlreadyExists, isNotFound, resources, type ResourceDescriptor } from '../../client/index.ts';
import type { Pod } from '../../api/core-v1.ts';
import { nodeInformer, podInformer, podsOnNode } from '../informers.ts';
import type { ControllerDefinition } from '../types.ts';
import { claimsResource, volumesResource } from './pv-binder.ts';

export const controllerName = 'persistentvolume-attach-detach-controller';

interface VolumeAttachment extends KubeObject {
  spec: { attacher: string; nodeName: string; source: { persistentVolumeName?: string } };
  status?: { attached: boolean; attachmentMetadata?: Record<string, string> };
}
interface CSIDriver extends KubeObject { spec?: { attachRequired?: boolean } }

const attachmentsResource = resources.volumeAttachments as ResourceDescriptor<VolumeAttachment>;
const driversResource = resources.csiDrivers as ResourceDescriptor<CSIDriver>;

/** getAttachmentName in kube's CSI attacher. */
export function attachmentName(volumeHandle: string, driver: string, nodeName: string): string {
  return `csi-${createHash('sha256').update(`${volumeHandle}${driver}${nodeName}`).digest('hex')}`;
}

export const attachDetachController: ControllerDefinition = {
  name: controllerName,
  aliases: ['attachdetach', 'attach-detach'],
  workers: () => 1,
  setup(ctx, queue) {
    const pods = podInformer(ctx.factory);
    const nodes = nodeInformer(ctx.factory);
    const claims = ctx.factory.informerFor(claimsResource);
    const volumes = ctx.factory.informerFor(volumesResource);
    const drivers = ctx.factory.informerFor(driversResource);
    const attachments = ctx.factory.informerFor(attachmentsResource);
    const enqueueNode = (name?: string) => { if (name) queue.add(name); };
    pods.addEventHandler({ onAdd: (p) => enqueueNode(p.spec?.nodeName), onUpdate: (_o, p) => enqueueNode(p.spec?.nodeName), onDelete: (p) => enqueueNode(p.spec?.nodeName) });
    attachments.addEventHandler({ onAdd: (a) => enqueueNode(a.spec?.nodeName), onUpdate: (_o, a) => enqueueNode(a.spec?.nodeName), onDelete: (a) => enqueueNode(a.spec?.nodeName) });
    // A claim binding later (the pod is already there) changes what must be attached.
    const all = () => { for (const key of nodes.store.keys()) queue.add(key); };
    claims.addEventHandler({ onUpdate: all });
    nodes.addEventHandler({ onAdd: (n) => enqueueNode(n.metadata.name) });

    /** The CSI volumes the node's pods need attached: attachment name → its spec. */
    function desired(nodeName: string): Map<string, VolumeAttachment['spec'] & { handle: string }> {
      const out = new Map<string, VolumeAttachment['spec'] & { handle: string }>();
      for (const pod of podsOnNode(pods, nodeName) as Pod[]) {
        if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') continue;
        for (const { name } of podClaimNames(pod)) {
          const pvc = claims.store.get(`${pod.metadata.namespace}/${name}`) as PersistentVolumeClaim | undefined;
          const pv = pvc?.spec?.volumeName ? volumes.store.get(pvc.spec.volumeName) as PersistentVolume | undefined : undefined;
          const csi = pv?.spec?.csi;
          if (!csi || drivers.store.get(csi.driver)?.spec?.attachRequired === false) continue;
          out.set(attachmentName(csi.volumeHandle, csi.driver, nodeName), { attacher: csi.driver, nodeName, source: { persistentVolumeName: pv.metadata.name }, handle: csi.volumeHandle });
        }
      }
      return out;
    }

    return {
      async reconcile(nodeName) {
        const want = desired(nodeName);
        const have = attachments.store.list().filter((a) => a.spec?.nodeName === nodeName);
        for (const [name, spec] of want) {
          if (have.some((a) => a.metadata.name === name)) continue;
          try {
            await ctx.client.create(attachmentsResource, { apiVersion: 'storage.k8s.io/v1', kind: 'VolumeAttachment', metadata: { name }, spec: { attacher: spec.attacher, nodeName, source: spec.source } });
          } catch (err) {
            if (!isAlreadyExists(err)) throw err;
          }
        }
        for (const va of have) {
          if (!want.has(va.metadata.name!)) {
            if (va.metadata.deletionTimestamp) continue;
            try {
              await ctx.client.delete(attachmentsResource, va.metadata.name!);
            } catch (err) {
              if (!isNotFound(err)) throw err;
            }
          } else if (!va.status?.attached) {
            // The external-attacher's part: the volume is attached once the driver says so; here at once.
            await ctx.client.updateStatus(attachmentsResource, { ...va, status: { attached: true } });
          }
        }
        // status.volumesAttached: the attached volumes, named as kube names CSI unique volumes.
        const node = nodes.store.get(nodeName);
        if (!node) return;
        const attached = [...want].filter(([name]) => have.some((a) => a.metadata.name === name && a.status?.attached))
          .map(([, spec]) => ({ name: `kubernetes.io/csi/${spec.attacher}^${spec.handle}`, devicePath: '' }))
          .sort((a, b) => a.name.localeCompare(b.name));
        const current = (node.status as { volumesAttached?: unknown[] } | undefined)?.volumesAttached ?? [];
        if (JSON.stringify(current) === JSON.stringify(attached)) return;
        await ctx.client.patch(resources.nodes, nodeName, 'merge', { status: { volumesAttached: attached.length ? attached : null } }, { subresource: 'status' });
      },
    };
  },
};
