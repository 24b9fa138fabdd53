// Where pods/log, pods/exec, pods/attach and pods/portforward go on the pod's kubelet, and the
// checks kube-apiserver makes before connecting (pkg/registry/core/pod/strategy.go's
// LogLocation, ExecLocation, AttachLocation, PortForwardLocation): the pod exists, the
// container is one of the pod's (or the only one), the pod has a node. The options become the
// kubelet's query parameters (input/output/error/tty, command, port, the log options).
import { errors, field } from '../../api/errors.ts';
import type { KubeObject } from '../../api/types.ts';
import type { Registry } from '../../registry/registry.ts';
import type { ResourceDef } from '../../registry/types.ts';

export type ConnectSubresource = 'log' | 'exec' | 'attach' | 'portforward';

export const connectSubresources: readonly string[] = ['log', 'exec', 'attach', 'portforward'];

type Query = Record<string, string | string[] | undefined>;

export interface PodLocation {
  nodeName?: string;
  /** The kubelet API path and query. */
  path: string;
}

function all(q: Query, name: string): string[] {
  const v = q[name];
  return v === undefined ? [] : ([] as string[]).concat(v);
}

/** Go's strconv.ParseBool, as kube's query parameter codec reads booleans. */
function bool(q: Query, name: string): boolean {
  const v = all(q, name)[0];
  if (v === undefined) return false;
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v)) return true;
  if (['', '0', 'f', 'F', 'false', 'FALSE', 'False'].includes(v)) return false;
  throw errors.badRequest(`invalid value for ${name}: strconv.ParseBool: parsing "${v}": invalid syntax`);
}

function int(q: Query, name: string): number | undefined {
  const v = all(q, name)[0];
  if (v === undefined || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw errors.badRequest(`invalid value for ${name}: strconv.ParseInt: parsing "${v}": invalid syntax`);
  return Number(v);
}

/** All of the pod's containers, in VisitContainers' order: init, regular, ephemeral. */
function containerNames(pod: KubeObject): string[] {
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? []), ...(pod.spec?.ephemeralContainers ?? [])]
    .map((c: { name: string }) => c.name);
}

/** kube's validateContainer: the named container, or the pod's only one. */
function validateContainer(pod: KubeObject, container: string | undefined): string {
  const name = pod.metadata.name!;
  if (!container) {
    const regular: { name: string }[] = pod.spec?.containers ?? [];
    if (regular.length === 1) return regular[0].name;
    if (regular.length === 0) throw errors.badRequest(`pod ${name} does not have a container`);
    throw errors.badRequest(`a container name must be specified for pod ${name}, choose one of: [${containerNames(pod).join(' ')}]`);
  }
  if (!containerNames(pod).includes(container)) throw errors.badRequest(`container ${container} is not valid for pod ${name}`);
  return container;
}

const segment = encodeURIComponent;

export async function podLocation(registry: Registry, def: ResourceDef, namespace: string, name: string,
  subresource: ConnectSubresource, q: Query): Promise<PodLocation> {
  const pod = (await registry.store(def).get(namespace, name)).object;
  const nodeName: string | undefined = pod.spec?.nodeName || undefined;
  const params = new URLSearchParams();
  if (subresource === 'portforward') {
    // PodPortForwardOptions.ports become the kubelet's `port` parameters.
    for (const port of all(q, 'ports').flatMap((p) => p.split(','))) params.append('port', port.trim());
    if (!nodeName) throw errors.badRequest(`pod ${name} does not have a host assigned`);
    return { nodeName, path: `/portForward/${segment(namespace)}/${segment(name)}${query(params)}` };
  }
  const container = validateContainer(pod, all(q, 'container')[0]);
  if (subresource === 'log') {
    for (const flag of ['follow', 'previous', 'timestamps'] as const) if (bool(q, flag)) params.set(flag, 'true');
    const opts = { sinceSeconds: int(q, 'sinceSeconds'), tailLines: int(q, 'tailLines'), limitBytes: int(q, 'limitBytes') };
    const sinceTime = all(q, 'sinceTime')[0];
    validateLogOptions(name, opts, sinceTime);
    for (const [k, v] of Object.entries(opts)) if (v !== undefined) params.set(k, String(v));
    if (sinceTime) params.set('sinceTime', sinceTime);
    // A pod without a node has no logs yet: kube answers an empty body.
    return { nodeName, path: `/containerLogs/${segment(namespace)}/${segment(name)}/${segment(container)}${query(params)}` };
  }
  if (!nodeName) throw errors.badRequest(`pod ${name} does not have a host assigned`);
  const streams = { stdin: bool(q, 'stdin'), stdout: bool(q, 'stdout'), stderr: bool(q, 'stderr'), tty: bool(q, 'tty') };
  if (streams.stdin) params.set('input', '1');
  if (streams.stdout) params.set('output', '1');
  if (streams.stderr) params.set('error', '1');
  if (streams.tty) params.set('tty', '1');
  if (subresource === 'exec') {
    const command = all(q, 'command');
    if (command.length === 0) throw errors.badRequest('you must specify at least one command for the container');
    for (const c of command) params.append('command', c);
  }
  if (!streams.stdin && !streams.stdout && !streams.stderr) throw errors.badRequest('you must specify at least 1 of stdin, stdout, stderr');
  const kubeletPath = subresource === 'exec' ? 'exec' : 'attach';
  return { nodeName, path: `/${kubeletPath}/${segment(namespace)}/${segment(name)}/${segment(container)}${query(params)}` };
}

function query(params: URLSearchParams): string {
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** kube's ValidatePodLogOptions: a 422 Invalid on PodLogOptions. */
function validateLogOptions(name: string, opts: { sinceSeconds?: number; tailLines?: number; limitBytes?: number }, sinceTime?: string): void {
  const causes = [];
  if (opts.tailLines !== undefined && opts.tailLines < 0) causes.push(field.invalid('tailLines', opts.tailLines, 'must be greater than or equal to 0'));
  if (opts.limitBytes !== undefined && opts.limitBytes < 1) causes.push(field.invalid('limitBytes', opts.limitBytes, 'must be greater than 0'));
  if (opts.sinceSeconds !== undefined && sinceTime) causes.push(field.forbidden('', 'at most one of `sinceTime` or `sinceSeconds` may be specified'));
  if (opts.sinceSeconds !== undefined && opts.sinceSeconds < 1) causes.push(field.invalid('sinceSeconds', opts.sinceSeconds, 'must be greater than 0'));
  if (sinceTime && Number.isNaN(Date.parse(sinceTime))) throw errors.badRequest(`invalid sinceTime: parsing time "${sinceTime}" as RFC3339`);
  if (causes.length) throw errors.invalid('PodLogOptions', '', name, causes);
}
