// Decodes one typed Kubernetes message into the JSON object Go's encoder would write for the
// same value. The field table says which field number is which JSON property (and which zero
// values `omitempty` drops); the OpenAPI definition says each property's type: a nested
// message ($ref), a repeated field (array), a map (object with additionalProperties, sent as
// entries {key = 1, value = 2}) or a scalar (string, bytes → base64, int32/int64, double, bool).
import type { OpenAPIV2Schema } from '../../registry/validation/validation-schema.ts';
import { DROP_ZERO, DURATION, INLINE, WRAPPED, definitionSchema, fieldTable, refName, type FieldTable } from './fields.ts';
import {
  ProtoError, ProtoReader, WIRE_BYTES, WIRE_FIXED32, WIRE_FIXED64, WIRE_VARINT, expectWire, readFields,
  varintToInt32, varintToInt64, type Tag,
} from './reader.ts';
import { goDurationString, specialTypes, varintToBigInt, type NestedDecoder } from './special.ts';

/** Deeper nesting than any real object; bounds the recursion a hostile body can cause. */
const maxDepth = 100;

type JSONObject = Record<string, unknown>;

export class MessageDecoder implements NestedDecoder {
  private depth = 0;

  constructor(private readonly decodeEnvelope: (buf: Buffer) => unknown) {}

  envelope(buf: Buffer): unknown {
    return this.nest(() => this.decodeEnvelope(buf));
  }

  /** The message `buf` as the JSON object of `definition`. */
  message(buf: Buffer, definition: string): JSONObject {
    return this.nest(() => {
      const out: JSONObject = {};
      const properties = definitionSchema(definition)?.properties ?? {};
      this.fieldsInto(out, buf, definition, fieldTable(definition), properties);
      return out;
    });
  }

  private nest<T>(decode: () => T): T {
    if (++this.depth > maxDepth) throw new ProtoError(`max depth of ${maxDepth} exceeded`);
    try {
      return decode();
    } finally {
      this.depth--;
    }
  }

  /** Reads a message's fields into `out`; inlined structs read theirs into the same object. */
  private fieldsInto(out: JSONObject, buf: Buffer, goType: string, table: FieldTable | undefined,
    properties: Record<string, OpenAPIV2Schema>): void {
    const message = goType.slice(goType.lastIndexOf('.') + 1);
    readFields(buf, message, (r, tag) => {
      const entry = table && Object.hasOwn(table, tag.field) ? table[tag.field] : undefined;
      if (!entry) return false; // unknown fields are ignored, as kube's decoder does
      const [name, flags = 0, inline] = entry;
      if (flags & INLINE) {
        expectWire(tag, WIRE_BYTES, (inline ?? '').slice((inline ?? '').lastIndexOf('.') + 1));
        this.nest(() => this.fieldsInto(out, r.bytes(), inline ?? '', fieldTable(inline ?? ''), properties));
        return true;
      }
      const schema = Object.hasOwn(properties, name) ? properties[name] : undefined;
      if (!schema) return false;
      this.property(out, name, flags, schema, r, tag);
      return true;
    });
  }

  private property(out: JSONObject, name: string, flags: number, schema: OpenAPIV2Schema, r: ProtoReader, tag: Tag): void {
    const goField = name; // expectWire capitalizes it as gogo names the Go field
    if (schema.type === 'array' && schema.items) {
      const list = Array.isArray(out[name]) ? out[name] as unknown[] : (out[name] = []) as unknown[];
      if (flags & WRAPPED) list.push(...this.wrappedItems(r, tag, schema.items, goField));
      else this.repeated(list, r, tag, schema.items, goField);
      return;
    }
    if (schema.type === 'object' && isMap(schema)) {
      expectWire(tag, WIRE_BYTES, goField);
      const map = isObject(out[name]) ? out[name] as JSONObject : (out[name] = {}) as JSONObject;
      this.mapEntry(map, r.bytes(), schema.additionalProperties as OpenAPIV2Schema, flags, goField);
      return;
    }
    const value = this.value(r, tag, schema, flags, goField);
    const ref = refName(schema);
    if (value === undefined || (flags & DROP_ZERO && isZero(value) && !ref)) {
      delete out[name];
    } else if (ref && isObject(value) && isObject(out[name]) && !Object.hasOwn(specialTypes, ref)) {
      Object.assign(out[name] as JSONObject, value); // a repeated message field merges, as proto does
    } else {
      out[name] = value;
    }
  }

  /** One element of a repeated field, or several when scalars arrive packed. */
  private repeated(list: unknown[], r: ProtoReader, tag: Tag, items: OpenAPIV2Schema, goField: string): void {
    const packable = !items.$ref && (items.type === 'integer' || items.type === 'number' || items.type === 'boolean');
    if (packable && tag.wire === WIRE_BYTES) {
      const packed = new ProtoReader(r.bytes());
      const wire = items.type === 'number' ? (items.format === 'float' ? WIRE_FIXED32 : WIRE_FIXED64) : WIRE_VARINT;
      while (!packed.done) list.push(this.value(packed, { field: tag.field, wire }, items, 0, goField));
      return;
    }
    list.push(this.value(r, tag, items, 0, goField) ?? null);
  }

  /** A named slice type (ExtraValue, Verbs): a message whose field 1 repeats the items. */
  private wrappedItems(r: ProtoReader, tag: Tag, items: OpenAPIV2Schema, goField: string): unknown[] {
    expectWire(tag, WIRE_BYTES, goField);
    const list: unknown[] = [];
    readFields(r.bytes(), goField, (inner, innerTag) => {
      if (innerTag.field !== 1) return false;
      this.repeated(list, inner, innerTag, items, 'Items');
      return true;
    });
    return list;
  }

  private mapEntry(map: JSONObject, buf: Buffer, valueSchema: OpenAPIV2Schema, flags: number, goField: string): void {
    let key = '';
    let value: unknown;
    let seen = false;
    readFields(buf, goField, (r, tag) => {
      if (tag.field === 1) {
        expectWire(tag, WIRE_BYTES, goField);
        key = r.bytes().toString('utf8');
      } else if (tag.field === 2) {
        value = flags & WRAPPED ? this.wrappedItems(r, tag, valueSchema.items ?? {}, goField) : this.value(r, tag, valueSchema, flags, goField);
        seen = true;
      } else return false;
      return true;
    });
    // defineProperty, not assignment: a key named __proto__ is data, as JSON.parse makes it.
    Object.defineProperty(map, key, {
      value: seen ? value ?? null : this.zeroValue(valueSchema, flags), enumerable: true, writable: true, configurable: true,
    });
  }

  /** What Go writes for a map value the message left out: the zero value of its type. */
  private zeroValue(schema: OpenAPIV2Schema, flags: number): unknown {
    if (flags & WRAPPED || schema.type === 'array' || schema.type === 'object') return null;
    const ref = refName(schema);
    if (ref) return this.refValue(Buffer.alloc(0), ref) ?? null;
    if (schema.type === 'string') return flags & DURATION ? '0s' : '';
    return schema.type === 'boolean' ? false : 0;
  }

  /** A single value: a message, a special type or a scalar; undefined for Go's `null`. */
  private value(r: ProtoReader, tag: Tag, schema: OpenAPIV2Schema, flags: number, goField: string): unknown {
    const ref = refName(schema);
    if (ref) {
      expectWire(tag, WIRE_BYTES, goField);
      return this.refValue(r.bytes(), ref);
    }
    if (flags & DURATION) return this.duration(r, tag, goField);
    switch (schema.type) {
      case 'string':
        expectWire(tag, WIRE_BYTES, goField);
        return schema.format === 'byte' ? r.bytes().toString('base64') : r.bytes().toString('utf8');
      case 'boolean': {
        expectWire(tag, WIRE_VARINT, goField);
        const v = r.varint();
        return v.low !== 0 || v.high !== 0;
      }
      case 'integer':
        expectWire(tag, WIRE_VARINT, goField);
        return schema.format === 'int32' ? varintToInt32(r.varint()) : varintToInt64(r.varint());
      case 'number':
        if (tag.wire === WIRE_FIXED64) return r.fixed64().readDoubleLE(0);
        if (tag.wire === WIRE_FIXED32) return r.fixed32().readFloatLE(0);
        expectWire(tag, WIRE_VARINT, goField);
        return varintToInt64(r.varint());
      default:
        r.skip(tag.wire); // a free-form property has no protobuf form to read
        return undefined;
    }
  }

  /** A message of type `ref`: a special type's JSON form or the fields of its definition. */
  private refValue(buf: Buffer, ref: string): unknown {
    const special = Object.hasOwn(specialTypes, ref) ? specialTypes[ref] : undefined;
    return special ? this.nest(() => special(buf, this)) : this.message(buf, ref);
  }

  private duration(r: ProtoReader, tag: Tag, goField: string): string {
    expectWire(tag, WIRE_BYTES, goField);
    let nanoseconds = 0n;
    readFields(r.bytes(), 'Duration', (inner, innerTag) => {
      if (innerTag.field !== 1) return false;
      expectWire(innerTag, WIRE_VARINT, 'Duration');
      nanoseconds = varintToBigInt(inner.varint());
      return true;
    });
    return goDurationString(nanoseconds);
  }
}

function isMap(schema: OpenAPIV2Schema): boolean {
  return !schema.properties && typeof schema.additionalProperties === 'object';
}

function isObject(v: unknown): v is JSONObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false;
}
