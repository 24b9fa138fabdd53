// The small validators of k8s.io/apimachinery/pkg/util/validation that the core kinds use,
// with kube's exact messages (they reach users verbatim in `kubectl` errors).
import { field, type FieldError } from '../../api/errors.ts';
import { maxLenError } from '../validation/names.ts';

// The name, label and port checks live in validation/names.ts; re-exported for the kinds here.
export {
  isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidIP, isValidLabelValue, isValidPortName, isValidPortNum,
} from '../validation/names.ts';
export { validateLabels } from '../validation/metadata.ts';

const configMapKeyFmt = '[-._a-zA-Z0-9]+';
const configMapKeyRe = new RegExp(`^${configMapKeyFmt}$`);


/** validation.IsConfigMapKey: keys of ConfigMap and Secret data. */
export function isConfigMapKey(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push(maxLenError(253));
  if (!configMapKeyRe.test(value)) {
    errs.push(`a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', ` +
      `regex used for validation is '${configMapKeyFmt}')`);
  }
  if (value === '.') errs.push("must not be '.'");
  else if (value === '..') errs.push("must not be '..'");
  else if (value.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

export const portRangeMessage = 'must be between 1 and 65535, inclusive';

export function isIPv4(value: string): boolean {
  const parts = value.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255);
}

export function isIPv6(value: string): boolean {
  if (!value.includes(':') || !/^[0-9a-fA-F:.]+$/.test(value)) return false;
  const halves = value.split('::');
  if (halves.length > 2) return false;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const all = [...groups(halves[0]), ...(halves.length === 2 ? groups(halves[1]) : [])];
  const last = all[all.length - 1];
  const embedsV4 = last !== undefined && last.includes('.');
  if (embedsV4 && !isIPv4(last)) return false;
  const hex = embedsV4 ? all.slice(0, -1) : all;
  if (!hex.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  const count = hex.length + (embedsV4 ? 2 : 0);
  return halves.length === 2 ? count < 8 : count === 8;
}

/** Each message of a validator as an Invalid error at `path`. */
export function invalidEach(path: string, value: unknown, messages: string[]): FieldError[] {
  return messages.map((m) => field.invalid(path, value, m));
}

/** apimachinery's ValidateImmutableField. */
export function immutableField(newValue: unknown, oldValue: unknown, path: string, equal: (a: unknown, b: unknown) => boolean): FieldError[] {
  return equal(newValue, oldValue) ? [] : [field.invalid(path, newValue, 'field is immutable')];
}

/** `path[key]`, as field.Path.Key renders map keys. */
export function keyPath(path: string, key: string): string {
  return `${path}[${key}]`;
}
