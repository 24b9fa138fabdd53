// How Go's JSON decoder, as kube-apiserver runs it (sigs.k8s.io/json over encoding/json),
// words what it refuses, so kubelite's 400s read like kube-apiserver's:
//   json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32
// plus the checks the self-decoding Kubernetes types make in their UnmarshalJSON: Quantity
// (resource.ParseQuantity), Time (time.Parse with RFC 3339) and []byte (standard base64).
import type { ValidationSchema } from './validation-schema.ts';

/** Go's name for a JSON value in an UnmarshalTypeError (`number 1.5` when a number does not fit an integer). */
export function jsonValueWord(value: unknown, intoInteger = false): string {
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'string': return 'string';
    case 'boolean': return 'bool';
    case 'number': return intoInteger ? `number ${goNumberLiteral(value)}` : 'number';
    case 'object': return value === null ? 'null' : 'object';
    default: return typeof value;
  }
}

/** The literal as it most likely appeared in the request (JSON.parse kept only the value). */
function goNumberLiteral(n: number): string {
  return Number.isInteger(n) && Math.abs(n) < 1e21 ? BigInt(n).toString() : String(n);
}

/** The Go type a schema stands for, as reflect.Type.String() prints it: `v1.PodSpec`, `[]v1.Container`, `map[string]string`. */
export function goTypeName(schema: ValidationSchema): string {
  if (schema.$ref) {
    const parts = schema.$ref.split('.');
    return `${parts[parts.length - 2]}.${parts[parts.length - 1]}`;
  }
  if (schema['x-decode'] === 'byte') return '[]uint8';
  if (schema['x-decode'] === 'int-or-string') return 'intstr.IntOrString';
  switch (Array.isArray(schema.type) ? undefined : schema.type) {
    case 'string': return 'string';
    case 'boolean': return 'bool';
    case 'number': return 'float64';
    case 'integer': return schema['x-go'] ?? 'int64';
    case 'array': return `[]${goTypeName(schema.items ?? {})}`;
    case 'object':
      return typeof schema.additionalProperties === 'object' ? `map[string]${goTypeName(schema.additionalProperties)}` : 'struct';
    default: return 'interface {}';
  }
}

/** encoding/json's UnmarshalTypeError text, with or without the struct field context. */
export function unmarshalTypeError(value: string, goType: string, context?: { struct: string; field: string }): string {
  return context
    ? `json: cannot unmarshal ${value} into Go struct field ${context.struct}.${context.field} of type ${goType}`
    : `json: cannot unmarshal ${value} into Go value of type ${goType}`;
}

// ---- resource.Quantity ----

const quantityFormatError = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const quantityShape = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;
const quantitySuffixes = new Set(['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'n', 'u', 'm', 'k', 'M', 'G', 'T', 'P', 'E']);

/** Why resource.ParseQuantity would refuse `raw` (the JSON text, quotes removed), or undefined. */
export function quantityError(raw: string): string | undefined {
  const s = raw.trim();
  const m = quantityShape.exec(s);
  if (!m) return quantityFormatError;
  const [, number, suffix] = m;
  const digits = number.replace(/^[+-]/, '');
  if ((digits.match(/\./g)?.length ?? 0) > 1 || !/[0-9]/.test(digits)) return 'unable to parse numeric part of quantity';
  if (!quantitySuffixes.has(suffix) && !/^[eE][-+]?[0-9]+$/.test(suffix)) return "unable to parse quantity's suffix";
  return undefined;
}

/** The same check for a JSON number standing in for a quantity. */
export function quantityNumberError(n: number): string | undefined {
  return quantityError(String(n));
}

// ---- metav1.Time (time.Parse(time.RFC3339, s)) ----

const rfc3339Layout = '2006-01-02T15:04:05Z07:00';
type TimeStep = [layoutElem: string, pattern: RegExp, range?: { name: string; min: number; max: number }];
const timeSteps: TimeStep[] = [
  ['2006', /^\d{4}/],
  ['-', /^-/],
  ['01', /^\d{2}/, { name: 'month', min: 1, max: 12 }],
  ['-', /^-/],
  ['02', /^\d{2}/, { name: 'day', min: 1, max: 31 }],
  ['T', /^T/],
  ['15', /^\d{1,2}/, { name: 'hour', min: 0, max: 23 }],
  [':', /^:/],
  ['04', /^\d{2}/, { name: 'minute', min: 0, max: 59 }],
  [':', /^:/],
  ['05', /^\d{2}(\.\d+)?/, { name: 'second', min: 0, max: 59 }],
  ['Z07:00', /^(Z|[+-]\d{2}:\d{2})/],
];

/** Why Go's time.Parse(time.RFC3339, s) would refuse `s`, worded as *time.ParseError, or undefined. */
export function timeError(s: string): string | undefined {
  const q = JSON.stringify;
  let rest = s;
  for (const [elem, pattern, range] of timeSteps) {
    const m = pattern.exec(rest);
    if (!m) return `parsing time ${q(s)} as ${q(rfc3339Layout)}: cannot parse ${q(rest)} as ${q(elem)}`;
    if (range) {
      const n = parseInt(m[0], 10);
      if (n < range.min || n > range.max) return `parsing time ${q(s)}: ${range.name} out of range`;
    }
    rest = rest.slice(m[0].length);
  }
  if (rest !== '') return `parsing time ${q(s)}: extra text: ${q(rest)}`;
  const [year, month, day] = [s.slice(0, 4), s.slice(5, 7), s.slice(8, 10)].map(Number);
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return `parsing time ${q(s)}: day out of range`;
  return undefined;
}

// ---- []byte (base64.StdEncoding, which skips \r and \n) ----

const base64Alphabet = /[A-Za-z0-9+/]/;

/** Why base64.StdEncoding.Decode would refuse `s`, as `illegal base64 data at input byte N`, or undefined. */
export function base64Error(s: string): string | undefined {
  const bad = (offset: number) => `illegal base64 data at input byte ${offset}`;
  const isNewline = (c: string) => c === '\n' || c === '\r';
  let i = 0;
  while (i < s.length) {
    // One quantum: up to four characters, or fewer ended by padding.
    let j = 0;
    for (; j < 4; j++) {
      while (i < s.length && isNewline(s[i])) i++;
      if (i === s.length) {
        if (j === 0) return undefined;
        return bad(i - j);
      }
      const c = s[i++];
      if (base64Alphabet.test(c)) continue;
      if (c !== '=') return bad(i - 1);
      if (j < 2) return bad(i - 1);
      if (j === 2) {
        while (i < s.length && isNewline(s[i])) i++;
        if (i === s.length) return bad(s.length);
        if (s[i] !== '=') return bad(i - 1);
        i++;
      }
      while (i < s.length && isNewline(s[i])) i++;
      return i < s.length ? bad(i) : undefined;
    }
  }
  return undefined;
}
