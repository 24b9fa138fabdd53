// The functions stage templates may call for a pod: what a real kubelet knows from the
// container runtime (IDs, start times, exit codes, image digests) made up deterministically
// from the pod, plus kubelite's scripting annotations:
//   kubelite.dev/exit-code           every container's exit code (else `exit N` in its script, else 0)
//   kubelite.dev/run-seconds         how long containers run before exiting (else their script's sleeps)
//   kubelite.dev/ready-after-seconds when containers turn ready after start (else readinessProbe.initialDelaySeconds)
//   kubelite.dev/termination-seconds how long containers take to stop on delete (bounded by the grace period)
import { createHash } from 'node:crypto';
import type { KubeObject } from '../api/types.ts';
import type { ExprFunction } from './expression.ts';
import { runScript, scriptOf, type ShellResult } from './shell.ts';

export const annotations = {
  exitCode: 'kubelite.dev/exit-code',
  runSeconds: 'kubelite.dev/run-seconds',
  readyAfterSeconds: 'kubelite.dev/ready-after-seconds',
  terminationSeconds: 'kubelite.dev/termination-seconds',
} as const;

/** Containers without a recognisable script that must finish (restartPolicy Never/OnFailure) run this long. */
const defaultRunSeconds = 1;
const defaultTerminationSeconds = 1;

/** The simulated runtime's name, as containerIDs and nodeInfo.containerRuntimeVersion carry it. */
export const runtimeName = 'kubelite';

export interface PodContext {
  pod: KubeObject;
  nodeName: string;
  nodeIP: string;
  /** The pod's IP, allocated from the node's podCIDR on first use. */
  podIP: () => string;
  now: Date;
}

const kubeletConditions = new Set(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);

type Container = { name: string; image?: string; command?: string[]; args?: string[]; env?: { name: string; value?: string }[]; readinessProbe?: { initialDelaySeconds?: number } };

export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A time.Duration as Go prints it, to the millisecond: 1.203s, 532ms. */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  return `${(ms / 1000).toFixed(3).replace(/\.?0+$/, '')}s`;
}

/** `nginx` → `docker.io/library/nginx:latest`, as containerd reports image references. */
export function normalizeImage(image: string): string {
  let ref = image;
  const first = ref.split('/')[0];
  if (!ref.includes('/')) ref = `docker.io/library/${ref}`;
  else if (!first.includes('.') && !first.includes(':') && first !== 'localhost') ref = `docker.io/${ref}`;
  const lastPart = ref.split('/').pop()!;
  if (!lastPart.includes(':') && !ref.includes('@')) ref += ':latest';
  return ref;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export function imageID(image: string): string {
  const ref = normalizeImage(image);
  if (ref.includes('@')) return ref;
  return `${ref.replace(/:[^:/]+$/, '')}@sha256:${sha256(ref)}`;
}

/** A stable, plausible compressed size (5–150 MB) per image. */
export function imageSize(image: string): number {
  return 5_000_000 + (parseInt(sha256(`size:${normalizeImage(image)}`).slice(0, 8), 16) % 145_000_000);
}

/** The container's environment as its process sees it: defaults, then spec.env with $(VAR) expansion and fieldRefs. */
export function containerEnv(pod: KubeObject, c: Container, extra: { podIP?: string; nodeIP?: string } = {}): Record<string, string> {
  const env: Record<string, string> = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOSTNAME: podHostname(pod) };
  const fieldRefs: Record<string, string | undefined> = {
    'metadata.name': pod.metadata.name, 'metadata.namespace': pod.metadata.namespace, 'metadata.uid': pod.metadata.uid,
    'spec.nodeName': pod.spec?.nodeName, 'spec.serviceAccountName': pod.spec?.serviceAccountName,
    'status.podIP': extra.podIP ?? pod.status?.podIP, 'status.hostIP': extra.nodeIP ?? pod.status?.hostIP,
  };
  for (const e of (c.env ?? []) as { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath?: string } } }[]) {
    if (e.value !== undefined) env[e.name] = expandKubeVars(e.value, env);
    else if (e.valueFrom?.fieldRef?.fieldPath) env[e.name] = fieldRefs[e.valueFrom.fieldRef.fieldPath] ?? '';
  }
  env.HOME ??= '/root';
  return env;
}

/** Kubernetes' $(VAR) expansion in env values, command and args; $$ escapes. */
export function expandKubeVars(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name?: string) => (m === '$$' ? '$' : env[name!] ?? m));
}

export function podHostname(pod: KubeObject): string {
  return pod.spec?.hostname ?? pod.metadata.name ?? '';
}

/** What the container's main process does, read from its command and args as a shell script. */
export function containerScript(pod: KubeObject, c: Container, ctx?: { podIP?: string; nodeIP?: string }): ShellResult {
  const env = containerEnv(pod, c, ctx);
  const argv = [...(c.command ?? []), ...(c.args ?? [])].map((a) => expandKubeVars(a, env));
  if (!argv.length) return { stdout: '', stderr: '', exitCode: 0, seconds: Infinity, understood: false };
  const result = runScript(scriptOf(argv), { env, hostname: podHostname(pod), files: {} });
  // A program we cannot simulate (nginx, perl, ...) keeps running until it is stopped.
  if (!result.understood) return { ...result, stderr: '', exitCode: 0, seconds: Infinity };
  return result;
}

function annotation(pod: KubeObject, key: string): string | undefined {
  return pod.metadata.annotations?.[key];
}

function numberAnnotation(pod: KubeObject, key: string): number | undefined {
  const value = annotation(pod, key);
  const n = value === undefined || value.trim() === '' ? NaN : Number(value);
  return Number.isFinite(n) ? n : undefined;
}

function statusOf(pod: KubeObject, name: string): any {
  const all = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])];
  return all.find((s: any) => s?.name === name);
}

const nameOf = (c: unknown): string => (typeof c === 'string' ? c : (c as Container | undefined)?.name ?? '');

/** Builds the function table for one pod at one instant. */
export function podFunctions(ctx: PodContext): Record<string, ExprFunction> {
  const { pod, now } = ctx;
  const containers: Container[] = pod.spec?.containers ?? [];
  const initContainers: Container[] = pod.spec?.initContainers ?? [];
  const find = (c: unknown): Container | undefined => {
    const name = nameOf(c);
    return containers.find((x) => x.name === name) ?? initContainers.find((x) => x.name === name);
  };
  const podIP = () => (pod.spec?.hostNetwork ? ctx.nodeIP : ctx.podIP());
  const script = (c: unknown) => {
    const spec = find(c);
    return spec ? containerScript(pod, spec, { nodeIP: ctx.nodeIP }) : undefined;
  };
  const startedAt = (c: unknown): string => statusOf(pod, nameOf(c))?.state?.running?.startedAt ?? rfc3339(now);
  const exitCode = (c: unknown): number => numberAnnotation(pod, annotations.exitCode) ?? script(c)?.exitCode ?? 0;
  const runSeconds = (c: unknown): number => {
    const fromAnnotation = numberAnnotation(pod, annotations.runSeconds);
    if (fromAnnotation !== undefined) return fromAnnotation;
    const s = script(c);
    if (!s || (!s.understood && s.seconds === Infinity)) return restartPolicy() === 'Always' ? Infinity : defaultRunSeconds;
    return s.seconds;
  };
  const restartPolicy = (): string => pod.spec?.restartPolicy ?? 'Always';
  const readyDelaySeconds = (c: unknown): number =>
    numberAnnotation(pod, annotations.readyAfterSeconds) ?? find(c)?.readinessProbe?.initialDelaySeconds ?? 0;
  const containerReady = (c: unknown): boolean => now.getTime() >= Date.parse(startedAt(c)) + readyDelaySeconds(c) * 1000;
  const unready = () => containers.filter((c) => !containerReady(c)).map((c) => c.name);
  const gates = (): { type: string; status?: string }[] =>
    (pod.spec?.readinessGates ?? []).map((g: { conditionType: string }) => ({
      type: g.conditionType, status: (pod.status?.conditions ?? []).find((x: any) => x?.type === g.conditionType)?.status,
    }));
  const podReady = (): string => (unready().length === 0 && gates().every((g) => g.status === 'True') ? 'True' : 'False');
  const readyReason = (): string | undefined => {
    if (unready().length) return 'ContainersNotReady';
    return gates().some((g) => g.status !== 'True') ? 'ReadinessGatesNotReady' : undefined;
  };
  const readyMessage = (): string | undefined => {
    const names = unready();
    if (names.length) return `containers with unready status: [${names.join(' ')}]`;
    const missing = gates().filter((g) => g.status === undefined).map((g) => `corresponding condition of pod readiness gate "${g.type}" does not exist.`);
    const notTrue = gates().filter((g) => g.status !== undefined && g.status !== 'True').map((g) => `the status of pod readiness gate "${g.type}" is not "True", but ${g.status}`);
    return [...missing, ...notTrue].join(', ') || undefined;
  };
  const terminalPhase = () => (containers.every((c) => exitCode(c) === 0) ? 'Succeeded' : 'Failed');
  const deletionRequestedAt = (): number => Date.parse(pod.metadata.deletionTimestamp ?? '') - (pod.metadata.deletionGracePeriodSeconds ?? 0) * 1000;
  const terminationSeconds = () => numberAnnotation(pod, annotations.terminationSeconds) ?? defaultTerminationSeconds;
  const killedOnDelete = () => terminationSeconds() >= (pod.metadata.deletionGracePeriodSeconds ?? 0);

  return {
    now: () => rfc3339(now),
    nodeName: () => ctx.nodeName,
    nodeIP: () => ctx.nodeIP,
    podIP,
    containers: () => containers,
    initContainers: () => initContainers,
    allContainers: () => [...initContainers, ...containers],
    fieldPath: (c) => `spec.${initContainers.some((x) => x.name === nameOf(c)) ? 'initContainers' : 'containers'}{${nameOf(c)}}`,
    image: (c) => normalizeImage(find(c)?.image ?? String(c)),
    imageID: (c) => imageID(find(c)?.image ?? String(c)),
    imageSize: (c) => imageSize(find(c)?.image ?? String(c)),
    containerID: (c) => `${runtimeName}://${sha256(`${pod.metadata.uid}/${nameOf(c)}/${statusOf(pod, nameOf(c))?.restartCount ?? 0}`)}`,
    /** How long the pull took: since the pod started (startTime), as the kubelet's image manager reports. */
    pullDuration: () => goDuration(now.getTime() - Date.parse(pod.status?.startTime ?? rfc3339(now))),
    startedAt,
    restartCount: (c) => statusOf(pod, nameOf(c))?.restartCount ?? 0,
    stdoutLines: (c) => {
      const out = script(c)?.stdout ?? '';
      return out ? out.replace(/\n$/, '').split('\n') : [];
    },
    exitCode,
    exitReason: (c) => (exitCode(c) === 0 ? 'Completed' : 'Error'),
    terminalPhase,
    completedReason: () => (terminalPhase() === 'Succeeded' ? 'PodCompleted' : 'ContainersNotReady'),
    completedMessage: () => (terminalPhase() === 'Succeeded' ? undefined : `containers with unready status: [${containers.map((c) => c.name).join(' ')}]`),
    /** When every container has exited; undefined when one runs forever. */
    completeAt: () => {
      const ends = containers.map((c) => Date.parse(startedAt(c)) + runSeconds(c) * 1000);
      const last = Math.max(...ends);
      return Number.isFinite(last) ? rfc3339(new Date(last)) : undefined;
    },
    /** Restart policy Never, or OnFailure with every container exiting 0, and a finite run. */
    runsToCompletion: () => {
      const policy = restartPolicy();
      const finite = containers.every((c) => Number.isFinite(runSeconds(c)));
      if (!finite) return false;
      return policy === 'Never' || (policy === 'OnFailure' && containers.every((c) => exitCode(c) === 0));
    },
    containerReady,
    readyAt: () => rfc3339(new Date(Math.max(now.getTime(), ...containers.map((c) => Date.parse(startedAt(c)) + readyDelaySeconds(c) * 1000)))),
    /** The readiness the status reports differs from what it will be: a container or gate changed. */
    readyStale: () => {
      const statuses: any[] = pod.status?.containerStatuses ?? [];
      const willBeReady = statuses.some((s) => s?.state?.running && s.ready !== true);
      const readyCondition = (pod.status?.conditions ?? []).find((x: any) => x?.type === 'Ready')?.status;
      return willBeReady || readyCondition !== podReady();
    },
    podReady,
    podReadyReason: readyReason,
    podReadyMessage: readyMessage,
    containersReady: () => (unready().length === 0 ? 'True' : 'False'),
    containersReadyReason: () => (unready().length ? 'ContainersNotReady' : undefined),
    containersReadyMessage: () => (unready().length ? `containers with unready status: [${unready().join(' ')}]` : undefined),
    /** lastTransitionTime: kept while the condition's status stays the same, else now. */
    conditionTime: (type, status) => {
      const old = (pod.status?.conditions ?? []).find((x: any) => x?.type === type);
      return old && old.status === status && old.lastTransitionTime ? old.lastTransitionTime : rfc3339(now);
    },
    /** When containers have stopped after a delete: their stop time, never past the grace period. */
    terminateAt: () => {
      const end = Math.min(Date.parse(pod.metadata.deletionTimestamp ?? ''), deletionRequestedAt() + terminationSeconds() * 1000);
      return Number.isFinite(end) ? new Date(end).toISOString() : rfc3339(now);
    },
    /** Exit code of a container stopped by a delete: 137 (SIGKILL) when it outlived the grace period. */
    terminationExitCode: () => (killedOnDelete() ? 137 : 0),
    terminationReason: () => (killedOnDelete() ? 'Error' : 'Completed'),
    terminationPhase: () => (killedOnDelete() ? 'Failed' : 'Succeeded'),
    isRunning: (c) => Boolean(statusOf(pod, nameOf(c))?.state?.running),
    annotation: (key) => annotation(pod, String(key)),
    label: (key) => pod.metadata.labels?.[String(key)],
    default: (value, fallback) => (value === undefined || value === null || value === '' ? fallback : value),
    eq: (a, b) => String(a) === String(b),
    ne: (a, b) => String(a) !== String(b),
    not: (a) => !truthyValue(a),
    and: (...xs) => xs.every(truthyValue),
    or: (...xs) => xs.some(truthyValue),
    notStartedMessage: () => `containers with unready status: [${containers.map((c) => c.name).join(' ')}]`,
    incompleteInitMessage: () => `containers with incomplete status: [${initContainers.map((c) => c.name).join(' ')}]`,
    /** Conditions the kubelet does not own (readiness gates, DisruptionTarget): kept as they are. */
    foreignConditions: () => (pod.status?.conditions ?? []).filter((x: any) => !kubeletConditions.has(x?.type)),
    cond: (c, a, b) => (truthyValue(c) ? a : b),
    len: (x) => (Array.isArray(x) ? x.length : typeof x === 'string' ? x.length : 0),
  };
}

function truthyValue(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  return v !== undefined && v !== null && v !== false && v !== '' && v !== 0 && v !== 'false';
}
