// The pod side of the simulated kubelets: one informer over bound pods (indexed by node, so
// one watch serves a thousand nodes), a work queue of pod keys, and per pod the stage it is
// waiting for. A reconcile finds the pod's first matching stage; if it is new, it is due after
// the stage's delay; once due, the plan is applied: log lines, events, status (a PUT on
// pods/status against the version that matched, so a stale match is a conflict, not a
// regression), finalizers, delete. The write's own watch event brings the next stage.
import type { Logger } from 'pino';
import type { KubeObject } from '../api/types.ts';
import { podClaimNames } from '../api/volumes.ts';
import { isConflict, isNotFound, objectKey, resources, retryReporter, runWorkers, SharedInformer, WorkQueue, type ApiClient, type ReconcileResult } from '../client/index.ts';
import { backoffKey, type RestartBackoff } from './container-restarts.ts';
import { envReferences, type EnvSources } from './container-env.ts';
import type { ConfigReader } from './config-objects.ts';
import { KubeletEvents } from './events.ts';
import type { LogStore } from './logs.ts';
import type { PodIPAllocator } from './pod-ip.ts';
import type { ContainerExit, PodContext } from './pod-functions.ts';
import type { StageEngine, StagePlan } from './stage-engine.ts';
import type { Stage } from './stage-types.ts';

export interface SimulatedNode {
  name: string;
  internalIP: string;
  podCIDR: string;
  ips: PodIPAllocator;
  /** Node allocatable (cpu, memory, ephemeral-storage): what resourceFieldRef limits default to. */
  allocatable?: Record<string, string>;
}

export interface PodControllerOptions {
  client: ApiClient;
  engine: StageEngine;
  nodes: Map<string, SimulatedNode>;
  logs: LogStore;
  log: Logger;
  /** Concurrent reconciles (default 32). */
  workers?: number;
  /** The containers' restart back-off, shared by this process's nodes as one kubelet's is by its pods. */
  backoff: RestartBackoff;
  /** ConfigMaps and Secrets the pods' env refers to, as the kubelet's watch-based managers keep them. */
  config: ConfigReader;
  /** The container runtime, told of every pod change as the kubelet's pod workers tell CRI. */
  runtime?: PodRuntimeHooks;
}

/** What the pod controller asks of the container runtime (src/kubelet/runtime/). */
export interface PodRuntimeHooks {
  /** Start the main processes of containers the pod shows running; stop those it shows stopped. */
  sync(pod: KubeObject): void;
  /** The pod is gone. */
  remove(pod: KubeObject): void;
  /** The runtime runs this container's program (its output is the log; the stage's log lines are not). */
  runs(pod: KubeObject, container: string): boolean;
  /** The runtime reports this container's exit (its own command runs): the stage engine waits for it rather than timing the script. */
  reportsExit(pod: KubeObject, container: string): boolean;
  /** Tells `listener` of each main process that ends by itself (not stopped by the kubelet). */
  onExit(listener: (pod: KubeObject, container: string, containerID: string, exitCode: number, at: Date) => void): void;
}

interface Pending {
  uid: string;
  stage: string;
  dueAt: number;
  /** The stage's events were recorded already (a retried status write must not repeat them). */
  eventsRecorded?: boolean;
}

export const nodeNameIndex = 'spec.nodeName';

export class PodController {
  readonly informer: SharedInformer<KubeObject>;
  private readonly queue = new WorkQueue<string>();
  private readonly pending = new Map<string, Pending>();
  /** Pods this kubelet deleted; their last watch events must not start a stage again. */
  private readonly deleted = new Set<string>();
  /** Main processes that ended by themselves, by `<pod uid>/<container>`: their exit drives the container's termination. */
  private readonly exits = new Map<string, ContainerExit & { containerID: string }>();
  private readonly events: KubeletEvents;
  /** The images each node has pulled (its image store): an IfNotPresent container finds them there. */
  private readonly nodeImages = new Map<string, Set<string>>();
  private running?: Promise<void>;

  constructor(private readonly opts: PodControllerOptions) {
    this.events = new KubeletEvents({ client: opts.client, log: opts.log });
    const informerFailures = retryReporter(opts.log, 'kubelet pod informer failed');
    this.informer = new SharedInformer(opts.client, resources.pods, {
      // Every bound pod; a kubelet that simulates many nodes filters by its index.
      fieldSelector: 'spec.nodeName!=',
      indexers: { [nodeNameIndex]: (pod) => (pod.spec?.nodeName ? [pod.spec.nodeName] : []) },
      onError: (err, during) => informerFailures.failed(err, { during }),
    });
    opts.runtime?.onExit((pod, container, containerID, exitCode, at) => {
      this.exits.set(`${pod.metadata.uid}/${container}`, { containerID, exitCode, finishedAtMs: at.getTime() });
      // The stage waiting for this container's end was timed without it: time it again.
      this.pending.delete(objectKey(pod));
      this.queue.add(objectKey(pod));
    });
    this.informer.addEventHandler({
      onAdd: (pod) => this.observe(pod),
      onUpdate: (_, pod) => this.observe(pod),
      onDelete: (pod) => this.forget(pod),
    });
  }

  async start(): Promise<void> {
    this.informer.run();
    await this.informer.waitForSync();
    this.running = runWorkers(this.queue, this.opts.workers ?? 32, (key) => this.reconcile(key), {
      onError: (key, err) => this.opts.log.warn({ err, pod: key }, 'kubelet: pod sync failed, will retry'),
    });
  }

  async stop(): Promise<void> {
    this.queue.shutdown();
    await this.informer.stop();
    await this.running;
    await this.events.close();
  }

  private observe(pod: KubeObject): void {
    const node = this.opts.nodes.get(pod.spec?.nodeName);
    if (!node) return;
    const ip = pod.status?.podIP;
    if (ip && !pod.spec?.hostNetwork) node.ips.reserve(pod.metadata.uid!, ip);
    this.opts.runtime?.sync(pod);
    this.queue.add(objectKey(pod));
  }

  private forget(pod: KubeObject): void {
    const node = this.opts.nodes.get(pod.spec?.nodeName);
    if (!node) return;
    const key = objectKey(pod);
    this.pending.delete(key);
    this.deleted.delete(pod.metadata.uid!);
    this.opts.backoff.forgetPod(pod.metadata.uid!);
    this.events.forget(pod.metadata.uid);
    for (const k of this.exits.keys()) if (k.startsWith(`${pod.metadata.uid}/`)) this.exits.delete(k);
    node.ips.release(pod.metadata.uid!);
    this.opts.runtime?.remove(pod);
    this.opts.logs.removePod(pod);
  }

  context(pod: KubeObject, node: SimulatedNode, now = new Date(), envSources?: EnvSources): PodContext {
    return {
      pod, nodeName: node.name, nodeIP: node.internalIP, podIP: () => node.ips.allocate(pod.metadata.uid!), now,
      backoff: this.opts.backoff, nodeAllocatable: node.allocatable, envSources,
      runtimeReportsExit: (container) => this.opts.runtime?.reportsExit(pod, container) ?? false,
      imagePresent: (image) => this.nodeImages.get(node.name)?.has(image) ?? false,
      exits: (container) => {
        const exit = this.exits.get(`${pod.metadata.uid}/${container}`);
        const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])] as { name: string; containerID?: string }[];
        // Only the instance that is current: a restarted container's old exit is history.
        return exit && statuses.find((st) => st.name === container)?.containerID === exit.containerID ? exit : undefined;
      },
    };
  }

  private async reconcile(key: string): Promise<ReconcileResult> {
    const pod = this.informer.store.get(key);
    const node = pod && this.opts.nodes.get(pod.spec?.nodeName);
    if (!pod || !node || this.deleted.has(pod.metadata.uid!)) return;
    // The volume manager's WaitForAttachAndMount: no container starts while a claim is unbound.
    if (await this.claimsUnbound(pod)) return { requeueAfter: 1000 };
    const sources = await this.envSources(pod);
    const now = new Date();
    const stage = this.opts.engine.match(this.context(pod, node, now, sources));
    if (!stage) {
      this.pending.delete(key);
      return;
    }
    let pending = this.pending.get(key);
    if (!pending || pending.stage !== stage.metadata.name || pending.uid !== pod.metadata.uid) {
      const delay = this.opts.engine.delay(stage, this.context(pod, node, now, sources));
      pending = { uid: pod.metadata.uid!, stage: stage.metadata.name, dueAt: now.getTime() + delay };
      this.pending.set(key, pending);
    }
    const wait = pending.dueAt - Date.now();
    if (wait > 0) return { requeueAfter: wait };
    const applied = await this.apply(pod, node, stage, pending, sources);
    // On a conflict the stage stays due (and its events posted): the newer pod is matched again.
    if (!applied) return { requeueAfter: 200 };
  }

  /** Applies the stage's plan; false when the pod changed meanwhile (a conflict). */
  private async apply(pod: KubeObject, node: SimulatedNode, stage: Stage, pending: Pending, sources?: EnvSources): Promise<boolean> {
    const now = new Date();
    const plan = this.opts.engine.plan(stage, this.context(pod, node, now, sources));
    const ns = pod.metadata.namespace!;
    const name = pod.metadata.name!;
    this.opts.log.debug({ pod: `${ns}/${name}`, stage: plan.stage, node: node.name }, 'kubelet: applying stage');
    const restarted = restartedContainers(pod, plan);
    if (!pending.eventsRecorded) {
      // A restarted container is a new instance: the old one's log becomes `--previous`.
      for (const c of restarted) this.opts.logs.restart(pod, c.name);
      for (const l of plan.logs) if (!this.opts.runtime?.runs(pod, l.container)) this.opts.logs.append(pod, l.container, l.lines, now);
      // Recorded, not awaited: kube's recorder posts them from its broadcaster while the pod worker goes on.
      this.events.record(pod, node.name, plan.events, now);
      pending.eventsRecorded = true;
    }
    try {
      await this.write(pod, plan);
    } catch (err) {
      if (isNotFound(err)) {
        if (this.pending.get(objectKey(pod)) === pending) this.pending.delete(objectKey(pod));
        return true;
      }
      if (isConflict(err)) return false;
      throw err;
    }
    for (const c of stoppedContainers(pod, plan)) this.opts.logs.close(pod, c);
    for (const c of restarted) {
      this.opts.backoff.next(backoffKey(pod.metadata.uid!, c.name), Date.parse(c.lastState?.terminated?.finishedAt ?? '') || now.getTime(), now.getTime());
    }
    if (plan.status && ['Succeeded', 'Failed'].includes(String(plan.status.phase))) {
      for (const c of pod.spec?.containers ?? []) this.opts.logs.close(pod, c.name);
    }
    this.rememberImages(pod, node, plan);
    const key = objectKey(pod);
    if (this.pending.get(key) !== pending) return true;
    this.pending.delete(key);
    if (!plan.delete) this.expectNext(key, pod, node, plan, now, sources);
    return true;
  }

  /** A container reported with an imageID was started from its image: the node has it from now on. */
  private rememberImages(pod: KubeObject, node: SimulatedNode, plan: StagePlan): void {
    const statuses = [...(plan.status?.initContainerStatuses as any[] ?? []), ...(plan.status?.containerStatuses as any[] ?? [])];
    const specs = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])] as { name: string; image?: string }[];
    for (const st of statuses) {
      const image = st?.imageID ? specs.find((c) => c.name === st.name)?.image : undefined;
      if (!image) continue;
      let images = this.nodeImages.get(node.name);
      if (!images) this.nodeImages.set(node.name, (images = new Set()));
      images.add(image);
    }
  }

  /**
   * Starts the next stage's clock at the moment this one was applied, as a kubelet's pod worker
   * goes on creating the sandbox and starting containers while the status manager reports the
   * status it had: how long the API takes to acknowledge a write (and its watch event to come
   * back) does not delay the pod. The watch event then finds the stage already timed.
   */
  private expectNext(key: string, pod: KubeObject, node: SimulatedNode, plan: StagePlan, appliedAt: Date, sources?: EnvSources): void {
    const written: KubeObject = {
      ...pod,
      metadata: plan.finalizers ? { ...pod.metadata, finalizers: plan.finalizers } : pod.metadata,
      status: plan.status ?? pod.status,
    };
    const ctx = this.context(written, node, appliedAt, sources);
    const next = this.opts.engine.match(ctx);
    if (!next || next.metadata.name === plan.stage) return;
    this.pending.set(key, { uid: pod.metadata.uid!, stage: next.metadata.name, dueAt: appliedAt.getTime() + this.opts.engine.delay(next, ctx) });
  }

  /** A pod not yet started whose PersistentVolumeClaims (or ephemeral ones) are missing or not Bound. */
  private async claimsUnbound(pod: KubeObject): Promise<boolean> {
    if (pod.status?.phase && pod.status.phase !== 'Pending') return false;
    if (pod.metadata.deletionTimestamp || pod.status?.containerStatuses?.length) return false;
    for (const { name } of podClaimNames(pod)) {
      try {
        const claim = await this.opts.client.get(resources.persistentVolumeClaims, name, { namespace: pod.metadata.namespace });
        if (claim.status?.phase !== 'Bound') return true;
      } catch (err) {
        if (isNotFound(err)) return true;
        throw err;
      }
    }
    return false;
  }

  /**
   * The ConfigMaps and Secrets the pod's env refers to, read as the kubelet's configmap and
   * secret managers do before starting its containers; undefined (no reads) when there are none.
   */
  private async envSources(pod: KubeObject): Promise<EnvSources | undefined> {
    const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
    const refs = containers.map((c) => envReferences(c));
    const configMapNames = [...new Set(refs.flatMap((r) => r.configMaps))];
    const secretNames = [...new Set(refs.flatMap((r) => r.secrets))];
    if (!configMapNames.length && !secretNames.length) return undefined;
    const namespace = pod.metadata.namespace!;
    const read = async (kind: 'configMaps' | 'secrets', name: string): Promise<[string, Record<string, string> | undefined]> =>
      [name, await this.opts.config.read(kind, namespace, name)];
    const configMaps = new Map(await Promise.all(configMapNames.map((n) => read('configMaps', n))));
    const secrets = new Map(await Promise.all(secretNames.map((n) => read('secrets', n))));
    return { configMap: (name) => configMaps.get(name), secret: (name) => secrets.get(name) };
  }

  private async write(pod: KubeObject, plan: StagePlan): Promise<void> {
    const { client } = this.opts;
    const namespace = pod.metadata.namespace!;
    let current = pod;
    if (plan.status) current = await client.updateStatus(resources.pods, { ...current, status: plan.status });
    if (plan.finalizers) {
      current = await client.update(resources.pods, { ...current, metadata: { ...current.metadata, finalizers: plan.finalizers } });
    }
    if (plan.delete) {
      this.deleted.add(pod.metadata.uid!);
      await client.delete(resources.pods, pod.metadata.name!, { namespace, gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
    }
  }
}

/** Container statuses whose restartCount the plan raises: containers the stage restarts. */
function restartedContainers(pod: KubeObject, plan: StagePlan): { name: string; lastState?: { terminated?: { finishedAt?: string } } }[] {
  if (!plan.status) return [];
  const count = (statuses: unknown, name: string): number =>
    ((statuses ?? []) as { name: string; restartCount?: number }[]).find((s) => s.name === name)?.restartCount ?? 0;
  const out = [];
  for (const key of ['initContainerStatuses', 'containerStatuses'] as const) {
    for (const s of (plan.status[key] ?? []) as { name: string; restartCount?: number; lastState?: any }[]) {
      if ((s.restartCount ?? 0) > count(pod.status?.[key], s.name)) out.push(s);
    }
  }
  return out;
}

/** Containers running before the plan and not after it (exited, backing off): their log followers finish. */
function stoppedContainers(pod: KubeObject, plan: StagePlan): string[] {
  if (!plan.status) return [];
  const out: string[] = [];
  for (const key of ['initContainerStatuses', 'containerStatuses'] as const) {
    for (const s of (plan.status[key] ?? []) as { name: string; state?: { running?: unknown } }[]) {
      const old = ((pod.status?.[key] ?? []) as { name: string; state?: { running?: unknown } }[]).find((x) => x.name === s.name);
      if (old?.state?.running && !s.state?.running) out.push(s.name);
    }
  }
  return out;
}
