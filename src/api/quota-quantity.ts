// Quota arithmetic on quantities: amounts are parsed to numbers (api/quantity.ts)
// and printed back in kube's canonical forms, BinarySI (Ki, Mi, Gi…) or DecimalSI (m, k, M…),
// picking the largest suffix that divides the amount exactly, as resource.Quantity.String does.
import { parseQuantity } from './quantity.ts';

export { parseQuantity };

const binary: Array<[string, number]> = [['Ei', 2 ** 60], ['Pi', 2 ** 50], ['Ti', 2 ** 40], ['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]];
const decimal: Array<[string, number]> = [['E', 1e18], ['P', 1e15], ['T', 1e12], ['G', 1e9], ['M', 1e6], ['k', 1e3], ['', 1], ['m', 1e-3]];

function exact(n: number, unit: number): boolean {
  const q = n / unit;
  return Math.abs(q - Math.round(q)) < 1e-9;
}

/** The canonical string of an amount; `binaryLike` says whether the quantities it came from were BinarySI. */
export function formatQuantity(n: number, binaryLike = false): string {
  if (n === 0) return '0';
  if (binaryLike && Number.isInteger(n)) {
    for (const [suffix, unit] of binary) if (Math.abs(n) >= unit && exact(n, unit)) return `${Math.round(n / unit)}${suffix}`;
    return String(n);
  }
  for (const [suffix, unit] of decimal) if (Math.abs(n) >= unit && exact(n, unit)) return `${Math.round(n / unit)}${suffix}`;
  return `${Math.ceil(n * 1000)}m`;
}

export function isBinary(value: unknown): boolean {
  return typeof value === 'string' && /i$/.test(value.trim());
}
