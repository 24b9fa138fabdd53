// The Deployment controller through `kubectl rollout` and friends, on the fast pod lifecycle
// (stages/pod-fast.yaml: pods run and turn Ready at once) so that many rollouts fit in one
// test: undo back to the first ReplicaSet, pause and resume, restart, scale to 0 and back,
// proportional scaling in the middle of a stuck rollout, Recreate (every old pod gone before
// a new one exists), and progressDeadlineSeconds running out.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../src/api/types.ts';
import { getJson, isReady, watchPods } from './support/deployments.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { hangGuard, until } from './support/wait.ts';

const revision = 'deployment.kubernetes.io/revision';

describe('deployment controller: kubectl rollout', { timeout: hangGuard(60_000) }, () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({
      nodes: 3, scheduler: true, kubelet: { stagesFile: 'stages/pod-fast.yaml' },
      controllers: { controllers: ['replicaset', 'deployment'] },
    });
  });

  after(async () => {
    await server?.stop();
  });

  const kubectl = async (...args: string[]) => {
    const r = await server.kubectl(args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const apply = (yaml: string) => server.kubectl(['apply', '-f', '-'], { input: yaml }).then((r) => assert.equal(r.code, 0, r.stderr));
  const rolledOut = async (name: string) => {
    const r = await server.kubectl(['rollout', 'status', `deployment/${name}`, '--timeout=20s']);
    assert.equal(r.code, 0, r.stderr);
  };
  const getDeploy = (name: string) => getJson(server, `/apis/apps/v1/namespaces/default/deployments/${name}`);
  const replicaSets = async (app: string) => (await getJson<{ items: KubeObject[] }>(server, `/apis/apps/v1/namespaces/default/replicasets?labelSelector=app%3D${app}`)).items;
  const pods = async (app: string) => (await getJson<{ items: KubeObject[] }>(server, `/api/v1/namespaces/default/pods?labelSelector=app%3D${app}`)).items
    .filter((p) => !p.metadata.deletionTimestamp);
  const observed = (name: string) => until(`${name}'s spec observed`, async () => {
    const d = await getDeploy(name);
    return d.status?.observedGeneration === d.metadata.generation && d;
  });
  const condition = (d: KubeObject, type: string) => d.status?.conditions?.find((c: { type: string }) => c.type === type);

  it('rollout undo scales the first ReplicaSet back up as revision 3', async () => {
    await kubectl('create', 'deployment', 'web', '--image=nginx', '--replicas=3');
    await rolledOut('web');
    const [first] = await replicaSets('web');
    await kubectl('set', 'image', 'deployment/web', 'nginx=nginx:1.27');
    await rolledOut('web');
    const undo = await kubectl('rollout', 'undo', 'deployment/web');
    assert.match(undo, /deployment.apps\/web rolled back/);
    await rolledOut('web');
    const rss = await replicaSets('web');
    assert.equal(rss.length, 2, 'no third ReplicaSet: the first one is reused');
    const back = rss.find((rs) => rs.metadata.uid === first!.metadata.uid)!;
    assert.equal(back.metadata.name, first!.metadata.name);
    assert.equal(back.spec.replicas, 3);
    assert.equal(back.metadata.annotations?.[revision], '3');
    assert.equal(back.metadata.annotations?.['deployment.kubernetes.io/revision-history'], '1');
    assert.equal(rss.find((rs) => rs !== back)!.spec.replicas, 0);
    assert.equal((await getDeploy('web')).metadata.annotations?.[revision], '3');
    const live = await pods('web');
    assert.equal(live.length, 3);
    assert.ok(live.every((p) => p.spec.containers[0].image === 'nginx' && p.metadata.labels?.['pod-template-hash'] === first!.metadata.labels?.['pod-template-hash']));
    const history = await kubectl('rollout', 'history', 'deployment/web');
    assert.deepEqual(history.trim().split('\n').slice(2).map((l) => l.split(/\s+/)[0]), ['2', '3']);
  });

  it('a paused Deployment does not roll out but still scales; resumed, it rolls', async () => {
    await kubectl('rollout', 'pause', 'deployment/web');
    const paused = await observed('web');
    assert.deepEqual([condition(paused, 'Progressing').status, condition(paused, 'Progressing').reason, condition(paused, 'Progressing').message], ['Unknown', 'DeploymentPaused', 'Deployment is paused']);
    await kubectl('set', 'image', 'deployment/web', 'nginx=nginx:1.28');
    await observed('web');
    await kubectl('scale', 'deployment/web', '--replicas=4');
    await until('4 pods of the paused template', async () => (await pods('web')).filter(isReady).length === 4);
    assert.ok((await pods('web')).every((p) => p.spec.containers[0].image === 'nginx'), 'nothing rolled while paused');
    assert.ok((await replicaSets('web')).every((rs) => rs.spec.template.spec.containers[0].image !== 'nginx:1.28'), 'no ReplicaSet for the new template');

    await kubectl('rollout', 'resume', 'deployment/web');
    await rolledOut('web');
    const live = await pods('web');
    assert.equal(live.length, 4);
    assert.ok(live.every((p) => p.spec.containers[0].image === 'nginx:1.28'));
    const resumed = await getDeploy('web');
    assert.equal(condition(resumed, 'Progressing').reason, 'NewReplicaSetAvailable');
    assert.equal(resumed.metadata.annotations?.[revision], '4');
  });

  it('rollout restart rolls every pod to a template with restartedAt', async () => {
    const before = new Set((await pods('web')).map((p) => p.metadata.uid));
    await kubectl('rollout', 'restart', 'deployment/web');
    await rolledOut('web');
    const d = await getDeploy('web');
    const restartedAt = d.spec.template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt'];
    assert.ok(restartedAt);
    const live = await pods('web');
    assert.equal(live.length, 4);
    assert.ok(live.every((p) => !before.has(p.metadata.uid) && p.metadata.annotations?.['kubectl.kubernetes.io/restartedAt'] === restartedAt));
  });

  it('kubectl scale to 0 and back to 3', async () => {
    await kubectl('scale', 'deployment', 'web', '--replicas=0');
    await until('no pods', async () => (await pods('web')).length === 0);
    const zero = await until('status at 0', async () => {
      const d = await getDeploy('web');
      return d.status?.observedGeneration === d.metadata.generation && d.status.replicas === undefined && d;
    });
    assert.equal(condition(zero, 'Available').status, 'True');
    assert.match((await kubectl('get', 'deploy', 'web')).split('\n')[1]!, /^web\s+0\/0\s+0\s+0\s+/);
    await kubectl('scale', 'deployment', 'web', '--replicas=3');
    await rolledOut('web');
    assert.equal((await pods('web')).filter(isReady).length, 3);
  });

  it('replicas changed in the middle of a rollout are shared in proportion', async () => {
    await apply(`
apiVersion: apps/v1
kind: Deployment
metadata: { name: prop, namespace: default }
spec:
  replicas: 4
  selector: { matchLabels: { app: prop } }
  strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }
  template:
    metadata: { labels: { app: prop } }
    spec: { containers: [{ name: app, image: nginx }] }
`);
    await rolledOut('prop');
    // The new pods can never be scheduled: the rollout stops at 4 old + 1 new.
    await kubectl('patch', 'deployment', 'prop', '-p', '{"spec":{"template":{"spec":{"nodeSelector":{"disk":"none"}}}}}');
    await until('the new ReplicaSet at 1', async () => (await replicaSets('prop')).length === 2 && (await replicaSets('prop')).some((rs) => rs.spec.replicas === 1));
    await kubectl('scale', 'deployment', 'prop', '--replicas=8');
    // 9 allowed (8 + maxSurge 1) shared by size over the max-replicas (5) each was sized for: old 4→7, new 1→2.
    const rss = await until('both ReplicaSets resized', async () => {
      const rss = await replicaSets('prop');
      return rss.every((rs) => rs.metadata.annotations?.['deployment.kubernetes.io/desired-replicas'] === '8') && rss;
    });
    const sizes = rss.map((rs) => [rs.spec.template.spec.nodeSelector ? 'new' : 'old', rs.spec.replicas, rs.metadata.annotations?.['deployment.kubernetes.io/max-replicas']]).sort();
    assert.deepEqual(sizes, [['new', 2, '9'], ['old', 7, '9']]);
  });

  it('Recreate: every old pod is gone before the first new one is created', async () => {
    await apply(`
apiVersion: apps/v1
kind: Deployment
metadata: { name: re, namespace: default }
spec:
  replicas: 3
  selector: { matchLabels: { app: re } }
  strategy: { type: Recreate }
  template:
    metadata: { labels: { app: re } }
    spec: { containers: [{ name: app, image: nginx }] }
`);
    await rolledOut('re');
    const watch = await watchPods(server, 'app=re');
    try {
      await kubectl('set', 'image', 'deployment/re', 'app=nginx:1.27');
      await rolledOut('re');
      await until('3 new pods, no old', async () => watch.pods.size === 3 && [...watch.pods.values()].every((p) => p.spec.containers[0].image === 'nginx:1.27'));
    } finally {
      watch.stop();
    }
    const firstNew = watch.history.findIndex((e) => e.type === 'ADDED' && e.pod.spec.containers[0].image === 'nginx:1.27');
    assert.ok(firstNew > 0, 'new pods were watched');
    const oldBefore = watch.history[firstNew]!.existing.filter((p) => p.spec.containers[0].image === 'nginx');
    assert.deepEqual(oldBefore.map((p) => p.metadata.name), [], 'no old pod (running or terminating) when the first new one appears');
    assert.ok(watch.history.slice(0, firstNew).filter((e) => e.type === 'DELETED').length >= 3, 'the 3 old pods were deleted first');
  });

  it('progressDeadlineSeconds: Progressing=False ProgressDeadlineExceeded, rollout status fails', async () => {
    await apply(`
apiVersion: apps/v1
kind: Deployment
metadata: { name: stuck, namespace: default }
spec:
  replicas: 2
  progressDeadlineSeconds: 2
  selector: { matchLabels: { app: stuck } }
  template:
    metadata: { labels: { app: stuck } }
    spec:
      nodeSelector: { disk: none }
      containers: [{ name: app, image: nginx }]
`);
    const status = await server.kubectl(['rollout', 'status', 'deployment/stuck', '--timeout=20s']);
    assert.notEqual(status.code, 0);
    assert.match(status.stderr, /error: deployment "stuck" exceeded its progress deadline/);
    const d = await getDeploy('stuck');
    const [rs] = await replicaSets('stuck');
    const progressing = condition(d, 'Progressing');
    assert.deepEqual([progressing.status, progressing.reason, progressing.message], ['False', 'ProgressDeadlineExceeded', `ReplicaSet "${rs!.metadata.name}" has timed out progressing.`]);
    const available = condition(d, 'Available');
    assert.deepEqual([available.status, available.reason, available.message], ['False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.']);
    assert.equal(d.status.unavailableReplicas, 2);
  });
});
