// Resource amounts as the scheduler's framework.Resource keeps them: cpu in millicores,
// everything else in whole units (bytes, counts), and a pod's effective request by
// k8s.io/component-helpers' PodRequests rule.
import type { Container, Pod, Quantity, ResourceList } from './core-v1.ts';

export interface Resources {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  /** Extended and hugepages resources: `nvidia.com/gpu`, `hugepages-2Mi`, ... */
  scalar: Record<string, number>;
}

/** The cpu and memory a pod is counted with for scoring: 100m and 200Mi stand in for a missing request. */
export interface NonZeroResources {
  milliCPU: number;
  memory: number;
}

export const defaultMilliCPURequest = 100;
export const defaultMemoryRequest = 200 * 1024 * 1024;

const decimalSuffix: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const binarySuffix: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const quantityRe = /^([+-]?(?:\d+\.?\d*|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+|[numkMGTPE])?$/;

/**
 * A quantity's amount; `milli` scales it by 1000 (Quantity.MilliValue). Rounded up, as
 * Quantity.Value and MilliValue round. Unparsable input counts as 0.
 */
export function parseQuantity(q: Quantity | undefined, milli = false): number {
  if (q === undefined || q === null) return 0;
  if (typeof q === 'number') return Math.ceil(milli ? q * 1000 : q);
  const m = quantityRe.exec(q.trim());
  if (!m) return 0;
  const suffix = m[2] ?? '';
  let value: number;
  if (suffix in binarySuffix) value = Number(m[1]) * 2 ** binarySuffix[suffix];
  else {
    const exp = (suffix in decimalSuffix ? decimalSuffix[suffix] : Number(suffix.slice(1))) + (milli ? 3 : 0);
    // Shift the decimal point in text so "0.1" with milli is exactly 100, not 100.00000000000001.
    value = Number(`${m[1]}e${exp}`);
    return Math.ceil(value);
  }
  if (milli) value *= 1000;
  return Math.ceil(Number(value.toPrecision(15)));
}

export function emptyResources(): Resources {
  return { milliCPU: 0, memory: 0, ephemeralStorage: 0, scalar: {} };
}

export function cloneResources(r: Resources): Resources {
  return { milliCPU: r.milliCPU, memory: r.memory, ephemeralStorage: r.ephemeralStorage, scalar: { ...r.scalar } };
}

/** A ResourceList as Resources; `pods` is left out (it is a node's count, not a request). */
export function resourcesFromList(list: ResourceList | undefined): Resources {
  const r = emptyResources();
  for (const [name, q] of Object.entries(list ?? {})) {
    if (name === 'cpu') r.milliCPU = parseQuantity(q, true);
    else if (name === 'memory') r.memory = parseQuantity(q);
    else if (name === 'ephemeral-storage') r.ephemeralStorage = parseQuantity(q);
    else if (name !== 'pods' && isScalarResourceName(name)) r.scalar[name] = parseQuantity(q);
  }
  return r;
}

/** v1helper.IsScalarResourceName: extended (domain-qualified) resources, hugepages, attachable volumes. */
export function isScalarResourceName(name: string): boolean {
  return name.includes('/') || name.startsWith('hugepages-') || name.startsWith('attachable-volumes-');
}

export function addResources(into: Resources, r: Resources, sign = 1): void {
  into.milliCPU += sign * r.milliCPU;
  into.memory += sign * r.memory;
  into.ephemeralStorage += sign * r.ephemeralStorage;
  for (const [name, v] of Object.entries(r.scalar)) into.scalar[name] = (into.scalar[name] ?? 0) + sign * v;
}

function maxResources(into: Resources, r: Resources): void {
  into.milliCPU = Math.max(into.milliCPU, r.milliCPU);
  into.memory = Math.max(into.memory, r.memory);
  into.ephemeralStorage = Math.max(into.ephemeralStorage, r.ephemeralStorage);
  for (const [name, v] of Object.entries(r.scalar)) into.scalar[name] = Math.max(into.scalar[name] ?? 0, v);
}

function containerRequests(c: Container, nonZero: boolean): Resources {
  const requests = c.resources?.requests ?? {};
  const r = resourcesFromList(requests);
  // NonMissingContainerRequests: only a missing request is defaulted, an explicit 0 stays 0.
  if (nonZero && !('cpu' in requests)) r.milliCPU = defaultMilliCPURequest;
  if (nonZero && !('memory' in requests)) r.memory = defaultMemoryRequest;
  return r;
}

/**
 * resourcehelper.PodRequests: the sum of the app containers and the sidecars (restartable
 * init containers), or the largest init container step if larger (each step runs beside the
 * sidecars started before it), plus the pod overhead.
 */
export function podRequests(pod: Pod, nonZero = false): Resources {
  const spec = pod.spec ?? {};
  const total = emptyResources();
  for (const c of spec.containers ?? []) addResources(total, containerRequests(c, nonZero));
  const sidecars = emptyResources();
  const initMax = emptyResources();
  for (const c of spec.initContainers ?? []) {
    const r = containerRequests(c, nonZero);
    if (c.restartPolicy === 'Always') {
      addResources(total, r);
      addResources(sidecars, r);
      maxResources(initMax, sidecars);
    } else {
      addResources(r, sidecars);
      maxResources(initMax, r);
    }
  }
  maxResources(total, initMax);
  if (spec.overhead) addResources(total, resourcesFromList(spec.overhead));
  return total;
}

export function nonZeroRequests(pod: Pod): NonZeroResources {
  const r = podRequests(pod, true);
  return { milliCPU: r.milliCPU, memory: r.memory };
}

export function isZero(r: Resources): boolean {
  return r.milliCPU === 0 && r.memory === 0 && r.ephemeralStorage === 0 && Object.values(r.scalar).every((v) => v === 0);
}
