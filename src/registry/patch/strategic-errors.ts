// The errors a strategic merge patch fails with, worded as k8s.io/apimachinery's mergepatch and
// strategicpatch packages word them (Go's %v rendering of the offending values included), and
// answered as kube-apiserver's patch handler answers them (interpretStrategicMergePatchError):
// the bad-format sentinels are 400 BadRequest, "lists of lists" is a bare 422 Invalid, and every
// other error is not a metav1.Status at all, so the apiserver answers 500 with no reason and the
// error's text as the message (`Error from server: map: map[image:nginx] does not contain
// declared merge key: name`, as kubectl prints it).
import { StatusError, errors } from '../../api/errors.ts';
import { isJsonObject, type JsonObject, type JsonValue } from './json-value.ts';

/** The dynamic Go type strategicpatch sees for a decoded JSON value (kjson preserves ints). */
export type GoType = 'map' | 'slice' | 'string' | 'int64' | 'float64' | 'bool' | 'nil';

export function goTypeOf(v: JsonValue): GoType {
  if (v === null) return 'nil';
  if (Array.isArray(v)) return 'slice';
  if (typeof v === 'object') return 'map';
  if (typeof v === 'number') return Number.isSafeInteger(v) ? 'int64' : 'float64';
  return typeof v === 'string' ? 'string' : 'bool';
}

const reflectNames: Record<GoType, string> = {
  map: 'map[string]interface {}',
  slice: '[]interface {}',
  string: 'string',
  int64: 'int64',
  float64: 'float64',
  bool: 'bool',
  nil: '%!s(<nil>)', // fmt's rendering of a nil reflect.Type
};

/** strconv.FormatFloat(f, 'g', -1, 64), which %v prints for a float64: exponent form past 1e+06. */
function formatFloat(f: number): string {
  if (!Number.isFinite(f)) return Number.isNaN(f) ? 'NaN' : f > 0 ? '+Inf' : '-Inf';
  const [mantissa, e] = f.toExponential().split('e');
  const exp = Number(e);
  if (exp >= -4 && exp < 6) return String(f);
  return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

/** fmt's %v (verb 'v') or %s (verb 's') of a decoded JSON value: `map[a:1 b:[x y]]`, keys sorted. */
export function goFormat(v: JsonValue | undefined, verb: 'v' | 's' = 'v'): string {
  if (v === undefined || v === null) return verb === 'v' ? '<nil>' : '%!s(<nil>)';
  if (Array.isArray(v)) return `[${v.map((e) => goFormat(e, verb)).join(' ')}]`;
  if (isJsonObject(v)) {
    const keys = Object.keys(v).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return `map[${keys.map((k) => `${k}:${goFormat(v[k], verb)}`).join(' ')}]`;
  }
  if (typeof v === 'string') return v;
  const text = typeof v === 'number' ? (Number.isSafeInteger(v) ? String(v) : formatFloat(v)) : String(v);
  return verb === 'v' ? text : `%!s(${goTypeOf(v)}=${text})`;
}

/**
 * An error strategicpatch returns that kube's patch handler passes on as is (a 500 there).
 * It is always the patch's fault, and kubelite answers no 5xx for bad input (issue 16): a 400
 * BadRequest with kube's text, which kubectl prints the same way.
 */
export function unhandledError(message: string): StatusError {
  return errors.badRequest(message);
}

// ---- mergepatch sentinels (400 BadRequest, or 422 for lists of lists) ----

export const badPatchFormatForPrimitiveList = (): StatusError => errors.badRequest('invalid patch format of primitive list');
export const badPatchFormatForRetainKeys = (): StatusError => errors.badRequest('invalid patch format of retainKeys');
export const badPatchFormatForSetElementOrderList = (): StatusError => errors.badRequest('invalid patch format of setElementOrder list');

export function noListOfLists(): StatusError {
  const err = new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
  err.cause = new Error('lists of lists are not supported');
  return err;
}

// ---- plain errors (500) ----

export function noMergeKey(m: JsonObject, mergeKey: string): StatusError {
  return unhandledError(`map: ${goFormat(m)} does not contain declared merge key: ${mergeKey}`);
}

/** mergepatch.ErrBadArgType: `expected a map[string]interface {}, but received a string`. */
export function badArgType(expected: 'map' | 'slice', actual: JsonValue | undefined): StatusError {
  const received = actual === undefined ? reflectNames.nil : reflectNames[goTypeOf(actual)];
  return unhandledError(`expected a ${reflectNames[expected]}, but received a ${received}`);
}

export function badPatchType(directive: JsonValue, m: JsonObject): StatusError {
  return unhandledError(`unknown patch type: ${goFormat(directive, 's')} in map: ${goFormat(m)}`);
}

/** What a Go panic inside strategicpatch (an unhashable or untyped value) ends as: bad input, so a 400. */
export function panicked(what: string): StatusError {
  return errors.badRequest(what);
}
