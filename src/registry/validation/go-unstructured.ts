// How kube words a strategic merge patch whose result has a value of the wrong type. kube's
// patcher merges maps and then converts the map straight into the typed object with
// runtime.DefaultUnstructuredConverter (FromUnstructuredWithValidation), not through JSON, so
// its errors are the converter's ("cannot restore map from string"), reported as a 422
// `patch: Invalid value: "<the patch as Go's %+v prints it>": <error>`.
import type { ValidationSchema } from './validation-schema.ts';

/** reflect.Kind of a value as json.Unmarshal into interface{} builds it (kube keeps integers as int64). */
function sourceKind(value: unknown): string {
  if (Array.isArray(value)) return 'slice';
  switch (typeof value) {
    case 'string': return 'string';
    case 'boolean': return 'bool';
    case 'number': return Number.isInteger(value) ? 'int64' : 'float64';
    default: return 'map';
  }
}

/**
 * The converter's error for `value` decoded into a field of schema `target` (already
 * resolved), or undefined when the converter would take it. `goType` is the field's Go type.
 */
export function conversionError(value: unknown, target: ValidationSchema, goType: string): string | undefined {
  const kind = sourceKind(value);
  const type = Array.isArray(target.type) ? undefined : target.type;
  switch (type) {
    case 'object':
      if (kind === 'map') return undefined;
      return typeof target.additionalProperties === 'object'
        ? `cannot restore map from ${kind}`
        : `cannot restore struct from: ${kind}`;
    case 'array':
      return kind === 'slice' ? undefined : `cannot restore slice from ${kind}`;
    case 'string':
      if (kind === 'string') return undefined;
      // Go can convert an integer to a string (a rune), so the converter names both types.
      return kind === 'int64' ? 'cannot convert int64 to string' : 'unrecognized type: string';
    case 'integer':
      if (kind === 'int64') return undefined;
      return kind === 'float64' ? `cannot convert float64 to ${goType}` : `unrecognized type: ${goType}`;
    case 'number':
      return kind === 'int64' || kind === 'float64' ? undefined : 'unrecognized type: float64';
    case 'boolean':
      return kind === 'bool' ? undefined : 'unrecognized type: bool';
    default:
      return undefined;
  }
}

/** A float64 as Go's %v prints it: shortest digits, exponent form below 1e-4 and from 1e21. */
function goFloat(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN';
  const exponent = n === 0 ? 0 : Math.floor(Math.log10(Math.abs(n)));
  if (exponent < -4 || exponent >= 21) {
    const [mantissa, exp] = n.toExponential().split('e');
    const sign = exp.startsWith('-') ? '-' : '+';
    return `${mantissa}e${sign}${exp.replace(/^[-+]/, '').padStart(2, '0')}`;
  }
  return String(n);
}

/** How deep %+v rendering goes before eliding (patches deeper than this were refused earlier). */
const maxRenderDepth = 64;

/** `fmt.Sprintf("%+v", patchMap)` for a decoded JSON value: `map[metadata:map[labels:invalid]]`, keys sorted. */
export function goPrintValue(value: unknown, depth = 0): string {
  if (depth > maxRenderDepth) return '...';
  if (value === null || value === undefined) return '<nil>';
  if (Array.isArray(value)) return `[${value.map((v) => goPrintValue(v, depth + 1)).join(' ')}]`;
  switch (typeof value) {
    case 'string': return value;
    case 'boolean': return String(value);
    case 'number': return Number.isInteger(value) && Math.abs(value) < 1e21 ? BigInt(value).toString() : goFloat(value);
    case 'object': {
      const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `map[${entries.map(([k, v]) => `${k}:${goPrintValue(v, depth + 1)}`).join(' ')}]`;
    }
    default: return String(value);
  }
}
