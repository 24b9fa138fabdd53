// The simulated container runtime behind the kubelet API (what CRI is to a real kubelet): per
// pod a sandbox (its network namespace and shared volumes), per container a filesystem, an
// environment and a main process started when the kubelet marks the container Running and
// stopped when it stops. exec runs commands in the container's shell, attach joins the main
// process, portForward dials the pod's ports, logs reads the CRI log files.
import type { Logger } from 'pino';
import type { Duplex } from 'node:stream';
import type { KubeObject } from '../../api/types.ts';
import type { ApiClient } from '../../client/index.ts';
import { RuntimeError, type ContainerRuntime, type ContainerStreams, type LogRequest } from '../container-runtime.ts';
import type { LogStore } from '../logs.ts';
import { ServiceAccountTokenManager, type ProjectionSources } from '../projected-volume.ts';
import type { ConfigReader } from '../config-objects.ts';
import { ClusterNetwork, ConnectionRefused, PodNetwork, type RemoteDialer } from './network.ts';
import { ImageCatalog } from './images.ts';
import { ContainerInstance, type ContainerSpec } from './container.ts';
import { execInContainer } from './exec.ts';
import type { DirNode } from './filesystem.ts';

export interface SimulatedRuntimeOptions {
  client: ApiClient;
  /** ConfigMaps and Secrets for volumes and env, as the kubelet's managers keep them. */
  config: ConfigReader;
  logs: LogStore;
  log: Logger;
  images?: ImageCatalog;
}

interface Sandbox {
  pod: KubeObject;
  network: PodNetwork;
  volumes: Map<string, DirNode>;
  containers: Map<string, ContainerInstance>;
}

/** How long after its start a container's servers may still be coming up (port-forward waits that long for the port). */
const startupGraceMs = 1000;

/** How long a container the kubelet says has exited may go on running its process (to finish its output). */
const exitGraceMs = 5000;

export class SimulatedRuntime implements ContainerRuntime {
  readonly images: ImageCatalog;
  readonly cluster: ClusterNetwork;
  private readonly sandboxes = new Map<string, Sandbox>();
  private readonly projection: ProjectionSources;
  private readonly exitListeners: ((pod: KubeObject, container: string, containerID: string, exitCode: number, at: Date) => void)[] = [];

  constructor(private readonly opts: SimulatedRuntimeOptions) {
    this.images = opts.images ?? ImageCatalog.load();
    this.cluster = new ClusterNetwork(opts.client, (ip) => [...this.sandboxes.values()].find((s) => s.network.podIP === ip)?.network);
    this.projection = {
      tokens: new ServiceAccountTokenManager(opts.client),
      config: opts.config,
      clusterCA: opts.client.config.ca,
    };
  }

  /** Pods on other kubelets (in other processes) are dialed through this (the target kubelet's /portForward). */
  setRemoteDialer(dialer: RemoteDialer): void {
    this.cluster.remoteDialer = dialer;
  }

  onExit(listener: (pod: KubeObject, container: string, containerID: string, exitCode: number, at: Date) => void): void {
    this.exitListeners.push(listener);
  }

  /** Whether the runtime runs this container's main process itself (so the stage bundle's log lines are not needed). */
  runs(pod: KubeObject, container: string): boolean {
    const spec = specOf(pod, container);
    return !!spec && ContainerInstance.runsMain(spec, this.images.resolve(spec.image ?? ''));
  }

  /** Whether this container's own command runs here and its end will be reported through onExit. */
  reportsExit(pod: KubeObject, container: string): boolean {
    const spec = specOf(pod, container);
    return !!spec && ContainerInstance.reportsExit(spec, this.images.resolve(spec.image ?? ''));
  }

  /** Level-triggered from the kubelet's pod informer: start the main processes of running containers, stop the others. */
  sync(pod: KubeObject): void {
    const uid = pod.metadata.uid!;
    let sandbox = this.sandboxes.get(uid);
    if (!sandbox) {
      if (!pod.status?.podIP && !pod.spec?.hostNetwork) return;
      sandbox = { pod, network: new PodNetwork(pod.status?.podIP ?? '127.0.0.1'), volumes: new Map(), containers: new Map() };
      this.sandboxes.set(uid, sandbox);
    }
    sandbox.pod = pod;
    if (pod.status?.podIP) sandbox.network.podIP = pod.status.podIP;
    const deleting = !!pod.metadata.deletionTimestamp;
    for (const status of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? []), ...(pod.status?.ephemeralContainerStatuses ?? [])] as any[]) {
      const spec = specOf(pod, status.name);
      if (!spec || !status.containerID) continue;
      let instance = sandbox.containers.get(status.name);
      if (instance && instance.containerID !== status.containerID) {
        instance.stop();
        instance = undefined;
      }
      const running = !!status.state?.running;
      const exited = !!status.state?.terminated;
      if (!instance && (running || (exited && !deleting && this.runs(pod, status.name)))) {
        instance = this.newInstance(sandbox, spec, status.containerID);
        sandbox.containers.set(status.name, instance);
        instance.start().catch((err) => this.opts.log.warn({ err, pod: `${pod.metadata.namespace}/${pod.metadata.name}`, container: status.name }, 'runtime: container start failed'));
      }
      if (instance && !running) instance.stopAfter(deleting ? 0 : exitGraceMs);
    }
  }

  /** The pod is gone: its processes stop, its network and volumes go. */
  remove(pod: KubeObject): void {
    const sandbox = this.sandboxes.get(pod.metadata.uid!);
    if (!sandbox) return;
    for (const c of sandbox.containers.values()) c.stop();
    sandbox.network.closeAll();
    this.sandboxes.delete(pod.metadata.uid!);
  }

  stopAll(): void {
    for (const s of this.sandboxes.values()) this.remove(s.pod);
  }

  async exec(pod: KubeObject, container: string, command: string[], streams: ContainerStreams): Promise<number> {
    const instance = await this.runningInstance(pod, container);
    return execInContainer(instance, command, streams);
  }

  async attach(pod: KubeObject, container: string, streams: ContainerStreams): Promise<void> {
    const instance = await this.runningInstance(pod, container);
    await instance.attach(streams);
  }

  async portForward(pod: KubeObject, port: number): Promise<Duplex> {
    this.sync(pod);
    const sandbox = this.sandboxes.get(pod.metadata.uid!);
    try {
      if (!sandbox) throw new ConnectionRefused('connect: connection refused');
      // Containers the kubelet just marked Running may still be starting their servers.
      const starting = [...sandbox.containers.values()].filter((c) => Date.now() - c.startedAt < startupGraceMs);
      await Promise.all(starting.map((c) => c.ready));
      if (starting.length) await sandbox.network.waitForListen(port, startupGraceMs);
      return sandbox.network.connect(port, '127.0.0.1');
    } catch (err) {
      if (!(err instanceof ConnectionRefused)) throw err;
      // containerd's text (its sandbox id stands in for the namespace path).
      throw new RuntimeError(500, 'InternalError',
        `failed to connect to localhost:${port} inside namespace "${sandboxID(pod)}", IPv4: dial tcp4 127.0.0.1:${port}: connect: connection refused IPv6 dial tcp6 [::1]:${port}: connect: connection refused `);
    }
  }

  async *logs(pod: KubeObject, container: string, opts: LogRequest): AsyncIterable<string> {
    const status = containerStatus(pod, container);
    const name = pod.metadata.name;
    // A container backing off (CrashLoopBackOff) shows its last run, as the kubelet's validateContainerLogStatus.
    if (status?.state?.waiting && status.lastState?.terminated && !opts.previous) {
      // Its last run is the current file until the restart opens the next one; then the previous file.
      const previous = !this.opts.logs.has(pod, container) && this.opts.logs.has(pod, container, true);
      yield* this.opts.logs.read(pod, container, { ...opts, follow: false, previous });
      return;
    }
    if (!opts.previous && !status?.state?.running && !status?.state?.terminated) {
      const reason = status?.state?.waiting?.reason ?? 'ContainerCreating';
      throw new RuntimeError(400, 'BadRequest', `container "${container}" in pod "${name}" is waiting to start: ${reason}`);
    }
    if (opts.previous && !(status?.restartCount > 0)) {
      throw new RuntimeError(400, 'BadRequest', `previous terminated container "${container}" in pod "${name}" not found`);
    }
    if (status?.state?.running && !opts.previous) {
      // A container just marked Running is still starting its process: let it print its first lines.
      this.sync(pod);
      const instance = this.sandboxes.get(pod.metadata.uid!)?.containers.get(container);
      if (instance && Date.now() - instance.startedAt < startupGraceMs) {
        await instance.ready;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    const follow = opts.follow && !!status?.state?.running && !opts.previous;
    yield* this.opts.logs.read(pod, container, { ...opts, follow });
  }

  private newInstance(sandbox: Sandbox, spec: ContainerSpec, containerID: string): ContainerInstance {
    const pod = sandbox.pod;
    return new ContainerInstance({
      pod, spec, containerID, image: this.images.resolve(spec.image ?? ''), client: this.opts.client, projection: this.projection,
      sharedVolumes: sandbox.volumes,
      network: {
        get podIP() { return sandbox.network.podIP; },
        listen: (port, handler) => sandbox.network.listen(port, handler),
        dial: (host, port, signal) => this.cluster.dial({ pod: sandbox.pod, network: sandbox.network }, host, port, signal),
      },
      output: (stream, text) => this.opts.logs.write(sandbox.pod, spec.name, stream, text),
      onStart: () => this.opts.logs.reopen(sandbox.pod, spec.name),
      onExit: (code, at) => {
        for (const l of this.exitListeners) l(sandbox.pod, spec.name, containerID, code, at);
      },
    });
  }

  /** The container's instance for exec/attach: it must be running, as the kubelet requires. */
  private async runningInstance(pod: KubeObject, container: string): Promise<ContainerInstance> {
    const status = containerStatus(pod, container);
    if (!status?.state?.running) throw new RuntimeError(400, 'BadRequest', `container not found ("${container}")`);
    this.sync(pod);
    const instance = this.sandboxes.get(pod.metadata.uid!)?.containers.get(container);
    if (!instance) throw new RuntimeError(400, 'BadRequest', `container not found ("${container}")`);
    await instance.ready;
    return instance;
  }

}

function specOf(pod: KubeObject, name: string): ContainerSpec | undefined {
  const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? []), ...(pod.spec?.ephemeralContainers ?? [])] as ContainerSpec[];
  return all.find((c) => c.name === name);
}

function containerStatus(pod: KubeObject, name: string): any {
  const all = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.ephemeralContainerStatuses ?? [])];
  return all.find((s: any) => s?.name === name);
}

/** A stable 64-hex sandbox id from the pod's uid, as containerd's ids look. */
function sandboxID(pod: KubeObject): string {
  return (pod.metadata.uid ?? '').replace(/-/g, '').padEnd(64, '0').slice(0, 64);
}
