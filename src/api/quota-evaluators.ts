// What an object counts against a ResourceQuota, as kube's quota evaluators
// (pkg/quota/v1/evaluator/core and the generic object-count evaluator): pods count `pods`,
// `count/pods` and their containers' requests and limits while not terminal; services count
// `services`, `services.nodeports`, `services.loadbalancers`; persistentvolumeclaims count
// themselves and `requests.storage` (also per storage class); every resource counts
// `count/<resource>[.<group>]` and the core ones their legacy name (configmaps, secrets…).
import type { KubeObject } from './types.ts';
import { parseQuantity } from './quota-quantity.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- pod specs are JSON here, as in registry/resources/podspec.ts
const arrayOf = (v: unknown): any[] => (Array.isArray(v) ? v : []);

export type Usage = Record<string, number>;

/** The legacy object-count names of core resources (`pods`, `services`…). */
const legacyCounts = new Set(['pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps', 'persistentvolumeclaims']);

export function countName(group: string, plural: string): string {
  return group ? `count/${plural}.${group}` : `count/${plural}`;
}

/** Whether a quota resource name is one this evaluator can produce for objects of group/plural. */
export function evaluatorMatches(group: string, plural: string, name: string): boolean {
  if (name === countName(group, plural)) return true;
  if (group !== '') return false;
  if (legacyCounts.has(plural) && name === plural) return true;
  if (plural === 'pods') return podResourceName(name);
  if (plural === 'services') return name === 'services.nodeports' || name === 'services.loadbalancers';
  if (plural === 'persistentvolumeclaims') return name === 'requests.storage' || name.endsWith('.storageclass.storage.k8s.io/requests.storage') || name.endsWith('.storageclass.storage.k8s.io/persistentvolumeclaims');
  return false;
}

function podResourceName(name: string): boolean {
  return ['cpu', 'memory', 'ephemeral-storage'].includes(name) || /^(requests|limits)\./.test(name);
}

/** A pod stops counting once terminal (QuotaV1Pod). */
export function podCounts(pod: KubeObject): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  // A pod past its deletion grace period no longer counts either.
  const deadline = pod.metadata.deletionTimestamp ? Date.parse(pod.metadata.deletionTimestamp) + (pod.metadata.deletionGracePeriodSeconds ?? 0) * 1000 : undefined;
  return deadline === undefined || deadline > Date.now();
}

/** PodRequests / PodLimits: the containers' sum, at least each init container's amount, plus overhead. */
function podAmounts(spec: any, which: 'requests' | 'limits'): Usage {
  const sum: Usage = {};
  for (const c of arrayOf(spec?.containers)) {
    for (const [k, v] of Object.entries(c?.resources?.[which] ?? {})) sum[k] = (sum[k] ?? 0) + (parseQuantity(v) ?? 0);
  }
  for (const c of arrayOf(spec?.initContainers)) {
    for (const [k, v] of Object.entries(c?.resources?.[which] ?? {})) sum[k] = Math.max(sum[k] ?? 0, parseQuantity(v) ?? 0);
  }
  for (const [k, v] of Object.entries(spec?.overhead ?? {})) sum[k] = (sum[k] ?? 0) + (parseQuantity(v) ?? 0);
  return sum;
}

export function usageOf(group: string, plural: string, obj: KubeObject): Usage {
  const usage: Usage = { [countName(group, plural)]: 1 };
  if (group !== '') return usage;
  if (legacyCounts.has(plural)) usage[plural] = 1;
  if (plural === 'pods') {
    if (!podCounts(obj)) return {};
    const requests = podAmounts(obj.spec, 'requests');
    const limits = podAmounts(obj.spec, 'limits');
    for (const [k, v] of Object.entries(requests)) {
      usage[`requests.${k}`] = v;
      if (k === 'cpu' || k === 'memory' || k === 'ephemeral-storage') usage[k] = v;
    }
    for (const [k, v] of Object.entries(limits)) usage[`limits.${k}`] = v;
  }
  if (plural === 'services') {
    const type = obj.spec?.type;
    if (type === 'LoadBalancer') usage['services.loadbalancers'] = 1;
    if (type === 'LoadBalancer' || type === 'NodePort') {
      usage['services.nodeports'] = arrayOf(obj.spec?.ports).filter((p) => p?.nodePort || type === 'NodePort' || type === 'LoadBalancer').length;
    }
  }
  if (plural === 'persistentvolumeclaims') {
    const storage = parseQuantity(obj.spec?.resources?.requests?.storage) ?? 0;
    usage['requests.storage'] = storage;
    const sc = obj.spec?.storageClassName;
    if (sc) {
      usage[`${sc}.storageclass.storage.k8s.io/requests.storage`] = storage;
      usage[`${sc}.storageclass.storage.k8s.io/persistentvolumeclaims`] = 1;
    }
  }
  return usage;
}

/** The resources whose containers must name them when a quota tracks them (the pod evaluator's Constraints). */
const constrained = ['requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory', 'cpu', 'memory'];

/** podEvaluator.Constraints: `must specify limits.cpu for: c; must specify …`, or undefined. */
export function podConstraintError(pod: KubeObject, tracked: string[]): string | undefined {
  const required = constrained.filter((r) => tracked.includes(r));
  const missing = new Map<string, Set<string>>();
  for (const c of arrayOf(pod.spec?.containers)) {
    for (const r of required) {
      const [which, name] = r.includes('.') ? r.split('.') : ['requests', r];
      if (c?.resources?.[which]?.[name] === undefined) {
        const key = r.includes('.') ? r : r;
        if (!missing.has(key)) missing.set(key, new Set());
        missing.get(key)!.add(c?.name ?? '');
      }
    }
  }
  if (missing.size === 0) return undefined;
  return [...missing.keys()].sort().map((r) => `must specify ${r} for: ${[...missing.get(r)!].sort().join(',')}`).join('; ');
}
