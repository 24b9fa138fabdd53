// The Pod row of `kubectl get pods`, as printers.go's printPod computes it: READY from
// container statuses, STATUS from phase/reason/container states, RESTARTS with "(5m ago)".
import type { KubeObject } from '../../api/types.ts';
import { humanDuration } from '../../api/duration.ts';
import type { TableColumn } from '../types.ts';
import { ageColumn, column, wideColumn } from './core-columns.ts';
import { arrayOf } from './podspec.ts';

interface PodSummary {
  ready: string;
  status: string;
  restarts: string;
}

const terminalPhases = new Set(['Succeeded', 'Failed']);

function isRestartableInit(initContainers: any[], name: string): boolean {
  return initContainers.find((c) => c?.name === name)?.restartPolicy === 'Always';
}

function conditionTrue(pod: KubeObject, type: string): boolean {
  return arrayOf(pod.status?.conditions).some((c) => c?.type === type && c?.status === 'True');
}

function laterOf(current: number, finishedAt: unknown): number {
  const t = typeof finishedAt === 'string' ? Date.parse(finishedAt) : NaN;
  return Number.isNaN(t) || t <= current ? current : t;
}

export function summarizePod(pod: KubeObject, now: number): PodSummary {
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  const initContainers = arrayOf(spec.initContainers);
  let restarts = 0;
  let sidecarRestarts = 0;
  let ready = 0;
  const total = arrayOf(spec.containers).length + initContainers.filter((c) => c?.restartPolicy === 'Always').length;
  let lastRestart = 0;
  let lastSidecarRestart = 0;
  let reason: string = status.reason || status.phase || '';
  if (arrayOf(status.conditions).some((c) => c?.type === 'PodScheduled' && c?.reason === 'SchedulingGated')) reason = 'SchedulingGated';

  let initializing = false;
  const initStatuses = arrayOf(status.initContainerStatuses);
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i] ?? {};
    const sidecar = isRestartableInit(initContainers, cs.name);
    restarts += cs.restartCount ?? 0;
    lastRestart = laterOf(lastRestart, cs.lastState?.terminated?.finishedAt);
    if (sidecar) {
      sidecarRestarts += cs.restartCount ?? 0;
      lastSidecarRestart = laterOf(lastSidecarRestart, cs.lastState?.terminated?.finishedAt);
    }
    const terminated = cs.state?.terminated;
    const waiting = cs.state?.waiting;
    if (terminated && (terminated.exitCode ?? 0) === 0) continue;
    if (sidecar && cs.started === true) {
      if (cs.ready) ready++;
      continue;
    }
    if (terminated) {
      if (!terminated.reason) reason = terminated.signal ? `Init:Signal:${terminated.signal}` : `Init:ExitCode:${terminated.exitCode ?? 0}`;
      else reason = `Init:${terminated.reason}`;
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${initContainers.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(pod, 'Initialized')) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = arrayOf(status.containerStatuses);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i] ?? {};
      restarts += cs.restartCount ?? 0;
      lastRestart = laterOf(lastRestart, cs.lastState?.terminated?.finishedAt);
      const { waiting, terminated, running } = cs.state ?? {};
      if (waiting?.reason) reason = waiting.reason;
      else if (terminated?.reason) reason = terminated.reason;
      else if (terminated) reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode ?? 0}`;
      else if (cs.ready && running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) reason = conditionTrue(pod, 'Ready') ? 'Running' : 'NotReady';
  }

  if (pod.metadata.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata.deletionTimestamp && !terminalPhases.has(status.phase)) reason = 'Terminating';

  const restartsCell = restarts !== 0 && lastRestart !== 0 ? `${restarts} (${humanDuration(now - lastRestart)} ago)` : String(restarts);
  return { ready: `${ready}/${total}`, status: reason, restarts: restartsCell };
}

function readinessGates(pod: KubeObject): string {
  const gates = arrayOf(pod.spec?.readinessGates);
  if (gates.length === 0) return '<none>';
  const conditions = arrayOf(pod.status?.conditions);
  const trueCount = gates.filter((g) => conditions.find((c) => c?.type === g?.conditionType)?.status === 'True').length;
  return `${trueCount}/${gates.length}`;
}

// Three cells come from one summary: computed once per object and table.
const summaries = new WeakMap<KubeObject, { now: number; summary: PodSummary }>();

function summaryOf(pod: KubeObject, now: number): PodSummary {
  const cached = summaries.get(pod);
  if (cached && cached.now === now) return cached.summary;
  const summary = summarizePod(pod, now);
  summaries.set(pod, { now, summary });
  return summary;
}

export const podColumns: TableColumn[] = [
  column('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.', (o, now) => summaryOf(o, now).ready),
  column('Status', 'string', 'The aggregate status of the containers in this pod.', (o, now) => summaryOf(o, now).status),
  column('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
    (o, now) => summaryOf(o, now).restarts),
  ageColumn,
  wideColumn('IP', 'string', 'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.',
    (o) => o.status?.podIPs?.[0]?.ip || '<none>'),
  wideColumn('Node', 'string', 'NodeName indicates in which node this pod is scheduled.', (o) => o.spec?.nodeName || '<none>'),
  wideColumn('Nominated Node', 'string', 'nominatedNodeName is set only when this pod preempts other pods on the node.',
    (o) => o.status?.nominatedNodeName || '<none>'),
  wideColumn('Readiness Gates', 'string', 'If specified, all readiness gates will be evaluated for pod readiness.', readinessGates),
];
