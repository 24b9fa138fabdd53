// Number literals judged as Go's decoder judges them (encoding/json's literalStore, as
// sigs.k8s.io/json runs it for kube-apiserver): an integer field takes only what
// strconv.ParseInt takes and what fits the field, a float64 field what strconv.ParseFloat
// takes without overflow. So `replicas: 1.0`, `1E2` and 2147483648 are refused for an int32,
// 9223372036854775808 for an int64 and `1e400` for any number:
//   json: cannot unmarshal number 1.0 into Go struct field DeploymentSpec.spec.replicas of type int32
// JSON.parse keeps only the value, so the request decoder records the literals whose text
// matters (api/json-scan.ts) and they are checked here against the field's schema. One
// refusal is kubelite's own: an integer Go would keep exact past 2^53 (see inexactIntegerError).
import type { NumberLiteral } from '../../api/json-scan.ts';
import { goTypeName, quantityError, unmarshalTypeError } from './go-decode.ts';
import { decodeContext, resolve, valueAt, type Definitions } from './schema-walk.ts';

const integerRanges: Record<string, [bigint, bigint]> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
};

/** Whether strconv.ParseInt(literal, 10, 64) succeeds and the result fits `goType`. */
export function parsesAsGoInt(literal: string, goType: 'int32' | 'int64'): boolean {
  if (!/^-?(0|[1-9][0-9]*)$/.test(literal)) return false;
  const [min, max] = integerRanges[goType];
  const n = BigInt(literal);
  return n >= min && n <= max;
}

/**
 * kubelite's own limit, not kube's: an int64 past 2^53-1 would be stored rounded (objects are
 * held as JavaScript numbers), so it is refused rather than silently changed. Worded like the
 * decoder's errors, naming the field, so clients show it as they show a decode error.
 */
export function inexactIntegerError(literal: string, goType: string, context?: { struct: string; field: string }): string {
  const where = context ? `Go struct field ${context.struct}.${context.field}` : 'Go value';
  return `number ${literal} for ${where} of type ${goType} cannot be kept exactly: ` +
    `kubelite holds integers between -${Number.MAX_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}`;
}

/** The key under which a location's literal is kept. */
export function locationKey(segments: string[]): string {
  return segments.join('\u0000');
}

export function literalIndex(numbers: NumberLiteral[] | undefined): Map<string, string> | undefined {
  if (!numbers?.length) return undefined;
  return new Map(numbers.map((n) => [locationKey(n.segments), n.literal]));
}

export interface LiteralError {
  segments: string[];
  message: string;
  /** An error from a type's own UnmarshalJSON (IntOrString, Quantity) stops decoding at once. */
  aborts: boolean;
}

/**
 * The decode errors of the recorded literals of `obj`, decoded as `definition`. Literals in
 * unknown fields or in fields Go keeps as raw JSON are skipped, as Go skips them.
 */
export function numberLiteralErrors(defs: Definitions, definition: string, obj: unknown, numbers: NumberLiteral[]): LiteralError[] {
  const out: LiteralError[] = [];
  for (const { segments, literal } of numbers) {
    if (typeof valueAt(obj, segments) !== 'number') continue;
    const ctx = decodeContext(defs, definition, segments, obj);
    const target = resolve(defs, ctx.target).schema;
    // Inside a CRD schema wrapper (a nested json.Unmarshal) the error stops decoding and names the wrapper's field.
    const frame = ctx.wrapper ?? ctx;
    const context = frame.struct ? { struct: frame.struct, field: frame.fields.join('.') } : undefined;
    const nested = ctx.wrapper !== undefined;
    const word = `number ${literal}`;
    if (target['x-decode'] === 'int-or-string') {
      if (!parsesAsGoInt(literal, 'int32')) out.push({ segments, aborts: true, message: unmarshalTypeError(word, 'int32', context) });
    } else if (target['x-decode'] === 'quantity') {
      const why = quantityError(literal);
      if (why) out.push({ segments, aborts: true, message: why });
    } else if (target.type === 'integer') {
      const goType = target['x-go'] ?? 'int64';
      if (!parsesAsGoInt(literal, goType)) out.push({ segments, aborts: nested, message: unmarshalTypeError(word, goTypeName(ctx.target), context) });
      else if (!Number.isSafeInteger(Number(literal))) out.push({ segments, aborts: nested, message: inexactIntegerError(literal, goTypeName(ctx.target), context) });
    } else if (target.type === 'number') {
      if (!Number.isFinite(Number(literal))) out.push({ segments, aborts: nested, message: unmarshalTypeError(word, 'float64', context) });
    }
  }
  return out;
}
