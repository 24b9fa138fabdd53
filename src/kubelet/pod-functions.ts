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
import { backoffKey, projectContainer, type ContainerProjection, type RestartBackoff } from './container-restarts.ts';
import { expandKubeVars, resolveContainerEnv, type EnvContainer, type EnvContext, type EnvSources } from './container-env.ts';
import { runScript, scriptOf, type ShellResult } from './shell.ts';

export { expandKubeVars } from './container-env.ts';

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
  /** The kubelet's container restart back-off; without one every restart is immediate. */
  backoff?: RestartBackoff;
  /** The node's allocatable resources (resourceFieldRef limits default to them). */
  nodeAllocatable?: Record<string, string>;
  /** The ConfigMaps and Secrets the pod's env refers to, as the kubelet read them. */
  envSources?: EnvSources;
  /** How the container runtime saw a container's current instance end on its own, if it did. */
  exits?: (container: string) => ContainerExit | undefined;
  /** The runtime runs the container's own command and will report its end: no timing from the script's dry run. */
  runtimeReportsExit?: (container: string) => boolean;
  /** Whether this node has pulled the image already (the kubelet remembers per node); without it, no node has. */
  imagePresent?: (image: string) => boolean;
}

/** A main process that ended by itself: its status and when (the runtime's word beats the script's dry run). */
export interface ContainerExit {
  exitCode: number;
  finishedAtMs: number;
}

const kubeletConditions = new Set(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);

type Container = EnvContainer & { image?: string; imagePullPolicy?: string; command?: string[]; args?: string[]; restartPolicy?: string; readinessProbe?: { initialDelaySeconds?: number } };

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

/** The container's environment as its process sees it (see container-env.ts); refs that cannot be resolved are left out. */
export function containerEnv(pod: KubeObject, c: Container, ctx: EnvContext = {}): Record<string, string> {
  const result = resolveContainerEnv(pod, c, ctx);
  return result.env ?? resolveContainerEnv(pod, c, { ...ctx, sources: undefined }).env!;
}

export function podHostname(pod: KubeObject): string {
  return pod.spec?.hostname ?? pod.metadata.name ?? '';
}

/** What the container's main process does, read from its command and args as a shell script. */
export function containerScript(pod: KubeObject, c: Container, ctx?: EnvContext): ShellResult {
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
    return containers.find((x) => x.name === name) ?? initContainers.find((x) => x.name === name) ?? ephemeral.find((x) => x.name === name);
  };
  const podIP = () => (pod.spec?.hostNetwork ? ctx.nodeIP : ctx.podIP());
  const isInit = (c: unknown) => initContainers.some((x) => x.name === nameOf(c));
  const pullsAlways = (c: unknown) => (find(c)?.imagePullPolicy ?? (/:latest$|^[^:@]*$/.test(find(c)?.image ?? '') ? 'Always' : 'IfNotPresent')) === 'Always';
  // IfNotPresent (or Never) and the node has it: no pull, as the kubelet's image manager decides.
  const imagePresent = (c: unknown) => !pullsAlways(c) && !!ctx.imagePresent?.(find(c)?.image ?? '');
  const ephemeral: Container[] = pod.spec?.ephemeralContainers ?? [];
  const startingEphemeral = () => ephemeral.filter((c) => !(pod.status?.ephemeralContainerStatuses ?? []).some((st: { name: string }) => st?.name === c.name));
  // Scripts are pure given the pod: run each once per evaluation.
  const scripts = new Map<string, ShellResult | undefined>();
  const script = (c: unknown) => {
    const name = nameOf(c);
    if (!scripts.has(name)) {
      const spec = find(c);
      scripts.set(name, spec ? containerScript(pod, spec, { nodeIP: ctx.nodeIP, nodeAllocatable: ctx.nodeAllocatable, sources: ctx.envSources }) : undefined);
    }
    return scripts.get(name);
  };
  const startedAt = (c: unknown): string => statusOf(pod, nameOf(c))?.state?.running?.startedAt ?? rfc3339(now);
  // The scripting annotations script the app containers; init containers go by their commands.
  const exited = (c: unknown): ContainerExit | undefined => ctx.exits?.(nameOf(c));
  const exitCode = (c: unknown): number => (isInit(c) ? undefined : numberAnnotation(pod, annotations.exitCode)) ?? exited(c)?.exitCode ?? script(c)?.exitCode ?? 0;
  const runSeconds = (c: unknown): number => {
    const fromAnnotation = isInit(c) ? undefined : numberAnnotation(pod, annotations.runSeconds);
    if (fromAnnotation !== undefined) return fromAnnotation;
    const exit = exited(c);
    if (exit) return Math.max(0, exit.finishedAtMs - Date.parse(startedAt(c))) / 1000;
    if (ctx.runtimeReportsExit?.(nameOf(c))) return Infinity;
    const s = script(c);
    if (!s || (!s.understood && s.seconds === Infinity)) return restartPolicy() === 'Always' && !isInit(c) ? Infinity : defaultRunSeconds;
    return s.seconds;
  };
  const restartPolicy = (): string => pod.spec?.restartPolicy ?? 'Always';
  const podRef = `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
  const containerIDOf = (c: unknown, restartCount: number) => `${runtimeName}://${sha256(`${pod.metadata.uid}/${nameOf(c)}/${restartCount}`)}`;
  /** The first init container (not a sidecar) whose command fails: the pod's init stops there. */
  const failingInit = (): Container | undefined => initContainers.find((c) => c.restartPolicy !== 'Always' && exitCode(c) !== 0);
  const projections = new Map<string, ContainerProjection>();
  /** The container after this sync (container-restarts.ts): started, exited, restarted or backing off. */
  const project = (c: unknown): ContainerProjection => {
    const name = nameOf(c);
    let p = projections.get(name);
    if (p) return p;
    const status = statusOf(pod, name);
    const failing = failingInit();
    const initIndex = initContainers.findIndex((x) => x.name === name);
    if (initIndex >= 0 && (!failing || initIndex < initContainers.indexOf(failing))) {
      // Init containers before the failing one ran to completion.
      const done = status?.state?.terminated
        ? { state: status.state, containerID: status.containerID }
        : { state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: rfc3339(now), finishedAt: rfc3339(now), containerID: containerIDOf(c, 0) } }, containerID: containerIDOf(c, 0) };
      p = { step: status?.state?.terminated ? 'none' : 'start', lastState: status?.lastState ?? {}, restartCount: status?.restartCount ?? 0, started: false, ...done };
    } else if (initIndex >= 0 && failing && initIndex > initContainers.indexOf(failing)) {
      p = { step: 'none', state: status?.state ?? {}, lastState: status?.lastState ?? {}, restartCount: status?.restartCount ?? 0, containerID: status?.containerID, started: false };
    } else {
      const code = exitCode(c);
      const policy = restartPolicy();
      p = projectContainer({
        name, status, runMs: runSeconds(c) * 1000, exitCode: code, podRef, now,
        // Init containers restart on failure under Always and OnFailure alike.
        restarts: policy === 'Always' ? !isInit(c) || code !== 0 : policy === 'OnFailure' && code !== 0,
        backoffWait: (finishedAt) => ctx.backoff?.wait(backoffKey(pod.metadata.uid!, name), finishedAt) ?? 0,
        containerID: (n) => containerIDOf(c, n),
      });
    }
    projections.set(name, p);
    return p;
  };
  const stepping = (list: Container[], step: string) => list.filter((c) => project(c).step === step);
  const earliest = (times: (number | undefined)[]): string | undefined => {
    const t = Math.min(...times.filter((x): x is number => x !== undefined));
    return Number.isFinite(t) ? new Date(t).toISOString() : undefined;
  };
  const dueAt = (c: Container, startCounts = true): number | undefined => {
    const p = project(c);
    if (p.step === 'none') return p.dueAt;
    return p.step === 'start' && !startCounts ? undefined : now.getTime();
  };
  const readyDelaySeconds = (c: unknown): number =>
    numberAnnotation(pod, annotations.readyAfterSeconds) ?? find(c)?.readinessProbe?.initialDelaySeconds ?? 0;
  const containerReady = (c: unknown): boolean => {
    const running = project(c).state.running as { startedAt: string } | undefined;
    return Boolean(running) && now.getTime() >= Date.parse(running!.startedAt) + readyDelaySeconds(c) * 1000;
  };
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
  const readyAtTime = () => rfc3339(new Date(Math.max(now.getTime(), ...containers.map((c) => Date.parse(startedAt(c)) + readyDelaySeconds(c) * 1000))));
  const readyStaleNow = () => {
    const statuses: any[] = pod.status?.containerStatuses ?? [];
    const willBeReady = statuses.some((s) => s?.state?.running && s.ready !== true);
    const readyCondition = (pod.status?.conditions ?? []).find((x: any) => x?.type === 'Ready')?.status;
    return willBeReady || readyCondition !== podReady();
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
    containerID: (c) => containerIDOf(c, statusOf(pod, nameOf(c))?.restartCount ?? 0),
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
    readyAt: readyAtTime,
    /** The readiness the status reports differs from what it will be: a container or gate changed. */
    readyStale: readyStaleNow,
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
    // ---- restarts (stage pod-containers-update, pod-init-failure) ----
    podRef: () => podRef,
    /** When a container of a running pod next exits or restarts (or one is due now); undefined when none will. */
    containerTransitionAt: () => earliest(containers.map((c) => dueAt(c))),
    /** The earlier of containerTransitionAt and a pending readiness change. */
    nextUpdateAt: () => earliest([...containers.map((c) => dueAt(c)), readyStaleNow() ? Date.parse(readyAtTime()) : undefined]),
    /** An init container's command fails: the pod cannot initialize. */
    initFailing: () => failingInit() !== undefined,
    /** When the failing init container next changes; undefined for its first start (the stage's own delay applies). */
    initTransitionAt: () => {
      const failing = failingInit();
      return failing ? earliest([dueAt(failing, false)]) : undefined;
    },
    /** Failed once the failing init container exited for good (restartPolicy Never); else Pending. */
    initPhase: () => {
      const failing = failingInit();
      return failing && project(failing).state.terminated ? 'Failed' : 'Pending';
    },
    /** Containers this sync starts: while an init container fails, app containers wait. */
    startingContainers: () => stepping(failingInit() ? initContainers : [...initContainers, ...containers], 'start'),
    restartingContainers: () => stepping([...initContainers, ...containers], 'restart'),
    backingOffContainers: () => stepping([...initContainers, ...containers], 'backoff'),
    nextState: (c) => project(c).state,
    nextLastState: (c) => project(c).lastState,
    nextRestartCount: (c) => project(c).restartCount,
    nextContainerID: (c) => project(c).containerID,
    nextStarted: (c) => project(c).started,
    nextReady: (c) => (isInit(c) ? (project(c).state.terminated as { exitCode?: number } | undefined)?.exitCode === 0 : containerReady(c)),
    /** imagePullPolicy Always (the default for :latest): every start pulls. */
    pullsAlways,
    /** The container's image is on the node and its policy does not ask the registry: "already present on machine". */
    imagePresent,
    /**
     * When every container's image is present: the few hundred ms containerd takes to create
     * and start them (stable per image), instead of a pull's delay; nothing when one pulls.
     */
    presentImagesStartAfter: () => {
      const all = [...initContainers, ...containers];
      if (!all.length || !all.every(imagePresent)) return undefined;
      return Math.max(...all.map((c) => 100 + (imageSize(c.image ?? '') % 200)));
    },
    /** A re-pull of an image the node has: quick, and stable per image. */
    repullDuration: (c) => goDuration(200 + (imageSize(find(c)?.image ?? String(c)) % 800)),
    /** Init containers from the failing one on, for the Initialized condition's message. */
    names: (list) => (Array.isArray(list) ? list.map(nameOf).join(' ') : ''),
    incompleteInitContainers: () => {
      const failing = failingInit();
      return failing ? initContainers.slice(initContainers.indexOf(failing)) : initContainers;
    },
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
    /** Ephemeral containers (`kubectl debug`) the pod spec has and its status does not yet: the kubelet starts them. */
    startingEphemeralContainers: () => startingEphemeral(),
    hasStartingEphemeralContainers: () => startingEphemeral().length > 0,
    /** Every ephemeral container's status after starting the new ones (they run until they exit; they never restart). */
    ephemeralStatuses: () => ephemeral.map((c) => (pod.status?.ephemeralContainerStatuses ?? []).find((st: { name: string }) => st?.name === c.name) ?? {
      name: c.name, image: normalizeImage(c.image ?? ''), imageID: imageID(c.image ?? ''), containerID: containerIDOf(c, 0),
      ready: false, restartCount: 0, lastState: {}, state: { running: { startedAt: rfc3339(now) } },
    }),
    ephemeralFieldPath: (c) => `spec.ephemeralContainers{${nameOf(c)}}`,
    foreignConditions: () => (pod.status?.conditions ?? []).filter((x: any) => !kubeletConditions.has(x?.type)),
    cond: (c, a, b) => (truthyValue(c) ? a : b),
    len: (x) => (Array.isArray(x) ? x.length : typeof x === 'string' ? x.length : 0),
  };
}

function truthyValue(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  return v !== undefined && v !== null && v !== false && v !== '' && v !== 0 && v !== 'false';
}
