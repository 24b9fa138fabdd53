// A container's environment as the kubelet builds it (kubelet_pods.go makeEnvironmentVariables):
// envFrom in order, then env in order with $(VAR) expansion over what came before; valueFrom
// resolved through the downward API (fieldRef, resourceFieldRef) and ConfigMaps/Secrets the
// caller has read. A missing, non-optional ConfigMap, Secret or key is an error whose message is
// the one the kubelet puts in `CreateContainerConfigError`.
import type { KubeObject } from '../api/types.ts';
import { parseQuantity } from '../api/pod-resources.ts';

/** ConfigMap and Secret data (Secrets decoded) by name; undefined when the object does not exist. */
export interface EnvSources {
  configMap(name: string): Record<string, string> | undefined;
  secret(name: string): Record<string, string> | undefined;
}

export interface EnvContext {
  podIP?: string;
  nodeIP?: string;
  /** The node's allocatable resources: resourceFieldRef limits default to them. */
  nodeAllocatable?: Record<string, string>;
  sources?: EnvSources;
}

interface KeyRef { name?: string; key: string; optional?: boolean }
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    fieldRef?: { fieldPath?: string };
    resourceFieldRef?: { containerName?: string; resource?: string; divisor?: string | number };
    configMapKeyRef?: KeyRef;
    secretKeyRef?: KeyRef;
  };
}
interface EnvFromSource { prefix?: string; configMapRef?: { name?: string; optional?: boolean }; secretRef?: { name?: string; optional?: boolean } }

export interface EnvContainer {
  name: string;
  env?: EnvVar[];
  envFrom?: EnvFromSource[];
  resources?: { limits?: Record<string, string>; requests?: Record<string, string> };
}

export type EnvResult = { env: Record<string, string>; error?: undefined } | { env?: undefined; error: string };

const defaultPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The container's environment, or the kubelet's error when a referenced ConfigMap/Secret/key is missing. */
export function resolveContainerEnv(pod: KubeObject, c: EnvContainer, ctx: EnvContext = {}): EnvResult {
  const env: Record<string, string> = { PATH: defaultPath, HOSTNAME: pod.spec?.hostname ?? pod.metadata.name ?? '' };
  const ns = pod.metadata.namespace ?? '';
  const source = (kind: 'ConfigMap' | 'Secret', name: string) =>
    (kind === 'ConfigMap' ? ctx.sources?.configMap(name) : ctx.sources?.secret(name));
  for (const from of c.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    if (!ref) continue;
    const kind = from.configMapRef ? 'ConfigMap' : 'Secret';
    const data = ctx.sources ? source(kind, ref.name ?? '') : {};
    if (data === undefined) {
      if (ref.optional) continue;
      return { error: `${kind.toLowerCase()} "${ref.name}" not found` };
    }
    for (const [k, v] of Object.entries(data)) env[`${from.prefix ?? ''}${k}`] = v;
  }
  for (const e of c.env ?? []) {
    if (e.value !== undefined || !e.valueFrom) {
      env[e.name] = expandKubeVars(e.value ?? '', env);
      continue;
    }
    const { fieldRef, resourceFieldRef, configMapKeyRef, secretKeyRef } = e.valueFrom;
    if (fieldRef?.fieldPath) env[e.name] = podFieldValue(pod, fieldRef.fieldPath, ctx);
    else if (resourceFieldRef?.resource) env[e.name] = resourceFieldValue(pod, resourceFieldRef.containerName || c.name, resourceFieldRef, ctx);
    else if (configMapKeyRef || secretKeyRef) {
      if (!ctx.sources) continue;
      const ref = (configMapKeyRef ?? secretKeyRef)!;
      const kind = configMapKeyRef ? 'ConfigMap' : 'Secret';
      const data = source(kind, ref.name ?? '');
      if (data === undefined) {
        if (ref.optional) continue;
        return { error: `${kind.toLowerCase()} "${ref.name}" not found` };
      }
      if (data[ref.key] === undefined) {
        if (ref.optional) continue;
        return { error: `couldn't find key ${ref.key} in ${kind} ${ns}/${ref.name}` };
      }
      env[e.name] = data[ref.key];
    }
  }
  env.HOME ??= '/root';
  return { env };
}

/** The names of the ConfigMaps and Secrets a container's env and envFrom refer to. */
export function envReferences(c: EnvContainer): { configMaps: string[]; secrets: string[] } {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  for (const from of c.envFrom ?? []) {
    if (from.configMapRef?.name) configMaps.add(from.configMapRef.name);
    if (from.secretRef?.name) secrets.add(from.secretRef.name);
  }
  for (const e of c.env ?? []) {
    if (e.valueFrom?.configMapKeyRef?.name) configMaps.add(e.valueFrom.configMapKeyRef.name);
    if (e.valueFrom?.secretKeyRef?.name) secrets.add(e.valueFrom.secretKeyRef.name);
  }
  return { configMaps: [...configMaps], secrets: [...secrets] };
}

/** Kubernetes' $(VAR) expansion in env values, command and args; $$ escapes. */
export function expandKubeVars(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name?: string) => (m === '$$' ? '$' : env[name!] ?? m));
}

/** podFieldSelectorRuntimeValue: the downward API's pod fields. */
function podFieldValue(pod: KubeObject, fieldPath: string, ctx: EnvContext): string {
  const subscript = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(fieldPath);
  if (subscript) return (pod.metadata[subscript[1] as 'labels' | 'annotations'] as Record<string, string> | undefined)?.[subscript[2]] ?? '';
  const podIPs = (): string[] => {
    const ips = ((pod.status?.podIPs ?? []) as { ip: string }[]).map((x) => x.ip);
    return ips.length ? ips : [ctx.podIP ?? pod.status?.podIP].filter((x): x is string => Boolean(x));
  };
  switch (fieldPath) {
    case 'metadata.name': return pod.metadata.name ?? '';
    case 'metadata.namespace': return pod.metadata.namespace ?? '';
    case 'metadata.uid': return pod.metadata.uid ?? '';
    case 'spec.nodeName': return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName': return pod.spec?.serviceAccountName ?? '';
    case 'status.podIP': return ctx.podIP ?? pod.status?.podIP ?? '';
    case 'status.podIPs': return podIPs().join(',');
    case 'status.hostIP': return ctx.nodeIP ?? pod.status?.hostIP ?? '';
    case 'status.hostIPs': {
      const ips = ((pod.status?.hostIPs ?? []) as { ip: string }[]).map((x) => x.ip);
      return (ips.length ? ips : [ctx.nodeIP ?? pod.status?.hostIP ?? '']).join(',');
    }
    default: return '';
  }
}

/**
 * ExtractContainerResourceValue: a limit or request divided by the divisor and rounded up;
 * limits that are not set are the node's allocatable (MergeContainerResourceLimits).
 */
function resourceFieldValue(pod: KubeObject, containerName: string, ref: { resource?: string; divisor?: string | number }, ctx: EnvContext): string {
  const containers: EnvContainer[] = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  const c = containers.find((x) => x.name === containerName);
  const [kind, name] = (ref.resource ?? '').split(/\.(.*)/s) as ['limits' | 'requests', string];
  let quantity = c?.resources?.[kind]?.[name];
  if (quantity === undefined && kind === 'limits') quantity = ctx.nodeAllocatable?.[name];
  const divisor = ref.divisor === undefined || ref.divisor === '' ? '1' : ref.divisor;
  if (name === 'cpu') {
    const d = parseQuantity(divisor as string, true) || 1;
    return String(Math.ceil(parseQuantity(quantity ?? '0', true) / d));
  }
  const d = parseQuantity(divisor as string) || 1;
  return String(Math.ceil(parseQuantity(quantity ?? '0') / d));
}
