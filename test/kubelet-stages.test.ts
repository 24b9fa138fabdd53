// Golden tests of the stage bundles in stages/: for each case, an input pod → the stage that
// matches, its delay, and exactly what it produces (status, events, log lines, delete),
// written out by hand. The clock is fixed at T0, the pod IP is 10.244.0.5, the node is
// node-a at 172.18.0.2; sha256 digests print as <sha256> and image sizes as <bytes>. Every
// result must also move the pod on: the same stage never matches its own output.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import type { KubeObject } from '../src/api/types.ts';
import { loadStageBundle, parseStageBundle, stagesDir, StageEngine, type PodContext } from '../src/kubelet/index.ts';
import { backoffKey, RestartBackoff } from '../src/kubelet/container-restarts.ts';

const T0 = Date.parse('2025-01-01T00:00:00Z');

function context(pod: KubeObject, atMs: number): PodContext {
  return { pod, nodeName: 'node-a', nodeIP: '172.18.0.2', podIP: () => '10.244.0.5', now: new Date(atMs) };
}

function normalise(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)
    .replace(/[0-9a-f]{64}/g, '<sha256>')
    .replace(/Image size: \d+ bytes/g, 'Image size: <bytes> bytes'));
}

interface GoldenCase {
  name: string;
  /** The pod, YAML. */
  input: string;
  /** Milliseconds after T0 at which the stage is evaluated. */
  at?: number;
  want: { stage: string; delayMs: number; status?: string; events?: string; logs?: string; delete?: boolean };
}

/** Runs one case: match at T0+at, wait the delay, plan; compare; check the output does not re-match the same stage. */
function check(engine: StageEngine, c: GoldenCase): void {
  const pod = parse(c.input) as KubeObject;
  const at = T0 + (c.at ?? 0);
  const stage = engine.match(context(pod, at));
  assert.equal(stage?.metadata.name, c.want.stage, 'matching stage');
  const delayMs = engine.delay(stage!, context(pod, at), () => 0.5);
  assert.equal(delayMs, c.want.delayMs, 'delay');
  const plan = engine.plan(stage!, context(pod, at + delayMs));
  if (c.want.status !== undefined) assert.deepEqual(normalise(plan.status), parse(c.want.status), 'status');
  assert.deepEqual(normalise(plan.events), c.want.events ? parse(c.want.events) : [], 'events');
  assert.deepEqual(plan.logs, c.want.logs ? parse(c.want.logs) : [], 'logs');
  assert.equal(plan.delete, c.want.delete ?? false, 'delete');
  if (plan.status && !plan.delete) {
    const next = { ...pod, status: plan.status };
    assert.notEqual(engine.match(context(next, at + delayMs))?.metadata.name, c.want.stage, 'the stage matches its own output again');
  }
}

const nginxPending = `
metadata: { name: web, namespace: default, uid: uid-web }
spec:
  nodeName: node-a
  restartPolicy: Always
  containers:
    - name: nginx
      image: nginx
status: { phase: Pending, qosClass: BestEffort }
`;

const nginxCreating = `
metadata: { name: web, namespace: default, uid: uid-web }
spec:
  nodeName: node-a
  restartPolicy: Always
  initContainers:
    - { name: setup, image: busybox, command: [sh, -c, echo setting up] }
  containers:
    - name: nginx
      image: nginx:1.27
      command: [sh, -c, 'echo "hello from $(POD)"; sleep infinity']
      env: [{ name: POD, value: web }]
status:
  phase: Pending
  qosClass: BestEffort
  startTime: '2025-01-01T00:00:00Z'
  hostIP: 172.18.0.2
  conditions:
    - { type: PodScheduled, status: 'True', lastProbeTime: null, lastTransitionTime: '2024-12-31T23:59:59Z' }
`;

/** A pod whose container has a 5 s readiness delay and whose readiness gate nobody set yet. */
const gatedCreating = nginxCreating
  .replace('  restartPolicy: Always\n', '  restartPolicy: Always\n  readinessGates: [{ conditionType: example.com/lb }]\n')
  .replace('      env: [{ name: POD, value: web }]', '      env: [{ name: POD, value: web }]\n      readinessProbe: { initialDelaySeconds: 5, exec: { command: ["true"] } }');

const conditionsRunning = (readyStatus: string, extra = '') => `
    - { type: PodReadyToStartContainers, status: 'True', lastProbeTime: null, lastTransitionTime: '2025-01-01T00:00:01Z' }
    - { type: Initialized, status: 'True', lastProbeTime: null, lastTransitionTime: '2025-01-01T00:00:01Z' }
    - { type: Ready, status: '${readyStatus}', lastProbeTime: null, lastTransitionTime: '2025-01-01T00:00:01Z'${extra} }
    - { type: ContainersReady, status: 'True', lastProbeTime: null, lastTransitionTime: '2025-01-01T00:00:01Z' }
    - { type: PodScheduled, status: 'True', lastProbeTime: null, lastTransitionTime: '2025-01-01T00:00:00Z' }`;

const runningPod = (extraMeta = '', extraSpec = '') => `
metadata: { name: web, namespace: default, uid: uid-web${extraMeta} }
spec:
  nodeName: node-a
  terminationGracePeriodSeconds: 30${extraSpec}
  containers:
    - { name: nginx, image: nginx }
status:
  phase: Running
  qosClass: BestEffort
  startTime: '2025-01-01T00:00:00Z'
  hostIP: 172.18.0.2
  podIP: 10.244.0.5
  conditions:${conditionsRunning('True')}
  containerStatuses:
    - name: nginx
      image: docker.io/library/nginx:latest
      imageID: docker.io/library/nginx@sha256:<sha256>
      containerID: kubelite://<sha256>
      ready: true
      started: true
      restartCount: 0
      lastState: {}
      state: { running: { startedAt: '2025-01-01T00:00:01Z' } }
`;

const podDefault: GoldenCase[] = [
  {
    name: 'pod-create: a pod just bound gets a hostIP, a startTime and ContainerCreating containers',
    input: nginxPending,
    want: {
      stage: 'pod-create', delayMs: 0,
      status: `
phase: Pending
qosClass: BestEffort
hostIP: 172.18.0.2
hostIPs: [{ ip: 172.18.0.2 }]
startTime: '2025-01-01T00:00:00Z'
conditions:
  - { type: PodReadyToStartContainers, status: 'False', lastProbeTime: null, lastTransitionTime: '2025-01-01T00:00:00Z' }
  - { type: Initialized, status: 'True', lastProbeTime: null, lastTransitionTime: '2025-01-01T00:00:00Z' }
  - { type: Ready, status: 'False', lastProbeTime: null, lastTransitionTime: '2025-01-01T00:00:00Z', reason: ContainersNotReady, message: 'containers with unready status: [nginx]' }
  - { type: ContainersReady, status: 'False', lastProbeTime: null, lastTransitionTime: '2025-01-01T00:00:00Z', reason: ContainersNotReady, message: 'containers with unready status: [nginx]' }
  - { type: PodScheduled, status: 'True', lastProbeTime: null, lastTransitionTime: '2025-01-01T00:00:00Z' }
containerStatuses:
  - name: nginx
    image: docker.io/library/nginx:latest
    imageID: ''
    ready: false
    started: false
    restartCount: 0
    lastState: {}
    state: { waiting: { reason: ContainerCreating } }
`,
    },
  },
  {
    name: 'pod-ready: init containers complete, containers run, four events per container in order, echo output logged',
    input: nginxCreating,
    want: {
      // kwok's jitter: uniform in [1000, 2000] ms; random() = 0.5 gives 1500.
      stage: 'pod-ready', delayMs: 1500,
      status: `
phase: Running
qosClass: BestEffort
startTime: '2025-01-01T00:00:00Z'
hostIP: 172.18.0.2
podIP: 10.244.0.5
podIPs: [{ ip: 10.244.0.5 }]
conditions:
  - { type: PodReadyToStartContainers, status: 'True', lastProbeTime: null, lastTransitionTime: '2025-01-01T00:00:01Z' }
  - { type: Initialized, status: 'True', lastProbeTime: null, lastTransitionTime: '2025-01-01T00:00:01Z' }
  - { type: Ready, status: 'True', lastProbeTime: null, lastTransitionTime: '2025-01-01T00:00:01Z' }
  - { type: ContainersReady, status: 'True', lastProbeTime: null, lastTransitionTime: '2025-01-01T00:00:01Z' }
  - { type: PodScheduled, status: 'True', lastProbeTime: null, lastTransitionTime: '2024-12-31T23:59:59Z' }
initContainerStatuses:
  - name: setup
    image: docker.io/library/busybox:latest
    imageID: docker.io/library/busybox@sha256:<sha256>
    containerID: kubelite://<sha256>
    ready: true
    started: false
    restartCount: 0
    lastState: {}
    state:
      terminated: { exitCode: 0, reason: Completed, startedAt: '2025-01-01T00:00:01Z', finishedAt: '2025-01-01T00:00:01Z', containerID: kubelite://<sha256> }
containerStatuses:
  - name: nginx
    image: docker.io/library/nginx:1.27
    imageID: docker.io/library/nginx@sha256:<sha256>
    containerID: kubelite://<sha256>
    ready: true
    started: true
    restartCount: 0
    lastState: {}
    state: { running: { startedAt: '2025-01-01T00:00:01Z' } }
`,
      events: `
- { type: Normal, reason: Pulling, message: 'Pulling image "busybox"', fieldPath: 'spec.initContainers{setup}' }
- { type: Normal, reason: Pulled, message: 'Successfully pulled image "busybox" in 1.5s (1.5s including waiting). Image size: <bytes> bytes.', fieldPath: 'spec.initContainers{setup}' }
- { type: Normal, reason: Created, message: 'Created container: setup', fieldPath: 'spec.initContainers{setup}' }
- { type: Normal, reason: Started, message: 'Started container setup', fieldPath: 'spec.initContainers{setup}' }
- { type: Normal, reason: Pulling, message: 'Pulling image "nginx:1.27"', fieldPath: 'spec.containers{nginx}' }
- { type: Normal, reason: Pulled, message: 'Successfully pulled image "nginx:1.27" in 1.5s (1.5s including waiting). Image size: <bytes> bytes.', fieldPath: 'spec.containers{nginx}' }
- { type: Normal, reason: Created, message: 'Created container: nginx', fieldPath: 'spec.containers{nginx}' }
- { type: Normal, reason: Started, message: 'Started container nginx', fieldPath: 'spec.containers{nginx}' }
`,
      logs: `
- { container: setup, lines: [setting up] }
- { container: nginx, lines: [hello from web] }
`,
    },
  },
  {
    name: 'pod-ready-update: a set readiness gate makes the pod Ready',
    input: runningPod('', '\n  readinessGates: [{ conditionType: example.com/lb }]')
      .replace(conditionsRunning('True'), conditionsRunning('False', `, reason: ReadinessGatesNotReady, message: 'corresponding condition of pod readiness gate "example.com/lb" does not exist.'`) +
        `\n    - { type: example.com/lb, status: 'True', lastProbeTime: null, lastTransitionTime: '2025-01-01T00:00:02Z' }`),
    at: 3000,
    want: {
      stage: 'pod-ready-update', delayMs: 0,
      status: `
phase: Running
qosClass: BestEffort
startTime: '2025-01-01T00:00:00Z'
hostIP: 172.18.0.2
podIP: 10.244.0.5
conditions:
  - { type: PodReadyToStartContainers, status: 'True', lastProbeTime: null, lastTransitionTime: '2025-01-01T00:00:01Z' }
  - { type: Initialized, status: 'True', lastProbeTime: null, lastTransitionTime: '2025-01-01T00:00:01Z' }
  - { type: Ready, status: 'True', lastProbeTime: null, lastTransitionTime: '2025-01-01T00:00:03Z' }
  - { type: ContainersReady, status: 'True', lastProbeTime: null, lastTransitionTime: '2025-01-01T00:00:01Z' }
  - { type: PodScheduled, status: 'True', lastProbeTime: null, lastTransitionTime: '2025-01-01T00:00:00Z' }
  - { type: example.com/lb, status: 'True', lastProbeTime: null, lastTransitionTime: '2025-01-01T00:00:02Z' }
containerStatuses:
  - name: nginx
    image: docker.io/library/nginx:latest
    imageID: docker.io/library/nginx@sha256:<sha256>
    containerID: kubelite://<sha256>
    ready: true
    started: true
    restartCount: 0
    lastState: {}
    state: { running: { startedAt: '2025-01-01T00:00:01Z' } }
`,
    },
  },
  {
    name: 'pod-complete: a Never pod annotated to exit 1 after 2 s fails',
    input: runningPod(`, annotations: { kubelite.dev/exit-code: '1', kubelite.dev/run-seconds: '2' }`, '\n  restartPolicy: Never'),
    at: 1000,
    want: {
      // startedAt 00:00:01 + 2 s run = 00:00:03, evaluated at 00:00:01.
      stage: 'pod-complete', delayMs: 2000,
      status: `
phase: Failed
qosClass: BestEffort
startTime: '2025-01-01T00:00:00Z'
hostIP: 172.18.0.2
podIP: 10.244.0.5
conditions:
  - { type: PodReadyToStartContainers, status: 'False', lastProbeTime: null, lastTransitionTime: '2025-01-01T00:00:03Z' }
  - { type: Initialized, status: 'True', lastProbeTime: null, lastTransitionTime: '2025-01-01T00:00:01Z' }
  - { type: Ready, status: 'False', lastProbeTime: null, lastTransitionTime: '2025-01-01T00:00:03Z', reason: ContainersNotReady, message: 'containers with unready status: [nginx]' }
  - { type: ContainersReady, status: 'False', lastProbeTime: null, lastTransitionTime: '2025-01-01T00:00:03Z', reason: ContainersNotReady, message: 'containers with unready status: [nginx]' }
  - { type: PodScheduled, status: 'True', lastProbeTime: null, lastTransitionTime: '2025-01-01T00:00:00Z' }
containerStatuses:
  - name: nginx
    image: docker.io/library/nginx:latest
    imageID: docker.io/library/nginx@sha256:<sha256>
    containerID: kubelite://<sha256>
    ready: false
    started: false
    restartCount: 0
    lastState: {}
    state:
      terminated: { exitCode: 1, reason: Error, startedAt: '2025-01-01T00:00:01Z', finishedAt: '2025-01-01T00:00:03Z', containerID: kubelite://<sha256> }
`,
    },
  },
  {
    name: 'pod-complete: restartPolicy Always pods never complete on their own',
    input: runningPod(`, annotations: { kubelite.dev/exit-code: '0' }`),
    at: 1000,
    want: { stage: '', delayMs: 0 },
  },
  {
    name: 'pod-delete: containers stop after 1 s (within 30 s of grace), the pod turns Succeeded and is deleted',
    input: runningPod(`, deletionTimestamp: '2025-01-01T00:00:40Z', deletionGracePeriodSeconds: 30`),
    at: 10_000,
    want: {
      stage: 'pod-delete', delayMs: 1000,
      status: `
phase: Succeeded
qosClass: BestEffort
startTime: '2025-01-01T00:00:00Z'
hostIP: 172.18.0.2
podIP: 10.244.0.5
conditions:
  - { type: PodReadyToStartContainers, status: 'False', lastProbeTime: null, lastTransitionTime: '2025-01-01T00:00:11Z' }
  - { type: Initialized, status: 'True', lastProbeTime: null, lastTransitionTime: '2025-01-01T00:00:01Z' }
  - { type: Ready, status: 'False', lastProbeTime: null, lastTransitionTime: '2025-01-01T00:00:11Z', reason: PodCompleted }
  - { type: ContainersReady, status: 'False', lastProbeTime: null, lastTransitionTime: '2025-01-01T00:00:11Z', reason: PodCompleted }
  - { type: PodScheduled, status: 'True', lastProbeTime: null, lastTransitionTime: '2025-01-01T00:00:00Z' }
containerStatuses:
  - name: nginx
    image: docker.io/library/nginx:latest
    imageID: docker.io/library/nginx@sha256:<sha256>
    containerID: kubelite://<sha256>
    ready: false
    started: false
    restartCount: 0
    lastState: {}
    state:
      terminated: { exitCode: 0, reason: Completed, startedAt: '2025-01-01T00:00:01Z', finishedAt: '2025-01-01T00:00:11Z', containerID: kubelite://<sha256> }
`,
      events: `
- { type: Normal, reason: Killing, message: 'Stopping container nginx', fieldPath: 'spec.containers{nginx}' }
`,
      delete: true,
    },
  },
  {
    name: 'pod-delete: a container slower to stop than the grace period is killed (137) at its end',
    input: runningPod(`, deletionTimestamp: '2025-01-01T00:00:12Z', deletionGracePeriodSeconds: 2, annotations: { kubelite.dev/termination-seconds: '60' }`),
    at: 10_000,
    want: { stage: 'pod-delete', delayMs: 2000, status: undefined, events: `
- { type: Normal, reason: Killing, message: 'Stopping container nginx', fieldPath: 'spec.containers{nginx}' }
`, delete: true },
  },
  {
    name: 'pod-delete-terminal: a finished pod being deleted is only deleted',
    input: runningPod(`, deletionTimestamp: '2025-01-01T00:00:40Z', deletionGracePeriodSeconds: 30, finalizers: [example.com/keep]`).replace('phase: Running', 'phase: Succeeded'),
    want: { stage: 'pod-delete-terminal', delayMs: 0, status: undefined, delete: true },
  },
];

describe('stage bundle stages/pod-default.yaml', () => {
  const engine = new StageEngine(loadStageBundle());

  for (const c of podDefault) {
    it(c.name, () => {
      if (c.want.stage === '') {
        const pod = parse(c.input) as KubeObject;
        assert.equal(engine.match(context(pod, T0 + (c.at ?? 0))), undefined);
        return;
      }
      check(engine, c);
    });
  }

  it('pod-ready with a readiness delay and gate: not ready, with kube\'s reasons, then ready at the delay\'s end', () => {
    const pod = parse(gatedCreating) as KubeObject;
    const ready = engine.match(context(pod, T0))!;
    const status = engine.plan(ready, context(pod, T0 + 1500)).status as any;
    assert.equal(status.containerStatuses[0].ready, false);
    const byType = Object.fromEntries(status.conditions.map((x: any) => [x.type, x]));
    assert.deepEqual([byType.ContainersReady.status, byType.ContainersReady.reason, byType.ContainersReady.message],
      ['False', 'ContainersNotReady', 'containers with unready status: [nginx]']);
    assert.deepEqual([byType.Ready.status, byType.Ready.reason], ['False', 'ContainersNotReady']);
    // The probe's delay runs from startedAt (00:00:01): pod-ready-update is due at 00:00:06.
    const running = { ...pod, status };
    const update = engine.match(context(running, T0 + 1500))!;
    assert.equal(update.metadata.name, 'pod-ready-update');
    assert.equal(engine.delay(update, context(running, T0 + 1500)), 4500);
    const after = engine.plan(update, context(running, T0 + 6000)).status as any;
    assert.equal(after.containerStatuses[0].ready, true);
    const ready2 = Object.fromEntries(after.conditions.map((x: any) => [x.type, x]));
    assert.equal(ready2.ContainersReady.status, 'True');
    assert.deepEqual([ready2.Ready.status, ready2.Ready.reason, ready2.Ready.message],
      ['False', 'ReadinessGatesNotReady', 'corresponding condition of pod readiness gate "example.com/lb" does not exist.']);
    assert.equal(engine.match(context({ ...pod, status: after }, T0 + 6000)), undefined, 'then nothing more until the gate is set');
  });

  it('pod-delete: a container killed at the end of the grace period exits 137 and fails the pod', () => {
    const c = podDefault.find((x) => x.name.includes('killed'))!;
    const pod = parse(c.input) as KubeObject;
    const stage = engine.match(context(pod, T0 + 10_000))!;
    const status = engine.plan(stage, context(pod, T0 + 12_000)).status as any;
    assert.equal(status.phase, 'Failed');
    assert.deepEqual(status.containerStatuses[0].state.terminated.exitCode, 137);
    assert.deepEqual(status.containerStatuses[0].state.terminated.reason, 'Error');
  });
});

/** A running pod whose container's script exits 1 at once, under restartPolicy Always. */
const crashingPod = (restartCount = 0, lastState = '{}') => `
metadata: { name: crash, namespace: default, uid: uid-crash }
spec:
  nodeName: node-a
  restartPolicy: Always
  containers:
    - { name: crash, image: 'busybox:1.36', imagePullPolicy: IfNotPresent, command: [sh, -c, 'echo boom; exit 1'] }
status:
  phase: Running
  qosClass: BestEffort
  startTime: '2025-01-01T00:00:00Z'
  hostIP: 172.18.0.2
  podIP: 10.244.0.5
  conditions:${conditionsRunning('True')}
  containerStatuses:
    - name: crash
      image: docker.io/library/busybox:1.36
      imageID: docker.io/library/busybox@sha256:<sha256>
      containerID: kubelite://<sha256>
      ready: true
      started: true
      restartCount: ${restartCount}
      lastState: ${lastState}
      state: { running: { startedAt: '2025-01-01T00:00:01Z' } }
`;

describe('stage bundle stages/pod-default.yaml: restarts', () => {
  const engine = new StageEngine(loadStageBundle());
  const withBackoff = (pod: KubeObject, at: number, backoff: RestartBackoff): PodContext => ({ ...context(pod, at), backoff });

  it('pod-containers-update: the first exit restarts at once (restartCount 1, lastState Error, image/Created/Started events, new log)', () => {
    const pod = parse(crashingPod()) as KubeObject;
    const ctx = withBackoff(pod, T0 + 1000, new RestartBackoff());
    const stage = engine.match(ctx)!;
    assert.equal(stage.metadata.name, 'pod-containers-update');
    assert.equal(engine.delay(stage, ctx), 0);
    const plan = engine.plan(stage, ctx);
    const cs = (plan.status as any).containerStatuses[0];
    assert.deepEqual(normalise(cs), parse(`
name: crash
image: docker.io/library/busybox:1.36
imageID: docker.io/library/busybox@sha256:<sha256>
containerID: kubelite://<sha256>
ready: true
started: true
restartCount: 1
lastState:
  terminated: { exitCode: 1, reason: Error, startedAt: '2025-01-01T00:00:01Z', finishedAt: '2025-01-01T00:00:01Z', containerID: kubelite://<sha256> }
state: { running: { startedAt: '2025-01-01T00:00:01Z' } }
`));
    assert.notEqual(cs.containerID, cs.lastState.terminated.containerID, 'a new container instance');
    assert.deepEqual(normalise(plan.events), parse(`
- { type: Normal, reason: Pulled, message: 'Container image "busybox:1.36" already present on machine', fieldPath: 'spec.containers{crash}' }
- { type: Normal, reason: Created, message: 'Created container: crash', fieldPath: 'spec.containers{crash}' }
- { type: Normal, reason: Started, message: 'Started container crash', fieldPath: 'spec.containers{crash}' }
`));
    assert.deepEqual(plan.logs, [{ container: 'crash', lines: ['boom'] }]);
  });

  it('pod-containers-update: a later exit backs off (CrashLoopBackOff, back-off 10s, BackOff event), then restarts when it is over', () => {
    const backoff = new RestartBackoff();
    backoff.next(backoffKey('uid-crash', 'crash'), T0, T0);
    const pod = parse(crashingPod(1, `{ terminated: { exitCode: 1, reason: Error, startedAt: '2025-01-01T00:00:00Z', finishedAt: '2025-01-01T00:00:00Z', containerID: kubelite://<sha256> } }`)) as KubeObject;
    const ctx = withBackoff(pod, T0 + 1000, backoff);
    const stage = engine.match(ctx)!;
    const plan = engine.plan(stage, ctx);
    const status = normalise(plan.status) as any;
    assert.deepEqual(status.containerStatuses[0], parse(`
name: crash
image: docker.io/library/busybox:1.36
imageID: docker.io/library/busybox@sha256:<sha256>
containerID: kubelite://<sha256>
ready: false
started: false
restartCount: 1
lastState:
  terminated: { exitCode: 1, reason: Error, startedAt: '2025-01-01T00:00:01Z', finishedAt: '2025-01-01T00:00:01Z', containerID: kubelite://<sha256> }
state:
  waiting: { reason: CrashLoopBackOff, message: 'back-off 10s restarting failed container=crash pod=crash_default(uid-crash)' }
`));
    const ready = status.conditions.find((c: any) => c.type === 'Ready');
    assert.deepEqual([ready.status, ready.reason, ready.message, ready.lastTransitionTime],
      ['False', 'ContainersNotReady', 'containers with unready status: [crash]', '2025-01-01T00:00:01Z']);
    assert.deepEqual(plan.events, [{ type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container crash in pod crash_default(uid-crash)', fieldPath: 'spec.containers{crash}' }]);
    assert.deepEqual(plan.logs, []);
    // Backing off: the restart is due 10 s after finishedAt (00:00:01), with restartCount 2.
    const waiting = { ...pod, status: plan.status } as KubeObject;
    const next = withBackoff(waiting, T0 + 2000, backoff);
    assert.equal(engine.match(next)?.metadata.name, 'pod-containers-update');
    assert.equal(engine.delay(engine.match(next)!, next), 9000);
    const restarted = engine.plan(engine.match(next)!, withBackoff(waiting, T0 + 11_000, backoff)).status as any;
    assert.equal(restarted.containerStatuses[0].restartCount, 2);
    assert.deepEqual(restarted.containerStatuses[0].state, { running: { startedAt: '2025-01-01T00:00:11Z' } });
    assert.equal(restarted.containerStatuses[0].lastState.terminated.finishedAt, '2025-01-01T00:00:01Z');
  });

  it('the back-off doubles to its cap and is forgotten after a run of twice the cap', () => {
    const b = new RestartBackoff(10_000, 300_000);
    const key = backoffKey('u', 'c');
    assert.equal(b.wait(key, T0), 0, 'the first restart is immediate');
    const waits: number[] = [];
    for (let i = 0, t = T0; i < 7; i++, t += 1000) {
      b.next(key, t, t);
      waits.push(b.wait(key, t + 500));
    }
    assert.deepEqual(waits, [10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
    assert.equal(b.wait(key, T0 + 6000 + 600_001), 0, 'ran more than 10 min since the last restart');
  });

  it('pod-init-failure: under Never a failing init container fails the pod; the app container never starts', () => {
    const pod = parse(nginxCreating.replace('restartPolicy: Always', 'restartPolicy: Never').replace('command: [sh, -c, echo setting up]', "command: [sh, -c, 'echo setting up; exit 3']")) as KubeObject;
    const start = engine.match(context(pod, T0))!;
    assert.equal(start.metadata.name, 'pod-init-failure');
    assert.equal(engine.delay(start, context(pod, T0), () => 0.5), 1500, 'the first start as pod-ready');
    const started = engine.plan(start, context(pod, T0 + 1500));
    assert.deepEqual(started.events.map((e) => e.reason), ['Pulling', 'Pulled', 'Created', 'Started']);
    assert.deepEqual(started.logs, [{ container: 'setup', lines: ['setting up'] }]);
    const s1 = started.status as any;
    assert.deepEqual([s1.phase, s1.podIP, s1.initContainerStatuses[0].state.running?.startedAt], ['Pending', '10.244.0.5', '2025-01-01T00:00:01Z']);
    const running = { ...pod, status: s1 } as KubeObject;
    const exit = engine.match(context(running, T0 + 1500))!;
    assert.equal(exit.metadata.name, 'pod-init-failure');
    assert.equal(engine.delay(exit, context(running, T0 + 1500)), 0, 'its script exits at once');
    const failed = engine.plan(exit, context(running, T0 + 1500)).status as any;
    assert.equal(failed.phase, 'Failed');
    assert.deepEqual(failed.initContainerStatuses[0].state.terminated.exitCode, 3);
    assert.deepEqual(failed.initContainerStatuses[0].state.terminated.reason, 'Error');
    assert.equal(failed.containerStatuses, undefined, 'app containers keep what pod-create reported (waiting: PodInitializing)');
    const init = failed.conditions.find((c: any) => c.type === 'Initialized');
    assert.deepEqual([init.status, init.reason, init.message], ['False', 'ContainersNotInitialized', 'containers with incomplete status: [setup]']);
    assert.equal(engine.match(context({ ...pod, status: failed } as KubeObject, T0 + 2000)), undefined, 'a failed pod stays failed');
  });
});

describe('stage bundle stages/pod-fast.yaml', () => {
  const engine = new StageEngine(loadStageBundle(`${stagesDir}pod-fast.yaml`));

  it('pod-ready: Pending → Running in one write, at once, without events', () => check(engine, {
    name: 'fast',
    input: nginxPending,
    want: {
      stage: 'pod-ready', delayMs: 0,
      status: `
phase: Running
qosClass: BestEffort
hostIP: 172.18.0.2
hostIPs: [{ ip: 172.18.0.2 }]
startTime: '2025-01-01T00:00:00Z'
podIP: 10.244.0.5
podIPs: [{ ip: 10.244.0.5 }]
conditions:
  - { type: PodReadyToStartContainers, status: 'True', lastProbeTime: null, lastTransitionTime: '2025-01-01T00:00:00Z' }
  - { type: Initialized, status: 'True', lastProbeTime: null, lastTransitionTime: '2025-01-01T00:00:00Z' }
  - { type: Ready, status: 'True', lastProbeTime: null, lastTransitionTime: '2025-01-01T00:00:00Z' }
  - { type: ContainersReady, status: 'True', lastProbeTime: null, lastTransitionTime: '2025-01-01T00:00:00Z' }
  - { type: PodScheduled, status: 'True', lastProbeTime: null, lastTransitionTime: '2025-01-01T00:00:00Z' }
containerStatuses:
  - name: nginx
    image: docker.io/library/nginx:latest
    imageID: docker.io/library/nginx@sha256:<sha256>
    containerID: kubelite://<sha256>
    ready: true
    started: true
    restartCount: 0
    lastState: {}
    state: { running: { startedAt: '2025-01-01T00:00:00Z' } }
`,
    },
  }));

  it('pod-delete: stops containers and deletes at once', () => {
    const pod = parse(runningPod(`, deletionTimestamp: '2025-01-01T00:00:40Z', deletionGracePeriodSeconds: 30`)) as KubeObject;
    const stage = engine.match(context(pod, T0 + 10_000))!;
    assert.equal(stage.metadata.name, 'pod-delete');
    assert.equal(engine.delay(stage, context(pod, T0 + 10_000)), 0);
    const plan = engine.plan(stage, context(pod, T0 + 10_000));
    assert.deepEqual([plan.delete, plan.events, (plan.status as any).phase], [true, [], 'Succeeded']);
  });
});

describe('stage bundles', () => {
  it('every bundle in stages/ loads', () => {
    const bundles = readdirSync(stagesDir).filter((f) => f.endsWith('.yaml'));
    assert.ok(bundles.includes('pod-default.yaml'));
    for (const f of bundles) assert.ok(loadStageBundle(`${stagesDir}${f}`).length > 0, f);
  });

  it('rejects bad bundles at load time', () => {
    const stage = (body: string) => `apiVersion: kubelite.dev/v1alpha1\nkind: Stage\nmetadata: { name: s }\nspec:\n  resourceRef: { kind: Pod }\n${body}`;
    assert.throws(() => parseStageBundle(stage('  selector: { matchExpressions: [{ key: .status.phase, operator: Equals, values: [x] }] }\n  next: {}')), /unknown operator "Equals"/);
    assert.throws(() => parseStageBundle(stage('  next: { statusTemplate: { phase: "{{ exitCode ( }}" } }')), /stage expression/);
    assert.throws(() => parseStageBundle(stage('  next: {}') + '\n---\n' + stage('  next: {}')), /defined twice/);
    assert.throws(() => parseStageBundle('apiVersion: v1\nkind: Pod\nmetadata: { name: x }'), /want apiVersion kubelite\.dev\/v1alpha1/);
  });
});

describe('stages: images already on the node', () => {
  const engine = new StageEngine(loadStageBundle());
  const creating = parse(`
metadata: { name: web, namespace: default, uid: uid-web }
spec:
  nodeName: node-a
  containers:
    - { name: web, image: 'nginx:1.26' }
    - { name: tools, image: busybox }
status: { phase: Pending, startTime: '2025-01-01T00:00:00Z' }
`) as KubeObject;
  const withImages = (images: string[], atMs: number): PodContext => ({ ...context(creating, atMs), imagePresent: (image) => images.includes(image) });

  it('an IfNotPresent image the node pulled before is "already present on machine"; a :latest one is pulled again', () => {
    const ctx = withImages(['nginx:1.26', 'busybox'], T0);
    const stage = engine.match(ctx)!;
    assert.equal(stage.metadata.name, 'pod-ready');
    const plan = engine.plan(stage, ctx);
    assert.deepEqual(plan.events.map((e) => `${e.reason} ${e.fieldPath}: ${e.message.replace(/ in .*/, '')}`), [
      'Pulled spec.containers{web}: Container image "nginx:1.26" already present on machine',
      'Created spec.containers{web}: Created container: web',
      'Started spec.containers{web}: Started container web',
      // busybox is :latest, imagePullPolicy Always: the registry is asked every time.
      'Pulling spec.containers{tools}: Pulling image "busybox"',
      'Pulled spec.containers{tools}: Successfully pulled image "busybox"',
      'Created spec.containers{tools}: Created container: tools',
      'Started spec.containers{tools}: Started container tools',
    ]);
    assert.equal(engine.delay(stage, ctx, () => 0.5), 1500, 'one container pulls: the pull\'s delay');
  });

  it('starts in a few hundred ms when every image is present', () => {
    const pod = { ...creating, spec: { ...creating.spec, containers: [creating.spec.containers[0]] } };
    const ctx = { ...withImages(['nginx:1.26'], T0), pod };
    const stage = engine.match(ctx)!;
    const delay = engine.delay(stage, ctx, () => 0.5);
    assert.ok(delay >= 100 && delay < 300, `delay ${delay}`);
    assert.deepEqual(engine.plan(stage, ctx).events.map((e) => e.reason), ['Pulled', 'Created', 'Started']);
    const fresh = engine.delay(stage, { ...ctx, imagePresent: () => false }, () => 0.5);
    assert.equal(fresh, 1500, 'a node without the image pulls it');
  });
});
