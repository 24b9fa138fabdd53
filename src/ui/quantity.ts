// resource.Quantity strings as numbers: cpu in cores ("250m" → 0.25), memory in bytes ("1Gi").
const suffixes: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, Pi: 1024 ** 5, Ei: 1024 ** 6,
};

export function parseQuantity(q: unknown): number {
  if (typeof q === 'number') return q;
  if (typeof q !== 'string') return 0;
  const m = /^([+-]?[0-9.]+)(?:[eE]([+-]?\d+))?([a-zA-Z]*)$/.exec(q.trim());
  if (!m) return 0;
  const exp = m[2] ? 10 ** Number(m[2]) : 1;
  return Number(m[1]) * exp * (suffixes[m[3]] ?? 1);
}

export function formatBytes(n: number): string {
  const units = ['B', 'Ki', 'Mi', 'Gi', 'Ti'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return `${n >= 10 || i === 0 ? Math.round(n) : n.toFixed(1)}${units[i]}`;
}

export function formatCpu(cores: number): string {
  return cores >= 1 ? `${+cores.toFixed(2)}` : `${Math.round(cores * 1000)}m`;
}

/** Sums containers' requests of one resource, as the scheduler counts them (init containers: the max). */
export function podRequest(pod: { spec?: any }, resource: 'cpu' | 'memory'): number {
  const sum = (cs: any[] | undefined) => (cs ?? []).reduce((t, c) => t + parseQuantity(c?.resources?.requests?.[resource]), 0);
  const init = Math.max(0, ...(pod.spec?.initContainers ?? []).map((c: any) => parseQuantity(c?.resources?.requests?.[resource])));
  return Math.max(sum(pod.spec?.containers), init);
}
