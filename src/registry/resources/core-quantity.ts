// Just enough of k8s.io/apimachinery's resource.Quantity to compare amounts (requests vs
// limits, QoS classes). Values are kept as they were written; kube's canonical re-formatting
// of quantities is not done here.
import { field, type FieldError } from '../../api/errors.ts';
import { keyPath } from './core-validation.ts';

const decimalSuffixes: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
};
const binarySuffixes: Record<string, number> = {
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

const quantityRe = /^([+-]?(?:\d+\.?\d*|\.\d+))((?:[eE][+-]?\d+)|Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?$/;

/** The amount a quantity string denotes, or undefined when it is not a quantity. */
export function parseQuantity(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  const m = quantityRe.exec(value.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const suffix = m[2] ?? '';
  if (suffix in binarySuffixes) return n * binarySuffixes[suffix];
  if (suffix in decimalSuffixes) return n * decimalSuffixes[suffix];
  return n * 10 ** Number(suffix.slice(1));
}

/** Quantity.Cmp: -1, 0 or 1 (with a tolerance for floating point). */
export function compareQuantities(a: unknown, b: unknown): number {
  const x = parseQuantity(a) ?? 0;
  const y = parseQuantity(b) ?? 0;
  const eps = Math.max(Math.abs(x), Math.abs(y)) * 1e-12;
  if (Math.abs(x - y) <= eps) return 0;
  return x < y ? -1 : 1;
}

/** The string kube prints for a quantity (Quantity.String()); "0" when unset. */
export function quantityString(value: unknown): string {
  if (value === undefined || value === null || value === '') return '0';
  return String(value);
}

/**
 * ValidateResourceQuantityValue's ValidateNonnegativeQuantity for each quantity of a resource
 * list (requests, limits, a quota's hard, a LimitRange's min/max/defaults): kube refuses a
 * negative amount with "must be greater than or equal to 0" at `path[name]`.
 */
export function validateNonnegativeQuantities(list: unknown, path: string): FieldError[] {
  if (typeof list !== 'object' || list === null || Array.isArray(list)) return [];
  const errs: FieldError[] = [];
  for (const [name, quantity] of Object.entries(list)) {
    const amount = parseQuantity(quantity);
    if (amount !== undefined && amount < 0) errs.push(field.invalid(keyPath(path, name), String(quantity), 'must be greater than or equal to 0'));
  }
  return errs;
}
