// What the API server asks a kubelet for, beyond the pod objects: `pods/log` and `pods/exec`.
// A real kube-apiserver proxies these to the kubelet's HTTPS port; kubelite's server calls a
// PodRuntime — in the same thread, or across a MessagePort when the kubelet runs in a worker
// (see src/workers/runtime-rpc.ts). Errors carry the HTTP code and Status reason to answer.
import type { KubeObject } from '../api/types.ts';
import { isNotFound, resources, type ApiClient, type Store } from '../client/index.ts';
import type { LogOptions, LogStore } from './logs.ts';
import { containerEnv, expandKubeVars, podHostname } from './pod-functions.ts';
import { runScript, scriptOf } from './shell.ts';
import { projectedFiles, ServiceAccountTokenManager, type ProjectionSources } from './projected-volume.ts';

export type { LogOptions } from './logs.ts';

export interface ExecOptions {
  /** Text on the command's stdin (`cat` without a file reads it). */
  stdin?: string;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface PodRuntime {
  /** The container's log, as chunks of text (whole lines); with follow, until the container stops or the signal aborts. */
  logs(namespace: string, pod: string, container: string | undefined, opts?: LogOptions): Promise<AsyncIterable<string>>;
  /** Runs a command "in" a running container. */
  exec(namespace: string, pod: string, container: string | undefined, command: string[], opts?: ExecOptions): Promise<ExecResult>;
}

/** An error the server turns into a metav1.Status with this code and reason. */
export class RuntimeError extends Error {
  constructor(readonly code: number, readonly reason: string, message: string) {
    super(message);
    this.name = 'RuntimeError';
  }
}

/** The PodRuntime of this process's kubelets, over their pod cache and logs. */
export class LocalPodRuntime implements PodRuntime {
  /** Where projected volumes come from: the token manager, ConfigMaps and Secrets, the cluster CA. */
  private readonly projection: ProjectionSources;

  constructor(
    private readonly pods: Store<KubeObject>,
    private readonly logStore: LogStore,
    private readonly client: ApiClient,
  ) {
    this.projection = {
      tokens: new ServiceAccountTokenManager(client),
      data: (kind, namespace, name) => this.data(kind, namespace, name),
      clusterCA: client.config.ca,
    };
  }

  async logs(namespace: string, name: string, container: string | undefined, opts: LogOptions = {}): Promise<AsyncIterable<string>> {
    const pod = this.pod(namespace, name);
    const c = pickContainer(pod, container, true);
    const status = containerStatus(pod, c);
    // A container backing off (CrashLoopBackOff) shows its last run, for --previous too, as
    // the kubelet's validateContainerLogStatus reads lastState.terminated.
    if (status?.state?.waiting && status.lastState?.terminated) return this.logStore.read(pod, c, { ...opts, previous: false });
    if (!opts.previous && !status?.state?.running && !status?.state?.terminated) {
      const reason = status?.state?.waiting?.reason ?? 'ContainerCreating';
      throw new RuntimeError(400, 'BadRequest', `container "${c}" in pod "${name}" is waiting to start: ${reason}`);
    }
    if (opts.previous && !(status?.restartCount > 0)) {
      throw new RuntimeError(400, 'BadRequest', `previous terminated container "${c}" in pod "${name}" not found`);
    }
    return this.logStore.read(pod, c, opts);
  }

  async exec(namespace: string, name: string, container: string | undefined, command: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const pod = this.pod(namespace, name);
    const c = pickContainer(pod, container, false);
    if (!containerStatus(pod, c)?.state?.running) {
      throw new RuntimeError(400, 'BadRequest', `unable to upgrade connection: container not found ("${c}")`);
    }
    const spec = (pod.spec?.containers ?? []).find((x: { name: string }) => x.name === c);
    const env = { ...(await this.kubernetesServiceEnv()), ...containerEnv(pod, spec), ...(await this.envFromSources(pod, spec)) };
    const files: Record<string, string> = { ...(await this.mountedFiles(pod, spec)), '/etc/hostname': `${podHostname(pod)}\n` };
    if (opts.stdin !== undefined) files['/dev/stdin'] = opts.stdin;
    const argv = command.map((a) => expandKubeVars(a, env));
    const result = runScript(scriptOf(argv), { env, hostname: podHostname(pod), files });
    const program = (argv[0] ?? '').split('/').pop() ?? '';
    if (!result.understood && !['sh', 'bash', 'ash', 'dash'].includes(program)) {
      // Not a shell: the runtime itself could not start the program, as containerd reports it.
      const stderr = `OCI runtime exec failed: exec failed: unable to start container process: exec: "${argv[0]}": executable file not found in $PATH: unknown\n`;
      return { stdout: '', stderr, exitCode: 127 };
    }
    return { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode };
  }

  private pod(namespace: string, name: string): KubeObject {
    const pod = this.pods.get(`${namespace}/${name}`);
    if (!pod) throw new RuntimeError(404, 'NotFound', `pods "${name}" not found`);
    return pod;
  }

  private async kubernetesServiceEnv(): Promise<Record<string, string>> {
    try {
      const svc = await this.client.get(resources.services, 'kubernetes', { namespace: 'default' });
      const ip = svc.spec?.clusterIP;
      if (!ip) return {};
      return {
        KUBERNETES_SERVICE_HOST: ip, KUBERNETES_SERVICE_PORT: '443', KUBERNETES_SERVICE_PORT_HTTPS: '443',
        KUBERNETES_PORT: `tcp://${ip}:443`, KUBERNETES_PORT_443_TCP: `tcp://${ip}:443`,
        KUBERNETES_PORT_443_TCP_PROTO: 'tcp', KUBERNETES_PORT_443_TCP_PORT: '443', KUBERNETES_PORT_443_TCP_ADDR: ip,
      };
    } catch {
      return {};
    }
  }

  /** env[].valueFrom configMapKeyRef/secretKeyRef and envFrom, read from the API as the kubelet does at start. */
  private async envFromSources(pod: KubeObject, spec: any): Promise<Record<string, string>> {
    const ns = pod.metadata.namespace!;
    const env: Record<string, string> = {};
    for (const from of spec?.envFrom ?? []) {
      const data = from.configMapRef ? await this.data('configMaps', ns, from.configMapRef.name) : from.secretRef ? await this.data('secrets', ns, from.secretRef.name) : {};
      for (const [k, v] of Object.entries(data)) env[`${from.prefix ?? ''}${k}`] = v;
    }
    for (const e of spec?.env ?? []) {
      const ref = e.valueFrom?.configMapKeyRef ?? e.valueFrom?.secretKeyRef;
      if (!ref) continue;
      const data = await this.data(e.valueFrom.configMapKeyRef ? 'configMaps' : 'secrets', ns, ref.name);
      if (data[ref.key] !== undefined) env[e.name] = data[ref.key];
    }
    return env;
  }

  /** Files of configMap, secret and projected volumes (the kube-api-access token among them) at their mount paths. */
  private async mountedFiles(pod: KubeObject, spec: any): Promise<Record<string, string>> {
    const ns = pod.metadata.namespace!;
    const files: Record<string, string> = {};
    for (const mount of spec?.volumeMounts ?? []) {
      const volume = (pod.spec?.volumes ?? []).find((v: { name: string }) => v.name === mount.name);
      if (volume?.projected) {
        const projected = await projectedFiles(pod, volume.projected.sources ?? [], this.projection);
        for (const [path, text] of Object.entries(projected)) {
          if (!mount.subPath) files[`${mount.mountPath.replace(/\/$/, '')}/${path}`] = text;
          else if (mount.subPath === path) files[mount.mountPath] = text;
        }
        continue;
      }
      const source = volume?.configMap ?? volume?.secret;
      if (!source) continue;
      const data = await this.data(volume.configMap ? 'configMaps' : 'secrets', ns, source.name ?? source.secretName);
      const items: { key: string; path: string }[] = source.items ?? Object.keys(data).map((k) => ({ key: k, path: k }));
      for (const item of items) {
        if (data[item.key] === undefined) continue;
        const path = `${mount.mountPath.replace(/\/$/, '')}/${item.path}`;
        if (mount.subPath) {
          if (mount.subPath === item.path) files[mount.mountPath] = data[item.key];
        } else files[path] = data[item.key];
      }
    }
    return files;
  }

  private async data(kind: 'configMaps' | 'secrets', namespace: string, name: string): Promise<Record<string, string>> {
    try {
      const obj = await this.client.get(resources[kind], name, { namespace });
      const data = (obj.data ?? {}) as Record<string, string>;
      if (kind === 'configMaps') return data;
      return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
    } catch (err) {
      if (isNotFound(err)) return {};
      throw err;
    }
  }
}

/** The container a request names, or the pod's only one (kubectl picks the default-container annotation itself). */
function pickContainer(pod: KubeObject, container: string | undefined, allowInit: boolean): string {
  const names: string[] = (pod.spec?.containers ?? []).map((c: { name: string }) => c.name);
  const initNames: string[] = (pod.spec?.initContainers ?? []).map((c: { name: string }) => c.name);
  if (!container) {
    const preferred = pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'];
    if (preferred && names.includes(preferred)) return preferred;
    if (names.length === 1) return names[0];
    throw new RuntimeError(400, 'BadRequest', `a container name must be specified for pod ${pod.metadata.name}, choose one of: [${names.join(' ')}]` +
      (initNames.length ? ` or one of the init containers: [${initNames.join(' ')}]` : ''));
  }
  if (names.includes(container) || (allowInit && initNames.includes(container))) return container;
  throw new RuntimeError(400, 'BadRequest', `container ${container} is not valid for pod ${pod.metadata.name}`);
}

function containerStatus(pod: KubeObject, name: string): any {
  return [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].find((s: any) => s?.name === name);
}
