// Storage end to end through kubectl: the default StorageClass `standard` (WaitForFirstConsumer,
// kubelite.io/hostpath) exists; a claim with no class gets it and waits for its first consumer;
// the pod using it is scheduled, the provisioner makes a volume on that node, the claim binds
// and the pod runs. A static PV binds to a matching claim; a pod whose Immediate claim is
// unbound stays Pending with kube's message until a volume appears. Protection finalizers
// hold a claim in use, and a released provisioned volume is deleted.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../src/api/types.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { until, hangGuard } from './support/wait.ts';

const claim = (name: string, extra = '') => `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: ${name}, namespace: default }
spec:
  accessModes: [ReadWriteOnce]
  resources: { requests: { storage: 1Gi } }
  ${extra}
`;
const podWith = (name: string, claimName: string) => `
apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: default }
spec:
  containers: [{ name: c, image: nginx, volumeMounts: [{ name: data, mountPath: /data }] }]
  volumes: [{ name: data, persistentVolumeClaim: { claimName: ${claimName} } }]
`;

describe('storage controllers and volume binding', { timeout: hangGuard(90_000) }, () => {
  let server: TestServer;
  before(async () => {
    // The storage controllers (and the garbage collector for claims owned by pods), not all of them.
    const controllers = [
      'persistentvolume-binder-controller', 'persistentvolume-attach-detach-controller', 'persistentvolume-protection-controller',
      'persistentvolumeclaim-protection-controller', 'ephemeral-volume-controller', 'kubelite-hostpath-provisioner', 'garbage-collector-controller',
    ];
    server = await startTestServer({ nodes: 2, scheduler: true, controllers: { controllers } });
  });
  after(async () => {
    await server?.stop();
  });
  const apply = async (yaml: string) => {
    const out = await server.kubectl(['apply', '-f', '-'], { input: yaml });
    assert.equal(out.code, 0, out.stderr);
  };
  const getPvc = (name: string) => server.getJson(`/api/v1/namespaces/default/persistentvolumeclaims/${name}`);
  const getPod = (name: string) => server.getJson(`/api/v1/namespaces/default/pods/${name}`);
  const exists = async (path: string) => (await server.request(path)).status === 200;

  it('creates the default StorageClass standard', async () => {
    await until('standard exists', () => exists('/apis/storage.k8s.io/v1/storageclasses/standard'));
    const out = await server.kubectl(['get', 'storageclass', '--no-headers']);
    assert.match(out.stdout, /^standard \(default\)\s+kubelite\.io\/hostpath\s+Delete\s+WaitForFirstConsumer\s+false\s+/m);
  });

  it('binds a claim of the default class once its pod is scheduled, and the pod runs', async () => {
    await apply(claim('data'));
    const pending = await getPvc('data');
    assert.equal(pending.spec.storageClassName, 'standard'); // DefaultStorageClass admission
    await until('WaitForFirstConsumer event', async () => {
      const events = await server.getJson<{ items: { reason?: string; involvedObject?: { name?: string } }[] }>('/api/v1/namespaces/default/events');
      return events.items.some((e) => e.reason === 'WaitForFirstConsumer' && e.involvedObject?.name === 'data');
    });
    assert.equal((await getPvc('data')).status.phase, 'Pending');
    await apply(podWith('user', 'data'));
    const pod = await until('pod running', async () => { const p = await getPod('user'); return p.status?.phase === 'Running' && p; });
    const pvc = await getPvc('data');
    assert.equal(pvc.status.phase, 'Bound');
    assert.equal(pvc.metadata.annotations!['volume.kubernetes.io/selected-node'], pod.spec.nodeName);
    assert.equal(pvc.metadata.annotations!['volume.kubernetes.io/storage-provisioner'], 'kubelite.io/hostpath');
    assert.equal(pvc.spec.volumeName, `pvc-${pvc.metadata.uid}`);
    assert.deepEqual(pvc.status.capacity, { storage: '1Gi' });
    assert.deepEqual(pvc.metadata.finalizers, ['kubernetes.io/pvc-protection']);
    const pv = await server.getJson(`/api/v1/persistentvolumes/${pvc.spec.volumeName}`);
    assert.equal(pv.status.phase, 'Bound');
    assert.equal(pv.spec.claimRef.uid, pvc.metadata.uid);
    assert.deepEqual(pv.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values, [pod.spec.nodeName]);
    assert.equal(pv.metadata.annotations!['pv.kubernetes.io/provisioned-by'], 'kubelite.io/hostpath');
    const table = await server.kubectl(['get', 'pvc', 'data', '--no-headers']);
    assert.match(table.stdout, new RegExp(`^data\\s+Bound\\s+${pv.metadata.name}\\s+1Gi\\s+RWO\\s+standard\\s+`));
  });

  it('keeps a claim in use until its pod is gone, then deletes the released volume', async () => {
    const volumeName = (await getPvc('data')).spec.volumeName;
    const del = await server.kubectl(['delete', 'pvc', 'data', '--wait=false']);
    assert.equal(del.code, 0, del.stderr);
    const terminating = await getPvc('data');
    assert.ok(terminating.metadata.deletionTimestamp);
    const podDeleted = await server.kubectl(['delete', 'pod', 'user', '--grace-period=0', '--force']);
    assert.equal(podDeleted.code, 0, podDeleted.stderr);
    await until('claim gone', async () => !(await exists('/api/v1/namespaces/default/persistentvolumeclaims/data')));
    await until('released volume deleted', async () => !(await exists(`/api/v1/persistentvolumes/${volumeName}`)));
  });

  it('binds a static PV to a matching claim', async () => {
    await apply(`
apiVersion: v1
kind: PersistentVolume
metadata: { name: static-small, labels: { tier: gold } }
spec:
  capacity: { storage: 500Mi }
  accessModes: [ReadWriteOnce]
  storageClassName: manual
  hostPath: { path: /tmp/small }
---
apiVersion: v1
kind: PersistentVolume
metadata: { name: static-big, labels: { tier: gold } }
spec:
  capacity: { storage: 5Gi }
  accessModes: [ReadWriteOnce, ReadOnlyMany]
  storageClassName: manual
  hostPath: { path: /tmp/big }
`);
    await apply(claim('manual-claim', 'storageClassName: manual\n  selector: { matchLabels: { tier: gold } }'));
    const pvc = await until('claim bound', async () => { const c = await getPvc('manual-claim'); return c.status?.phase === 'Bound' && c; });
    assert.equal(pvc.spec.volumeName, 'static-big'); // 500Mi is too small
    assert.equal(pvc.metadata.annotations!['pv.kubernetes.io/bind-completed'], 'yes');
    assert.equal(pvc.metadata.annotations!['pv.kubernetes.io/bound-by-controller'], 'yes');
    assert.deepEqual(pvc.status.accessModes, ['ReadWriteOnce', 'ReadOnlyMany']);
    const pv = await until('volume Bound', async () => { const v = await server.getJson('/api/v1/persistentvolumes/static-big'); return v.status?.phase === 'Bound' && v; });
    assert.equal(pv.spec.claimRef.name, 'manual-claim');
    assert.deepEqual(pv.metadata.finalizers, ['kubernetes.io/pv-protection']);
    const small = await server.getJson('/api/v1/persistentvolumes/static-small');
    assert.equal(small.status.phase, 'Available');
  });

  it('keeps a pod Pending while its Immediate claim is unbound, and runs it once a volume binds', async () => {
    await apply(`
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: { name: slow }
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: Immediate
`);
    await apply(claim('slow-claim', 'storageClassName: slow'));
    await apply(podWith('waiter', 'slow-claim'));
    const pod = await until('Unschedulable', async () => {
      const p = await getPod('waiter');
      return p.status?.conditions?.find((c: { type: string; reason?: string }) => c.type === 'PodScheduled' && c.reason === 'Unschedulable') && p;
    });
    const condition = pod.status.conditions.find((c: { type: string }) => c.type === 'PodScheduled');
    assert.match(condition.message, /^0\/2 nodes are available: pod has unbound immediate PersistentVolumeClaims\. /);
    assert.equal(pod.spec.nodeName, undefined);
    await apply(`
apiVersion: v1
kind: PersistentVolume
metadata: { name: slow-pv }
spec:
  capacity: { storage: 2Gi }
  accessModes: [ReadWriteOnce]
  storageClassName: slow
  hostPath: { path: /tmp/slow }
`);
    await until('pod running', async () => (await getPod('waiter')).status?.phase === 'Running');
    assert.equal((await getPvc('slow-claim')).spec.volumeName, 'slow-pv');
  });

  it('makes the claim of a generic ephemeral volume, owned by its pod, and the pod runs', async () => {
    await apply(`
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: { name: fast }
provisioner: kubelite.io/hostpath
volumeBindingMode: WaitForFirstConsumer
---
apiVersion: v1
kind: Pod
metadata: { name: scratchy, namespace: default }
spec:
  containers: [{ name: c, image: nginx, volumeMounts: [{ name: scratch, mountPath: /scratch }] }]
  volumes:
  - name: scratch
    ephemeral:
      volumeClaimTemplate:
        metadata: { labels: { kind: scratch } }
        spec: { accessModes: [ReadWriteOnce], storageClassName: fast, resources: { requests: { storage: 64Mi } } }
`);
    const pod = await until('pod running', async () => { const p = await getPod('scratchy'); return p.status?.phase === 'Running' && p; });
    const pvc = await getPvc('scratchy-scratch');
    assert.equal(pvc.status.phase, 'Bound');
    assert.equal(pvc.metadata.labels?.kind, 'scratch');
    assert.deepEqual(pvc.metadata.ownerReferences?.map((o) => [o.kind, o.name, o.uid, o.controller]), [['Pod', 'scratchy', pod.metadata.uid, true]]);
    const deleted = await server.kubectl(['delete', 'pod', 'scratchy', '--grace-period=0', '--force']);
    assert.equal(deleted.code, 0, deleted.stderr);
    await until('claim collected with its pod', async () => !(await exists('/api/v1/namespaces/default/persistentvolumeclaims/scratchy-scratch')));
  });

  it('attaches the CSI volume of a scheduled pod with a VolumeAttachment, and detaches it when the pod goes', async () => {
    await apply(`
apiVersion: storage.k8s.io/v1
kind: CSIDriver
metadata: { name: disk.csi.example.com }
spec: { attachRequired: true }
---
apiVersion: v1
kind: PersistentVolume
metadata: { name: csi-disk }
spec:
  capacity: { storage: 1Gi }
  accessModes: [ReadWriteOnce]
  storageClassName: csi-manual
  csi: { driver: disk.csi.example.com, volumeHandle: disk-42 }
`);
    await apply(claim('disk-claim', 'storageClassName: csi-manual'));
    await until('claim bound', async () => (await getPvc('disk-claim')).status?.phase === 'Bound');
    await apply(podWith('disk-user', 'disk-claim'));
    const pod = await until('pod running', async () => { const p = await getPod('disk-user'); return p.status?.phase === 'Running' && p; });
    const va = await until('attached', async () => {
      const list = await server.getJson<{ items: KubeObject[] }>('/apis/storage.k8s.io/v1/volumeattachments');
      return list.items.find((a) => a.spec.source.persistentVolumeName === 'csi-disk' && a.status?.attached === true);
    });
    assert.match(va.metadata.name!, /^csi-[0-9a-f]{64}$/);
    assert.deepEqual([va.spec.attacher, va.spec.nodeName], ['disk.csi.example.com', pod.spec.nodeName]);
    const table = await server.kubectl(['get', 'volumeattachments', '--no-headers']);
    assert.match(table.stdout, new RegExp(`^${va.metadata.name}\\s+disk\\.csi\\.example\\.com\\s+csi-disk\\s+${pod.spec.nodeName}\\s+true\\s+`, 'm'));
    const deleted = await server.kubectl(['delete', 'pod', 'disk-user', '--grace-period=0', '--force']);
    assert.equal(deleted.code, 0, deleted.stderr);
    await until('detached', async () => !(await exists(`/apis/storage.k8s.io/v1/volumeattachments/${va.metadata.name}`)));
  });
});

describe('retroactive default StorageClass assignment', { timeout: hangGuard(30_000) }, () => {
  it('gives a claim created without a class the default class that appears later', async () => {
    const server = await startTestServer({ controllers: { controllers: ['persistentvolume-binder-controller'] } });
    try {
      const created = await server.kubectl(['create', '-f', '-'], { input: claim('early') });
      assert.equal(created.code, 0, created.stderr);
      assert.equal((await server.getJson('/api/v1/namespaces/default/persistentvolumeclaims/early')).spec.storageClassName, undefined);
      const cls = await server.kubectl(['create', '-f', '-'], { input: 'apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: { name: late, annotations: { storageclass.kubernetes.io/is-default-class: "true" } }\nprovisioner: example.com/late\n' });
      assert.equal(cls.code, 0, cls.stderr);
      await until('class assigned', async () => (await server.getJson('/api/v1/namespaces/default/persistentvolumeclaims/early')).spec.storageClassName === 'late');
      // Immediate binding with an external provisioner: handed to it, as kube's binder does.
      await until('provisioner named', async () => (await server.getJson('/api/v1/namespaces/default/persistentvolumeclaims/early')).metadata.annotations?.['volume.kubernetes.io/storage-provisioner'] === 'example.com/late');
    } finally {
      await server.stop();
    }
  });
});
