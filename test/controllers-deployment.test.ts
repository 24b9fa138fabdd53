// The Deployment controller end to end, with the default (realistic) pod lifecycle: kubectl
// against a kubelite server running 3 simulated kubelets, the scheduler and the replicaset
// and deployment controllers. A Deployment of 5 comes up Available; `kubectl set image`
// rolls it while a pod watch checks maxSurge and maxUnavailable at every event; `kubectl
// rollout history` lists both revisions with their change cause.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../src/api/types.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { hangGuard, until } from './support/wait.ts';
import { getJson, isReady, watchPods } from './support/deployments.ts';

describe('deployment controller: create and rolling update', { timeout: hangGuard(60_000) }, () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ nodes: 3, scheduler: true, controllers: { controllers: ['replicaset', 'deployment'] } });
  });

  after(async () => {
    await server?.stop();
  });

  const kubectl = async (...args: string[]) => {
    const r = await server.kubectl(args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const getDeploy = () => getJson(server, '/apis/apps/v1/namespaces/default/deployments/web');
  const replicaSets = async () => (await getJson<{ items: KubeObject[] }>(server, '/apis/apps/v1/namespaces/default/replicasets?labelSelector=app%3Dweb')).items;
  const deploymentEvents = async () => (await getJson<{ items: { reason?: string; message?: string; involvedObject?: { kind?: string; name?: string } }[] }>(server, '/api/v1/namespaces/default/events')).items
    .filter((e) => e.involvedObject?.kind === 'Deployment' && e.involvedObject.name === 'web');

  it('kubectl create deployment: 5 pods Running and Ready, the Deployment Available', async () => {
    await kubectl('create', 'deployment', 'web', '--image=nginx', '--replicas=5');
    const status = await server.kubectl(['rollout', 'status', 'deployment/web', '--timeout=30s']);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /deployment "web" successfully rolled out/);

    const table = await kubectl('get', 'deploy', 'web');
    assert.match(table.split('\n')[0]!, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/);
    assert.match(table.split('\n')[1]!, /^web\s+5\/5\s+5\s+5\s+/);

    const [rs, ...others] = await replicaSets();
    assert.equal(others.length, 0);
    const hash = rs!.metadata.labels?.['pod-template-hash'];
    assert.match(hash ?? '', /^[bcdfghjkmnpqrstvwxz2456789]{1,10}$/);
    assert.equal(rs!.metadata.name, `web-${hash}`);
    assert.deepEqual(rs!.spec.selector.matchLabels, { app: 'web', 'pod-template-hash': hash });
    assert.equal(rs!.spec.template.metadata.labels['pod-template-hash'], hash);
    assert.equal(rs!.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');
    assert.equal(rs!.metadata.annotations?.['deployment.kubernetes.io/desired-replicas'], '5');
    assert.equal(rs!.metadata.annotations?.['deployment.kubernetes.io/max-replicas'], '7'); // 5 + 25% rounded up
    const d = await getDeploy();
    assert.deepEqual(rs!.metadata.ownerReferences?.map((o) => [o.kind, o.name, o.uid, o.controller, o.blockOwnerDeletion]), [['Deployment', 'web', d.metadata.uid, true, true]]);

    const pods = (await getJson<{ items: KubeObject[] }>(server, '/api/v1/namespaces/default/pods?labelSelector=app%3Dweb')).items;
    assert.equal(pods.length, 5);
    for (const pod of pods) {
      assert.equal(pod.status?.phase, 'Running');
      assert.ok(isReady(pod), pod.metadata.name);
      assert.equal(pod.metadata.labels?.['pod-template-hash'], hash);
    }

    assert.equal(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');
    assert.equal(d.status.observedGeneration, d.metadata.generation);
    assert.deepEqual([d.status.replicas, d.status.updatedReplicas, d.status.readyReplicas, d.status.availableReplicas], [5, 5, 5, 5]);
    assert.equal(d.status.unavailableReplicas, undefined);
    const conditions = Object.fromEntries(d.status.conditions.map((c: { type: string; status: string; reason: string; message: string }) => [c.type, [c.status, c.reason, c.message]]));
    assert.deepEqual(conditions.Available, ['True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.']);
    assert.deepEqual(conditions.Progressing, ['True', 'NewReplicaSetAvailable', `ReplicaSet "web-${hash}" has successfully progressed.`]);
    await until('the ScalingReplicaSet event', async () => (await deploymentEvents())
      .some((e) => e.reason === 'ScalingReplicaSet' && e.message === `Scaled up replica set web-${hash} from 0 to 5`));
  });

  it('kubectl set image rolls within maxSurge and maxUnavailable, watched pod by pod', async () => {
    const before = await replicaSets();
    // Defaults 25%/25% of 5: at most 7 pods (surge rounds up), at least 4 ready (unavailable rounds down).
    const watch = await watchPods(server, 'app=web');
    try {
      await kubectl('set', 'image', 'deployment/web', 'nginx=nginx:1.27');
      // As `--record` did: the cause goes on the Deployment after the change, and on to the new ReplicaSet.
      await kubectl('annotate', 'deployment', 'web', 'kubernetes.io/change-cause=upgrade to 1.27');
      const status = await server.kubectl(['rollout', 'status', 'deployment/web', '--timeout=45s']);
      assert.equal(status.code, 0, status.stderr);
      await until('only the 5 new pods left', async () => {
        const live = [...watch.pods.values()];
        return live.length === 5 && live.every((p) => p.spec.containers[0].image === 'nginx:1.27' && isReady(p));
      });
    } finally {
      watch.stop();
    }
    assert.ok(watch.events > 10, `saw ${watch.events} pod events`);
    assert.ok(watch.maxLive <= 7, `at most 7 non-terminated pods, saw ${watch.maxLive}`);
    assert.ok(watch.minReady >= 4, `at least 4 ready pods, saw ${watch.minReady}`);
    assert.ok(watch.maxLive > 5, 'the rollout surged');

    const after = await replicaSets();
    assert.equal(after.length, 2);
    const old = after.find((rs) => rs.metadata.uid === before[0]!.metadata.uid)!;
    const fresh = after.find((rs) => rs.metadata.uid !== before[0]!.metadata.uid)!;
    assert.equal(old.spec.replicas, 0);
    assert.equal(fresh.spec.replicas, 5);
    assert.equal(fresh.metadata.annotations?.['deployment.kubernetes.io/revision'], '2');
    assert.equal(fresh.metadata.annotations?.['kubernetes.io/change-cause'], 'upgrade to 1.27');
    const messages = (await deploymentEvents()).filter((e) => e.reason === 'ScalingReplicaSet').map((e) => e.message ?? '');
    assert.ok(messages.includes(`Scaled up replica set ${fresh.metadata.name} from 0 to 2`), messages.join('\n'));
    assert.ok(messages.some((m) => m.startsWith(`Scaled down replica set ${old.metadata.name} from 5 to `)), messages.join('\n'));
    assert.ok(messages.some((m) => new RegExp(`^Scaled down replica set ${old.metadata.name} from [12] to 0$`).test(m)), messages.join('\n'));
  });

  it('kubectl rollout history lists revisions 1 and 2 with their change cause', async () => {
    const history = await kubectl('rollout', 'history', 'deployment/web');
    const lines = history.trim().split('\n');
    assert.equal(lines[0], 'deployment.apps/web ');
    assert.match(lines[1]!, /^REVISION\s+CHANGE-CAUSE$/);
    assert.match(lines[2]!, /^1\s+<none>$/);
    assert.match(lines[3]!, /^2\s+upgrade to 1\.27$/);
    const rev2 = await kubectl('rollout', 'history', 'deployment/web', '--revision=2');
    assert.match(rev2, /Image:\s+nginx:1\.27/);
  });
});
