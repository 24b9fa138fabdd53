// The Kubernetes types whose JSON form is not their message's fields: each is read here and
// rendered as its Go MarshalJSON renders it (metav1.Time → RFC 3339, Quantity → its string,
// IntOrString → a number or a string, RawExtension → the embedded object, ...).
import { ProtoError, ProtoReader, WIRE_BYTES, WIRE_VARINT, expectWire, readFields, varintToInt32, varintToInt64, type Varint } from './reader.ts';

/** Decodes what the special types embed: typed messages and nested `k8s\x00` envelopes. */
export interface NestedDecoder {
  message(buf: Buffer, definition: string): Record<string, unknown>;
  envelope(buf: Buffer): unknown;
}

const meta = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const apiextensions = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.';
const jsonSchemaProps = `${apiextensions}JSONSchemaProps`;
export const protobufMagic = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

type SpecialDecoder = (buf: Buffer, nested: NestedDecoder) => unknown;

/** Decoders by definition name; `undefined` from one means "absent", as Go's `null` is. */
export const specialTypes: Record<string, SpecialDecoder> = {
  [`${meta}Time`]: (buf) => formatTime(buf, 'Time', false),
  [`${meta}MicroTime`]: (buf) => formatTime(buf, 'MicroTime', true),
  [`${meta}FieldsV1`]: (buf) => rawJSON(buf, 'FieldsV1', false),
  'io.k8s.apimachinery.pkg.runtime.RawExtension': (buf, nested) => rawJSON(buf, 'RawExtension', true, nested),
  'io.k8s.apimachinery.pkg.api.resource.Quantity': quantity,
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': intOrString,
  [`${apiextensions}JSON`]: (buf) => rawJSON(buf, 'JSON', false),
  [`${apiextensions}JSONSchemaPropsOrArray`]: schemaOrArray,
  [`${apiextensions}JSONSchemaPropsOrBool`]: schemaOrBool,
  [`${apiextensions}JSONSchemaPropsOrStringArray`]: schemaOrStringArray,
};

/** Seconds from year 1 to the Unix epoch: a Timestamp saying this is Go's zero Time. */
const zeroTimeSeconds = -62135596800;

function formatTime(buf: Buffer, goType: string, micro: boolean): string | undefined {
  if (buf.length === 0) return undefined; // Go's zero Time marshals as no bytes, and as JSON null
  let seconds = 0;
  let nanos = 0;
  readFields(buf, 'Timestamp', (r, tag) => {
    if (tag.field !== 1 && tag.field !== 2) return false;
    expectWire(tag, WIRE_VARINT, tag.field === 1 ? 'Seconds' : 'Nanos');
    const v = r.varint();
    if (tag.field === 1) seconds = varintToInt64(v);
    else nanos = varintToInt32(v);
    return true;
  });
  // metav1.Time keeps whole seconds only; MicroTime truncates to microseconds.
  const micros = micro ? Math.trunc(nanos / 1000) : 0;
  if (seconds === zeroTimeSeconds && micros === 0) return undefined;
  const date = new Date(seconds * 1000);
  const year = date.getUTCFullYear();
  if (Number.isNaN(year) || year < 0 || year > 9999) {
    throw new ProtoError(`${goType}.MarshalJSON: year outside of range [0,9999]`);
  }
  const iso = date.toISOString().replace(/^\+0*(\d{4})/, '$1').slice(0, 19);
  return micro ? `${iso}.${String(((micros % 1e6) + 1e6) % 1e6).padStart(6, '0')}Z` : `${iso}Z`;
}

/** The bytes field 1 holds: RawExtension, FieldsV1 and apiextensions JSON all wrap raw JSON. */
function rawField(buf: Buffer, goType: string): Buffer | undefined {
  let raw: Buffer | undefined;
  readFields(buf, goType, (r, tag) => {
    if (tag.field !== 1) return false;
    expectWire(tag, WIRE_BYTES, 'Raw');
    raw = r.bytes();
    return true;
  });
  return raw;
}

function rawJSON(buf: Buffer, goType: string, mayNest: boolean, nested?: NestedDecoder): unknown {
  const raw = rawField(buf, goType);
  if (!raw || raw.length === 0) return undefined;
  if (mayNest && nested && raw.subarray(0, 4).equals(protobufMagic)) return nested.envelope(raw);
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new ProtoError(`${goType}: invalid JSON: ${(err as Error).message}`);
  }
}

function quantity(buf: Buffer): string {
  let value = '0'; // a zero Quantity marshals as "0"
  readFields(buf, 'Quantity', (r, tag) => {
    if (tag.field !== 1) return false;
    expectWire(tag, WIRE_BYTES, 'String');
    value = r.bytes().toString('utf8');
    return true;
  });
  return value;
}

function intOrString(buf: Buffer): number | string {
  let type = 0;
  let intVal = 0;
  let strVal = '';
  readFields(buf, 'IntOrString', (r, tag) => {
    if (tag.field < 1 || tag.field > 3) return false;
    expectWire(tag, tag.field === 3 ? WIRE_BYTES : WIRE_VARINT, ['Type', 'IntVal', 'StrVal'][tag.field - 1]);
    if (tag.field === 3) strVal = r.bytes().toString('utf8');
    else if (tag.field === 1) type = varintToInt64(r.varint());
    else intVal = varintToInt32(r.varint());
    return true;
  });
  if (type === 0) return intVal;
  if (type === 1) return strVal;
  throw new ProtoError('impossible IntOrString.Type');
}

/** Reads the two fields of a JSONSchemaPropsOr* message: a bool/strings/schemas and a schema. */
function orMessage(buf: Buffer, goType: string, schemaField: number, nested: NestedDecoder,
  other: (r: ProtoReader, wire: number) => void): Record<string, unknown> | undefined {
  let schema: Record<string, unknown> | undefined;
  readFields(buf, goType, (r, tag) => {
    if (tag.field === schemaField) {
      expectWire(tag, WIRE_BYTES, 'Schema');
      schema = { ...schema, ...nested.message(r.bytes(), jsonSchemaProps) };
      return true;
    }
    if (tag.field !== 1 && tag.field !== 2) return false;
    other(r, tag.wire);
    return true;
  });
  return schema;
}

function schemaOrArray(buf: Buffer, nested: NestedDecoder): unknown {
  const schemas: unknown[] = [];
  const schema = orMessage(buf, 'JSONSchemaPropsOrArray', 1, nested, (r, wire) => {
    expectWire({ field: 2, wire }, WIRE_BYTES, 'JSONSchemas');
    schemas.push(nested.message(r.bytes(), jsonSchemaProps));
  });
  return schemas.length > 0 ? schemas : schema;
}

function schemaOrBool(buf: Buffer, nested: NestedDecoder): unknown {
  let allows: Varint = { low: 0, high: 0 };
  const schema = orMessage(buf, 'JSONSchemaPropsOrBool', 2, nested, (r, wire) => {
    expectWire({ field: 1, wire }, WIRE_VARINT, 'Allows');
    allows = r.varint();
  });
  return schema ?? (allows.low !== 0 || allows.high !== 0);
}

function schemaOrStringArray(buf: Buffer, nested: NestedDecoder): unknown {
  const property: string[] = [];
  const schema = orMessage(buf, 'JSONSchemaPropsOrStringArray', 1, nested, (r, wire) => {
    expectWire({ field: 2, wire }, WIRE_BYTES, 'Property');
    property.push(r.bytes().toString('utf8'));
  });
  return property.length > 0 ? property : schema;
}

/** time.Duration.String(): 1h0m0s, 1m30s, 1.5s, 300ms, 2µs, 0s. */
export function goDurationString(nanoseconds: bigint): string {
  const neg = nanoseconds < 0n;
  let u = neg ? -nanoseconds : nanoseconds;
  let out: string;
  if (u === 0n) return '0s';
  if (u < 1_000_000_000n) {
    const [prec, unit] = u < 1000n ? [0, 'ns'] : u < 1_000_000n ? [3, 'µs'] : [6, 'ms'];
    const [frac, whole] = fraction(u, prec);
    out = `${whole}${frac}${unit}`;
  } else {
    const [frac, seconds] = fraction(u, 9);
    u = seconds;
    out = `${u % 60n}${frac}s`;
    u /= 60n;
    if (u > 0n) {
      out = `${u % 60n}m${out}`;
      u /= 60n;
      if (u > 0n) out = `${u}h${out}`;
    }
  }
  return neg ? `-${out}` : out;
}

/** Go's fmtFrac: v / 10^prec as [".fraction" without trailing zeros, whole part]. */
function fraction(v: bigint, prec: number): [string, bigint] {
  if (prec === 0) return ['', v];
  const scale = 10n ** BigInt(prec);
  const digits = (v % scale).toString().padStart(prec, '0').replace(/0+$/, '');
  return [digits ? `.${digits}` : '', v / scale];
}

export function varintToBigInt(v: Varint): bigint {
  return BigInt.asIntN(64, (BigInt(v.high) << 32n) | BigInt(v.low));
}
