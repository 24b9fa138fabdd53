// The StatefulSet controller end to end, through kubectl against a kubelite server with
// simulated kubelets, the scheduler and only the statefulset controller: ordered creation with
// PVCs, READY 3/3, rollout status, a rolling update in reverse ordinal order, a partition,
// rollout history, scale down from the highest ordinal, and Parallel pod management. Orders are
// read from one pod watch, whose events the server delivers in the order they happened.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../src/api/types.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { hangGuard, until } from './support/wait.ts';

const statefulSet = (name: string, policy: 'OrderedReady' | 'Parallel') => `
apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: default }
spec:
  clusterIP: None
  selector: { app: ${name} }
  ports: [{ port: 80 }]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: ${name}, namespace: default }
spec:
  serviceName: ${name}
  replicas: 3
  podManagementPolicy: ${policy}
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      containers:
        - name: nginx
          image: nginx:1.26
          volumeMounts: [{ name: www, mountPath: /usr/share/nginx/html }]
  volumeClaimTemplates:
    - metadata: { name: www }
      spec:
        accessModes: [ReadWriteOnce]
        resources: { requests: { storage: 1Gi } }
`;

interface PodEvent { type: string; name: string; ready: boolean; terminating: boolean }

const isReady = (p: KubeObject) => p.status?.phase === 'Running'
  && p.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True');

describe('statefulset controller', { timeout: hangGuard(55_000) }, () => {
  let server: TestServer;
  const events: PodEvent[] = [];
  /** The revision of the nginx:1.27 template, rolled back to at the end. */
  let revision127 = '';
  const abort = new AbortController();

  before(async () => {
    // The volume controllers too: the pods' claims must be bound (default class, provisioned on the chosen node) before they run.
    server = await startTestServer({ nodes: 3, scheduler: true, controllers: { controllers: ['statefulset', 'persistentvolume-binder-controller', 'kubelite-hostpath-provisioner'] } });
    // One watch on every pod of the test, read for its whole life.
    const res = await server.request('/api/v1/namespaces/default/pods?watch=true', { signal: abort.signal });
    void (async () => {
      let buffer = '';
      try {
        for await (const chunk of res.body!.pipeThrough(new TextDecoderStream())) {
          buffer += chunk;
          for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
            const { type, object } = JSON.parse(buffer.slice(0, nl)) as { type: string; object: KubeObject };
            buffer = buffer.slice(nl + 1);
            events.push({ type, name: object.metadata.name!, ready: !!isReady(object), terminating: !!object.metadata.deletionTimestamp });
          }
        }
      } catch { /* aborted */ }
    })();
  });

  after(async () => {
    abort.abort();
    await server?.stop();
  });

  const getJson = <T = KubeObject>(path: string) => server.getJson<T>(path);
  const getSts = (name = 'web') => getJson(`/apis/apps/v1/namespaces/default/statefulsets/${name}`);
  const getPod = (name: string) => getJson(`/api/v1/namespaces/default/pods/${name}`);
  /** The position of the first watch event matching, or -1. */
  const firstIndex = (match: (e: PodEvent) => boolean) => events.findIndex(match);
  const added = (name: string) => firstIndex((e) => e.type === 'ADDED' && e.name === name);
  const becameReady = (name: string) => firstIndex((e) => e.name === name && e.ready);
  const deleting = (name: string, from = 0) => events.findIndex((e, i) => i >= from && e.name === name && (e.terminating || e.type === 'DELETED'));
  async function eventMessages(reason: string, name = 'web'): Promise<string[]> {
    const list = await getJson<{ items: { reason?: string; message?: string; involvedObject?: { kind?: string; name?: string } }[] }>('/api/v1/namespaces/default/events');
    return list.items.filter((e) => e.reason === reason && e.involvedObject?.kind === 'StatefulSet' && e.involvedObject.name === name).map((e) => e.message ?? '');
  }
  const rolledOut = async (name = 'web') => {
    const res = await server.kubectl(['rollout', 'status', `sts/${name}`, '--timeout=30s']);
    assert.equal(res.code, 0, res.stderr);
    return res.stdout;
  };

  it('creates web-0, web-1, web-2 in order, each after the previous is Ready, with their PVCs', async () => {
    const created = await server.kubectl(['apply', '-f', '-'], { input: statefulSet('web', 'OrderedReady') });
    assert.equal(created.code, 0, created.stderr);
    // The defaulted rollingUpdate.partition (0) makes kubectl report a partitioned roll out, as on kube.
    assert.match(await rolledOut(), /partitioned roll out complete: 3 new pods have been updated\.\.\./);
    assert.ok(added('web-0') >= 0 && becameReady('web-0') > added('web-0'));
    assert.ok(added('web-1') > becameReady('web-0'), 'web-1 was created before web-0 was Ready');
    assert.ok(added('web-2') > becameReady('web-1'), 'web-2 was created before web-1 was Ready');

    const sts = await getSts();
    assert.deepEqual([sts.status.replicas, sts.status.readyReplicas, sts.status.currentReplicas, sts.status.updatedReplicas, sts.status.availableReplicas], [3, 3, 3, 3, 3]);
    assert.equal(sts.status.observedGeneration, sts.metadata.generation);
    assert.equal(sts.status.currentRevision, sts.status.updateRevision);
    assert.equal(sts.status.collisionCount, 0);

    for (const ordinal of [0, 1, 2]) {
      const pod = await getPod(`web-${ordinal}`);
      assert.equal(pod.metadata.labels?.['statefulset.kubernetes.io/pod-name'], `web-${ordinal}`);
      assert.equal(pod.metadata.labels?.['apps.kubernetes.io/pod-index'], String(ordinal));
      assert.equal(pod.metadata.labels?.['controller-revision-hash'], sts.status.updateRevision);
      assert.equal(pod.metadata.generateName, 'web-');
      assert.deepEqual([pod.spec.hostname, pod.spec.subdomain], [`web-${ordinal}`, 'web']);
      assert.deepEqual(pod.spec.volumes.find((v: { name: string }) => v.name === 'www'), { name: 'www', persistentVolumeClaim: { claimName: `www-web-${ordinal}` } });
      assert.deepEqual(pod.metadata.ownerReferences?.map((o) => [o.kind, o.name, o.controller, o.blockOwnerDeletion]), [['StatefulSet', 'web', true, true]]);
      const claim = await getJson(`/api/v1/namespaces/default/persistentvolumeclaims/www-web-${ordinal}`);
      assert.equal(claim.metadata.labels?.app, 'web');
      assert.equal(claim.spec.resources.requests.storage, '1Gi');
    }
    const table = await server.kubectl(['get', 'sts', 'web']);
    assert.match(table.stdout, /^NAME\s+READY\s+AGE\nweb\s+3\/3\s/);
    const creates = await eventMessages('SuccessfulCreate');
    for (const ordinal of [0, 1, 2]) {
      assert.ok(creates.includes(`create Pod web-${ordinal} in StatefulSet web successful`), creates.join('\n'));
      assert.ok(creates.includes(`create Claim www-web-${ordinal} Pod web-${ordinal} in StatefulSet web success`), creates.join('\n'));
    }
  });

  it('rolls a template change out from the highest ordinal down, one at a time', async () => {
    const before = await getSts();
    const from = events.length;
    const changed = await server.kubectl(['set', 'image', 'sts/web', 'nginx=nginx:1.27']);
    assert.equal(changed.code, 0, changed.stderr);
    await rolledOut();
    const [d2, d1, d0] = [deleting('web-2', from), deleting('web-1', from), deleting('web-0', from)];
    assert.ok(d2 >= 0 && d1 > d2 && d0 > d1, `deleted in order 2,1,0 (${d2}, ${d1}, ${d0})`);
    assert.ok(d1 > events.findIndex((e, i) => i > d2 && e.name === 'web-2' && e.ready), 'web-1 went before the new web-2 was Ready');
    const sts = await getSts();
    revision127 = sts.status.updateRevision;
    assert.notEqual(sts.status.updateRevision, before.status.updateRevision);
    assert.equal(sts.status.currentRevision, sts.status.updateRevision);
    for (const ordinal of [0, 1, 2]) {
      const pod = await getPod(`web-${ordinal}`);
      assert.equal(pod.spec.containers[0].image, 'nginx:1.27');
      assert.equal(pod.metadata.labels?.['controller-revision-hash'], sts.status.updateRevision);
    }
    const history = await server.kubectl(['rollout', 'history', 'sts/web']);
    assert.equal(history.code, 0, history.stderr);
    assert.match(history.stdout, /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
    const revisions = await getJson<{ items: { metadata: KubeObject['metadata']; revision: number }[] }>('/apis/apps/v1/namespaces/default/controllerrevisions?labelSelector=app%3Dweb');
    assert.deepEqual(revisions.items.map((r) => r.revision).sort(), [1, 2]);
    for (const r of revisions.items) assert.equal(r.metadata.name, `web-${r.metadata.labels?.['controller.kubernetes.io/hash']}`);
  });

  it('with partition 2 updates only web-2', async () => {
    const patched = await server.kubectl(['patch', 'sts', 'web', '-p', '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":2}}}}']);
    assert.equal(patched.code, 0, patched.stderr);
    assert.equal((await server.kubectl(['set', 'image', 'sts/web', 'nginx=nginx:1.28'])).code, 0);
    assert.match(await rolledOut(), /partitioned roll out complete: 1 new pods have been updated/);
    const sts = await getSts();
    assert.equal((await getPod('web-2')).metadata.labels?.['controller-revision-hash'], sts.status.updateRevision);
    for (const name of ['web-0', 'web-1']) {
      const pod = await getPod(name);
      assert.equal(pod.spec.containers[0].image, 'nginx:1.27');
      assert.equal(pod.metadata.labels?.['controller-revision-hash'], sts.status.currentRevision);
    }
    assert.deepEqual([sts.status.currentReplicas, sts.status.updatedReplicas], [2, 1]);
  });

  it('scales down from the highest ordinal first', async () => {
    const from = events.length;
    assert.equal((await server.kubectl(['scale', 'sts', 'web', '--replicas=1'])).code, 0);
    await until('one replica left', async () => {
      const sts = await getSts();
      return sts.status.replicas === 1 && events.some((e, i) => i >= from && e.type === 'DELETED' && e.name === 'web-1');
    }, 30_000);
    const [d2, d1] = [deleting('web-2', from), deleting('web-1', from)];
    assert.ok(d2 >= 0 && d1 > events.findIndex((e, i) => i >= from && e.type === 'DELETED' && e.name === 'web-2'), 'web-1 went only after web-2 was gone');
    const deletes = await eventMessages('SuccessfulDelete');
    assert.ok(deletes.includes('delete Pod web-2 in StatefulSet web successful') && deletes.includes('delete Pod web-1 in StatefulSet web successful'), deletes.join('\n'));
    // The claims stay (whenScaled: Retain).
    await getJson('/api/v1/namespaces/default/persistentvolumeclaims/www-web-2');
  });

  it('deletes a Failed pod and makes it again under the same name', async () => {
    const old = await getPod('web-0');
    const failed = await server.kubectl(['patch', 'pod', 'web-0', '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"Failed"}}']);
    assert.equal(failed.code, 0, failed.stderr);
    const pod = await until('a new web-0, ready', async () => {
      const res = await server.request('/api/v1/namespaces/default/pods/web-0');
      const pod = res.status === 200 ? (await res.json()) as KubeObject : undefined;
      return pod && pod.metadata.uid !== old.metadata.uid && isReady(pod) && pod;
    }, 20_000);
    assert.equal(pod.metadata.labels?.['controller-revision-hash'], old.metadata.labels?.['controller-revision-hash']);
    await until('status to count it ready', async () => (await getSts()).status.readyReplicas === 1);
  });

  it('rolls back with kubectl rollout undo: the earlier revision is renumbered, not copied', async () => {
    const before = await getSts();
    const undone = await server.kubectl(['rollout', 'undo', 'sts/web']);
    assert.equal(undone.code, 0, undone.stderr);
    const sts = await until('the rollback observed', async () => {
      const sts = await getSts();
      return sts.status.observedGeneration === sts.metadata.generation && sts.status.updateRevision !== before.status.updateRevision && sts;
    });
    assert.equal(sts.spec.template.spec.containers[0].image, 'nginx:1.27');
    assert.equal(sts.status.updateRevision, revision127);
    const history = await server.kubectl(['rollout', 'history', 'sts/web']);
    assert.match(history.stdout, /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n3\s+<none>\n4\s+<none>\n/);
  });

  it('names its revision as kube does: the same manifest gives the name a real cluster gave', async () => {
    // From a kube 1.24 cluster: this StatefulSet's first revision was nginx-sts-6798d68dcd.
    const manifest = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'nginx-sts', namespace: 'default' },
      spec: { replicas: 0, selector: { matchLabels: { app: 'nginx-sts' } }, serviceName: 'nginx-sts',
        template: { metadata: { labels: { app: 'nginx-sts' } }, spec: { containers: [{ image: 'nginx', name: 'nginx' }] } } } };
    assert.equal((await server.kubectl(['create', '-f', '-'], { input: JSON.stringify(manifest) })).code, 0);
    const sts = await until('the first revision', async () => (await getSts('nginx-sts')).status?.updateRevision && getSts('nginx-sts'));
    assert.equal(sts.status.updateRevision, 'nginx-sts-6798d68dcd');
    const revision = await getJson('/apis/apps/v1/namespaces/default/controllerrevisions/nginx-sts-6798d68dcd');
    assert.equal(revision.metadata.labels?.['controller.kubernetes.io/hash'], '6798d68dcd');
  });

  it('creates every pod at once with podManagementPolicy Parallel', async () => {
    const created = await server.kubectl(['apply', '-f', '-'], { input: statefulSet('par', 'Parallel') });
    assert.equal(created.code, 0, created.stderr);
    await rolledOut('par');
    const firstReady = Math.min(becameReady('par-0'), becameReady('par-1'), becameReady('par-2'));
    assert.ok(['par-0', 'par-1', 'par-2'].every((n) => added(n) >= 0 && added(n) < firstReady), 'all three created before any was Ready');
    const table = await server.kubectl(['get', 'sts', 'par', '--no-headers']);
    assert.match(table.stdout, /^par\s+3\/3\s/);
  });
});
