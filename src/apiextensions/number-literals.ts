// Number literals in a custom resource, as kube's unstructured decoder reads them
// (sigs.k8s.io/json with PreserveInts): a literal that strconv.ParseInt takes becomes an
// int64, anything else a float64 — and one ParseFloat refuses (`1e400`) fails the request
// with a 400 before any schema is looked at:
//   json: cannot unmarshal number 1e400 into Go value of type float64
// A float64 in an `integer` field is then accepted by the schema validation only if it is a
// whole number within ±(2^53-1) (go-openapi's IsFloat64AJSONInteger): `1.0` and `1E2` pass,
// while 9223372036854775808 (past int64, so a float64) is a 422 type error. JSON.parse keeps
// only values, so the request decoder records the literals whose text matters.
import { field, type FieldError } from '../api/errors.ts';
import type { NumberLiteral } from '../api/json-scan.ts';
import { parsesAsGoInt } from '../registry/validation/number-literals.ts';
import type { JSONSchemaProps } from './types.ts';

/** The first literal ParseFloat refuses, in kube's words, or undefined. */
export function unparsableNumber(numbers: NumberLiteral[] | undefined): string | undefined {
  const bad = numbers?.find((n) => !Number.isFinite(Number(n.literal)));
  return bad && `json: cannot unmarshal number ${bad.literal} into Go value of type float64`;
}

/** The schema of the value at `segments`, following properties, items and additionalProperties. */
function schemaAt(schema: JSONSchemaProps, segments: string[]): JSONSchemaProps | undefined {
  let s: JSONSchemaProps | undefined = schema;
  for (const seg of segments) {
    if (!s) return undefined;
    if (s.type === 'array') s = s.items;
    else s = s.properties?.[seg] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
  }
  return s;
}

function fieldPath(obj: unknown, segments: string[]): string {
  let path = '';
  let v = obj;
  for (const seg of segments) {
    path += Array.isArray(v) ? `[${seg}]` : path ? `.${seg}` : seg;
    v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[seg] : undefined;
  }
  return path;
}

/**
 * Integer fields given a literal Go decodes as a float64 that is no JSON integer, as kube's 422
 * type errors; and integers past 2^53-1, which kube keeps exact and kubelite cannot (a 422 of its own).
 */
export function floatIntegerErrors(obj: unknown, schema: JSONSchemaProps, numbers: NumberLiteral[] | undefined): FieldError[] {
  const out: FieldError[] = [];
  for (const { segments, literal } of numbers ?? []) {
    if (segments[0] === 'metadata' || schemaAt(schema, segments)?.type !== 'integer') continue;
    const value = Number(literal);
    const path = fieldPath(obj, segments);
    if (parsesAsGoInt(literal, 'int64') && !Number.isSafeInteger(value)) {
      // kube keeps this int64 exact; kubelite would store it rounded, so refuses it (its own limit).
      out.push(field.invalid(path, literal, `must be between -${Number.MAX_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}: kubelite cannot keep larger integers exactly`));
      continue;
    }
    if (parsesAsGoInt(literal, 'int64') || (Number.isInteger(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER)) continue;
    out.push({ ...field.invalid(path, 'number', `${path} in body must be of type integer: "number"`), type: 'FieldValueTypeInvalid' });
  }
  return out;
}
