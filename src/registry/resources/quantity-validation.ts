// Validation of resource quantities, as k8s.io/kubernetes' ValidateResourceQuantityValue.
import { field, type FieldError } from '../../api/errors.ts';
import { parseQuantity } from '../../api/quantity.ts';
import { keyPath } from './core-validation.ts';

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
