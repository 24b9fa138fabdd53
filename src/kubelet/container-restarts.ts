// Containers that exit and are restarted, as the kubelet's kuberuntime manager does it: a
// container whose process ended restarts when the pod's restartPolicy says so (Always, or
// OnFailure after a non-zero exit); the first restart is immediate, later ones wait in
// CrashLoopBackOff for the kubelet's back-off (flowcontrol.Backoff: 10 s doubling to 5 min,
// forgotten once a container ran 10 min). Each sync takes a container one step.

/** The kubelet's per-container restart back-off (kubelet.go: backOffPeriod 10 s, MaxContainerBackOff 300 s, no jitter). */
export class RestartBackoff {
  private readonly entries = new Map<string, { backoffMs: number; lastUpdate: number }>();

  constructor(readonly initialMs = 10_000, readonly maxMs = 300_000) {}

  /**
   * How long after `finishedAt` a container that exited then waits before its restart
   * (Backoff.IsInBackOffSince); 0 when it is not in back-off: no restart yet, or the last one
   * is more than twice the maximum back-off ago.
   */
  wait(key: string, finishedAt: number): number {
    const entry = this.entries.get(key);
    if (!entry || finishedAt - entry.lastUpdate > 2 * this.maxMs) return 0;
    return entry.backoffMs;
  }

  /** Backoff.Next: a restart of a container that exited at `finishedAt` happened at `now`. */
  next(key: string, finishedAt: number, now = Date.now()): void {
    const entry = this.entries.get(key);
    const backoffMs = !entry || finishedAt - entry.lastUpdate > 2 * this.maxMs ? this.initialMs : Math.min(entry.backoffMs * 2, this.maxMs);
    this.entries.set(key, { backoffMs, lastUpdate: now });
  }

  /** The pod is gone: its containers' back-off goes with it. */
  forgetPod(podUID: string): void {
    for (const key of this.entries.keys()) if (key.startsWith(`${podUID}/`)) this.entries.delete(key);
  }
}

export function backoffKey(podUID: string, container: string): string {
  return `${podUID}/${container}`;
}

/** What one sync does to a container: nothing yet, start it, its process ended (no restart), restart it, or back off. */
export type ContainerStep = 'none' | 'start' | 'exit' | 'restart' | 'backoff';

export interface ContainerFacts {
  name: string;
  /** The container's current status in the pod, if any. */
  status: any;
  /** How long the container's process runs (Infinity when it does not end). */
  runMs: number;
  exitCode: number;
  /** The pod's restartPolicy restarts a container that exits with exitCode. */
  restarts: boolean;
  /** See RestartBackoff.wait. */
  backoffWait: (finishedAt: number) => number;
  /** The container's ID for the instance counted by restartCount. */
  containerID: (restartCount: number) => string;
  /** `<pod>_<namespace>(<uid>)`, as the kubelet's format.Pod names pods in messages. */
  podRef: string;
  now: Date;
}

export interface ContainerProjection {
  step: ContainerStep;
  /** When the next step is due, for a container whose step is `none` and that will change (ms). */
  dueAt?: number;
  state: Record<string, unknown>;
  lastState: Record<string, unknown>;
  restartCount: number;
  containerID?: string;
  started: boolean;
}

const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The container after one sync at `now`. */
export function projectContainer(f: ContainerFacts): ContainerProjection {
  const s = f.status ?? {};
  const restartCount: number = s.restartCount ?? 0;
  const lastState = s.lastState ?? {};
  const now = f.now.getTime();
  const { running, waiting, terminated } = s.state ?? {};
  const unchanged = (dueAt?: number): ContainerProjection =>
    ({ step: 'none', dueAt, state: s.state ?? {}, lastState, restartCount, containerID: s.containerID, started: s.started ?? Boolean(running) });
  const restart = (previous: Record<string, unknown>): ContainerProjection => ({
    step: 'restart', state: { running: { startedAt: rfc3339(now) } }, lastState: previous,
    restartCount: restartCount + 1, containerID: f.containerID(restartCount + 1), started: true,
  });

  if (running) {
    const exitAt = Date.parse(running.startedAt) + f.runMs;
    if (!(exitAt <= now)) return unchanged(Number.isFinite(exitAt) ? exitAt : undefined);
    // Times in container statuses are to the second; the back-off counts from what is reported.
    const finishedAt = rfc3339(exitAt);
    const containerID = s.containerID ?? f.containerID(restartCount);
    const ended = { exitCode: f.exitCode, reason: f.exitCode === 0 ? 'Completed' : 'Error', startedAt: running.startedAt, finishedAt, containerID };
    if (!f.restarts) return { step: 'exit', state: { terminated: ended }, lastState, restartCount, containerID, started: false };
    const wait = f.backoffWait(Date.parse(finishedAt));
    if (wait <= 0) return restart({ terminated: ended });
    return {
      step: 'backoff', lastState: { terminated: ended }, restartCount, containerID, started: false,
      state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${goDuration(wait)} restarting failed container=${f.name} pod=${f.podRef}` } },
    };
  }
  if (waiting?.reason === 'CrashLoopBackOff' && lastState.terminated?.finishedAt) {
    const finishedAt = Date.parse(lastState.terminated.finishedAt);
    const restartAt = finishedAt + f.backoffWait(finishedAt);
    return restartAt <= now ? restart(lastState) : unchanged(restartAt);
  }
  if (terminated) return unchanged();
  return { step: 'start', state: { running: { startedAt: rfc3339(now) } }, lastState, restartCount, containerID: f.containerID(restartCount), started: true };
}

/** time.Duration.String(): 500ms, 10s, 1m20s, 5m0s. */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const totalSeconds = ms / 1000;
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = Number((totalSeconds % 60).toFixed(3)).toString();
  if (hours) return `${hours}h${minutes}m${seconds}s`;
  if (minutes) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}
