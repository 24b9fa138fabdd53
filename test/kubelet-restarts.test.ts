// Container restarts and the downward API, end to end through kubectl: the simulated kubelet
// restarts containers by restartPolicy with kube's back-off (base 0.5 s, cap 2 s here so the
// test is quick), kubectl shows CrashLoopBackOff and "N (Xs ago)" restarts, init containers
// fail the pod or crash-loop, a restartPolicy OnFailure Job stops at backoffLimit counting
// restarts, and env from fieldRef/resourceFieldRef/configMapKeyRef reaches the container's
// script and `kubectl exec`.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../src/api/types.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { hangGuard, until } from './support/wait.ts';

describe('kubelet container restarts and downward API env', { timeout: hangGuard(55_000), concurrency: true }, () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({
      nodes: 2, scheduler: true,
      kubelet: { backOffPeriodSeconds: 0.5, maxContainerBackOffSeconds: 2 },
      // The serviceaccount controller's default ServiceAccount backs the pods' API token mount (exec reads it).
      controllers: { controllers: ['job-controller', 'serviceaccount'], jobPodFailureBackoffSeconds: 1, jobSyncBatchPeriodSeconds: 0.05 },
    });
  });

  after(async () => {
    await server?.stop();
  });

  const getJson = <T = KubeObject>(path: string) => server.getJson<T>(path);
  const getPod = (name: string) => getJson(`/api/v1/namespaces/default/pods/${name}`);
  async function kubectl(args: string[], input?: string): Promise<string> {
    const r = await server.kubectl(args, input === undefined ? undefined : { input });
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  }
  async function podEvents(name: string): Promise<{ type: string; reason: string; message: string; count?: number }[]> {
    const list = await getJson<{ items: any[] }>(`/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3D${name}`);
    return list.items;
  }

  it('restarts a failing restartPolicy Always container with back-off: CrashLoopBackOff, lastState, BackOff event, logs', async () => {
    await kubectl(['run', 'crash', '--image=busybox', '--restart=Always', '--', 'sh', '-c', 'echo boom; exit 1']);
    const pod = await until('crash in CrashLoopBackOff after 2 restarts', async () => {
      const p = await getPod('crash');
      const cs = p.status?.containerStatuses?.[0];
      return cs?.restartCount >= 2 && cs.state?.waiting?.reason === 'CrashLoopBackOff' && p;
    }, 30_000, 50);
    const uid = pod.metadata.uid;
    const cs = pod.status.containerStatuses[0];
    assert.equal(pod.status.phase, 'Running', 'a crash-looping pod stays Running');
    assert.match(cs.state.waiting.message, new RegExp(`^back-off (\\d+ms|[\\d.]+s) restarting failed container=crash pod=crash_default\\(${uid}\\)$`));
    assert.equal(cs.ready, false);
    assert.equal(cs.started, false);
    const last = cs.lastState.terminated;
    assert.deepEqual([last.exitCode, last.reason], [1, 'Error']);
    assert.ok(last.startedAt && last.finishedAt);
    assert.equal(last.containerID, cs.containerID, 'the waiting container reports the ID of the run that ended');
    assert.match(cs.containerID, /^kubelite:\/\/[0-9a-f]{64}$/);
    const ready = pod.status.conditions.find((c: any) => c.type === 'Ready');
    assert.deepEqual([ready.status, ready.reason, ready.message], ['False', 'ContainersNotReady', 'containers with unready status: [crash]']);
    assert.equal(pod.status.conditions.find((c: any) => c.type === 'ContainersReady').status, 'False');

    const table = await until('kubectl shows CrashLoopBackOff', async () => {
      const out = await kubectl(['get', 'pod', 'crash', '--no-headers']);
      return /CrashLoopBackOff/.test(out) && out;
    }, 20_000, 50);
    assert.match(table, /^crash\s+0\/1\s+CrashLoopBackOff\s+(\d+) \(\d+s ago\)\s+\d+s\n$/);
    assert.ok(Number(/CrashLoopBackOff\s+(\d+)/.exec(table)![1]) >= 2);

    // Repeats are one event with a count, as kube's EventCorrelator makes them (`Started (x3 over 40s)`).
    const times = (events: { reason: string; count?: number }[], reason: string) => events.filter((e) => e.reason === reason).reduce((n, e) => n + (e.count ?? 1), 0);
    // Written in the background, as kube's recorder writes them: they may trail the status a little.
    const events = await until('the BackOff event and three Starts', async () => {
      const list = await podEvents('crash');
      return list.some((e) => e.reason === 'BackOff') && times(list, 'Started') >= 3 && list;
    }, 20_000, 50);
    const backOff = events.find((e) => e.reason === 'BackOff');
    assert.ok(backOff, 'a BackOff event');
    assert.equal(backOff.type, 'Warning');
    assert.equal(backOff.message, `Back-off restarting failed container crash in pod crash_default(${uid})`);
    assert.equal(events.filter((e) => e.reason === 'Started').length, 1, 'one Started event, counted');
    assert.ok(times(events, 'Started') >= 3, 'Started on the first run and each restart');
    assert.ok(times(events, 'Created') >= 3);
    // busybox is :latest (imagePullPolicy Always): every restart pulls again.
    assert.ok(times(events, 'Pulling') >= 3);

    assert.equal(await kubectl(['logs', 'crash']), 'boom\n');
    assert.equal(await kubectl(['logs', 'crash', '--previous']), 'boom\n');
    const describe = await kubectl(['describe', 'pod', 'crash']);
    assert.match(describe, /State:\s+Waiting\n\s+Reason:\s+CrashLoopBackOff/);
    assert.match(describe, /Last State:\s+Terminated\n\s+Reason:\s+Error\n\s+Exit Code:\s+1/);
  });

  it('completes a restartPolicy OnFailure pod whose script exits 0, without restarts', async () => {
    await kubectl(['run', 'once', '--image=busybox:1.36', '--restart=OnFailure', '--', 'sh', '-c', 'echo done; exit 0']);
    const pod = await until('once Succeeded', async () => {
      const p = await getPod('once');
      return p.status?.phase === 'Succeeded' && p;
    }, 20_000);
    const cs = pod.status.containerStatuses[0];
    assert.equal(cs.restartCount, 0);
    assert.deepEqual([cs.state.terminated.exitCode, cs.state.terminated.reason], [0, 'Completed']);
    assert.match(await kubectl(['get', 'pod', 'once', '--no-headers']), /^once\s+0\/1\s+Completed\s+0\s+/);
  });

  it('fails a restartPolicy Never pod at a failing init container (Init:Error) and crash-loops it under Always (Init:CrashLoopBackOff)', async () => {
    const podYaml = (name: string, restartPolicy: string) => `
apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: default }
spec:
  restartPolicy: ${restartPolicy}
  initContainers:
    - { name: ok, image: busybox:1.36, command: [sh, -c, 'echo prepared'] }
    - { name: migrate, image: busybox:1.36, command: [sh, -c, 'echo migrating; exit 2'] }
  containers:
    - { name: app, image: nginx:1.27 }
`;
    await kubectl(['apply', '-f', '-'], podYaml('init-never', 'Never') + '---' + podYaml('init-always', 'Always'));
    const failed = await until('init-never Failed', async () => {
      const p = await getPod('init-never');
      return p.status?.phase === 'Failed' && p;
    }, 20_000);
    const [ok, migrate] = failed.status.initContainerStatuses;
    assert.deepEqual([ok.state.terminated.reason, ok.ready], ['Completed', true]);
    assert.deepEqual([migrate.state.terminated.exitCode, migrate.state.terminated.reason, migrate.restartCount], [2, 'Error', 0]);
    assert.equal(failed.status.containerStatuses[0].state.waiting.reason, 'PodInitializing');
    const initialized = failed.status.conditions.find((c: any) => c.type === 'Initialized');
    assert.deepEqual([initialized.status, initialized.reason, initialized.message], ['False', 'ContainersNotInitialized', 'containers with incomplete status: [migrate]']);
    assert.match(await kubectl(['get', 'pod', 'init-never', '--no-headers']), /^init-never\s+0\/1\s+Init:Error\s+0\s+/);

    const looping = await until('init-always in Init:CrashLoopBackOff', async () => {
      const p = await getPod('init-always');
      const s = p.status?.initContainerStatuses?.[1];
      return s?.restartCount >= 1 && s.state?.waiting?.reason === 'CrashLoopBackOff' && p;
    }, 20_000, 50);
    assert.equal(looping.status.phase, 'Pending');
    assert.equal(looping.status.initContainerStatuses[1].lastState.terminated.exitCode, 2);
    assert.equal(looping.status.initContainerStatuses[0].restartCount, 0, 'only the failing init container restarts');
    const row = await until('kubectl shows Init:CrashLoopBackOff', async () => {
      const out = await kubectl(['get', 'pod', 'init-always', '--no-headers']);
      return /Init:CrashLoopBackOff/.test(out) && out;
    }, 20_000, 50);
    assert.match(row, /^init-always\s+0\/1\s+Init:CrashLoopBackOff\s+\d+ \(\d+s ago\)\s+/);
    assert.equal(await kubectl(['logs', 'init-always', '-c', 'migrate']), 'migrating\n');
  });

  it('fails a restartPolicy OnFailure Job with BackoffLimitExceeded once its pod restarted backoffLimit times', async () => {
    await kubectl(['apply', '-f', '-'], `
apiVersion: batch/v1
kind: Job
metadata: { name: onfailure, namespace: default }
spec:
  backoffLimit: 3
  template:
    spec:
      restartPolicy: OnFailure
      containers: [{ name: main, image: busybox:1.36, command: [sh, -c, 'exit 1'] }]
`);
    const job = await until('onfailure Failed', async () => {
      const j = await getJson('/apis/batch/v1/namespaces/default/jobs/onfailure');
      return j.status?.conditions?.some((c: any) => c.type === 'Failed' && c.status === 'True') && j;
    }, 40_000);
    const failed = job.status.conditions.find((c: any) => c.type === 'Failed');
    assert.deepEqual([failed.reason, failed.message], ['BackoffLimitExceeded', 'Job has reached the specified backoff limit']);
    const events = await getJson<{ items: any[] }>('/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Donfailure');
    const created = events.items.filter((e) => e.reason === 'SuccessfulCreate');
    assert.equal(created.length, 1, 'one pod: its container restarts instead of new pods being created');
    const podName = /^Created pod: (.*)$/.exec(created[0].message)![1];
    const backOffs = await until('a BackOff event', async () => (await podEvents(podName)).filter((e) => e.reason === 'BackOff'));
    assert.ok(backOffs.length >= 1, 'the pod backed off between restarts');
  });

  it('resolves downward API, resource and ConfigMap env for the container script and kubectl exec', async () => {
    await kubectl(['apply', '-f', '-'], `
apiVersion: v1
kind: ConfigMap
metadata: { name: settings, namespace: default }
data: { mode: fast, level: '3' }
---
apiVersion: v1
kind: Pod
metadata:
  name: downward
  namespace: default
  labels: { app: shop }
  annotations: { team: payments }
spec:
  containers:
    - name: main
      image: busybox:1.36
      command: [sh, -c, 'echo "I am $MY_POD_NAME in $MY_NAMESPACE mode=$MODE"; sleep infinity']
      resources:
        requests: { cpu: 250m, memory: 64Mi }
        limits: { cpu: 500m, memory: 128Mi }
      envFrom:
        - { configMapRef: { name: settings }, prefix: CFG_ }
      env:
        - { name: MY_POD_NAME, valueFrom: { fieldRef: { fieldPath: metadata.name } } }
        - { name: MY_NAMESPACE, valueFrom: { fieldRef: { fieldPath: metadata.namespace } } }
        - { name: MY_UID, valueFrom: { fieldRef: { fieldPath: metadata.uid } } }
        - { name: MY_APP, valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } }
        - { name: MY_TEAM, valueFrom: { fieldRef: { fieldPath: "metadata.annotations['team']" } } }
        - { name: MY_NODE, valueFrom: { fieldRef: { fieldPath: spec.nodeName } } }
        - { name: MY_SA, valueFrom: { fieldRef: { fieldPath: spec.serviceAccountName } } }
        - { name: MY_POD_IP, valueFrom: { fieldRef: { fieldPath: status.podIP } } }
        - { name: MY_POD_IPS, valueFrom: { fieldRef: { fieldPath: status.podIPs } } }
        - { name: MY_HOST_IP, valueFrom: { fieldRef: { fieldPath: status.hostIP } } }
        - { name: CPU_LIMIT_MILLIS, valueFrom: { resourceFieldRef: { resource: limits.cpu, divisor: 1m } } }
        - { name: CPU_REQUEST, valueFrom: { resourceFieldRef: { resource: requests.cpu } } }
        - { name: MEM_LIMIT_MI, valueFrom: { resourceFieldRef: { resource: limits.memory, divisor: 1Mi } } }
        - { name: MODE, valueFrom: { configMapKeyRef: { name: settings, key: mode } } }
        - { name: GREETING, value: 'hello $(MY_POD_NAME)' }
`);
    const pod = await until('downward Running', async () => {
      const p = await getPod('downward');
      return p.status?.phase === 'Running' && p;
    }, 20_000);
    assert.equal(await kubectl(['logs', 'downward']), 'I am downward in default mode=fast\n');
    const printenv = async (...names: string[]) => kubectl(['exec', 'downward', '--', 'printenv', ...names]);
    assert.equal(await printenv('MY_POD_NAME', 'MY_NAMESPACE', 'MY_UID'), `downward\ndefault\n${pod.metadata.uid}\n`);
    assert.equal(await printenv('MY_APP', 'MY_TEAM', 'MY_NODE', 'MY_SA'), `shop\npayments\n${pod.spec.nodeName}\ndefault\n`);
    assert.equal(await printenv('MY_POD_IP', 'MY_POD_IPS', 'MY_HOST_IP'), `${pod.status.podIP}\n${pod.status.podIP}\n${pod.status.hostIP}\n`);
    assert.equal(await printenv('CPU_LIMIT_MILLIS', 'CPU_REQUEST', 'MEM_LIMIT_MI'), '500\n1\n128\n', 'divided by the divisor, rounded up');
    assert.equal(await printenv('MODE', 'CFG_mode', 'CFG_level', 'GREETING'), 'fast\nfast\n3\nhello downward\n');
  });

  it('gives an Indexed Job\'s containers JOB_COMPLETION_INDEX', async () => {
    await kubectl(['apply', '-f', '-'], `
apiVersion: batch/v1
kind: Job
metadata: { name: indexed, namespace: default }
spec:
  completions: 2
  parallelism: 2
  completionMode: Indexed
  template:
    spec:
      restartPolicy: Never
      containers: [{ name: main, image: busybox:1.36, command: [sh, -c, 'echo "index $JOB_COMPLETION_INDEX"'] }]
`);
    await until('indexed Complete', async () => {
      const j = await getJson('/apis/batch/v1/namespaces/default/jobs/indexed');
      return j.status?.conditions?.some((c: any) => c.type === 'Complete' && c.status === 'True');
    }, 30_000);
    const pods = await getJson<{ items: KubeObject[] }>('/api/v1/namespaces/default/pods?labelSelector=batch.kubernetes.io%2Fjob-name%3Dindexed');
    const lines = await Promise.all(pods.items.map(async (p) => {
      const index = p.metadata.annotations!['batch.kubernetes.io/job-completion-index'];
      return [index, await kubectl(['logs', p.metadata.name!])];
    }));
    assert.deepEqual(lines.sort(), [['0', 'index 0\n'], ['1', 'index 1\n']]);
  });
});
