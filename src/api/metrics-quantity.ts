// Usage amounts as the resource metrics API writes them: cpu in nanocores and memory in
// bytes, printed in resource.Quantity's canonical form (metrics-server builds them with
// NewScaledQuantity(nanocores, Nano) and NewQuantity(bytes, BinarySI), so `250000000n`
// prints as `250m` and `67108864` as `64Mi`).
import { parseQuantity } from './pod-resources.ts';

/** Nanocores in the largest decimal suffix that keeps it exact: `12345678n`, `250m`, `2`. */
export function formatNanocores(nanocores: number): string {
  const n = Math.max(0, Math.round(nanocores));
  if (n === 0) return '0';
  if (n % 1e9 === 0) return String(n / 1e9);
  if (n % 1e6 === 0) return `${n / 1e6}m`;
  if (n % 1e3 === 0) return `${n / 1e3}u`;
  return `${n}n`;
}

/** Bytes in the largest binary suffix that keeps it exact (`64Mi`, `1234Ki`), plain below 1Ki. */
export function formatBytes(bytes: number): string {
  let n = Math.max(0, Math.round(bytes));
  if (n < 1024) return String(n);
  const suffixes = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
  let i = 0;
  while (i < suffixes.length - 1 && n % 1024 === 0) {
    n /= 1024;
    i++;
  }
  return `${n}${suffixes[i]}`;
}

/** A cpu quantity (`250m`, `0.5`, `12345n`) in nanocores; undefined when it is not a quantity. */
export function parseNanocores(q: unknown): number | undefined {
  if (typeof q !== 'string' && typeof q !== 'number') return undefined;
  if (typeof q === 'string' && !/^\s*[+]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+|[numkMGTPE]|[KMGTPE]i)?\s*$/.test(q)) return undefined;
  // MilliValue is exact for anything a user writes; below a millicore, read the nanos directly.
  const nano = typeof q === 'string' && /n\s*$/.test(q) ? Number(q.trim().slice(0, -1)) : undefined;
  return nano ?? parseQuantity(q, true) * 1e6;
}

/** A memory quantity in bytes; undefined when it is not a quantity. */
export function parseBytes(q: unknown): number | undefined {
  if (typeof q !== 'string' && typeof q !== 'number') return undefined;
  if (typeof q === 'string' && !/^\s*[+]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+|[numkMGTPE]|[KMGTPE]i)?\s*$/.test(q)) return undefined;
  return parseQuantity(q);
}
