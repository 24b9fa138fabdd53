// A reader of the protobuf wire format (varints, length-delimited, fixed32/fixed64) over a
// Buffer. Failures throw ProtoError worded as the gogo-generated unmarshalers kube-apiserver
// runs (`unexpected EOF`, `proto: integer overflow`, `proto: wrong wireType = 0 for field Name`),
// which the caller turns into a 400.

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_START_GROUP = 3;
export const WIRE_END_GROUP = 4;
export const WIRE_FIXED32 = 5;

/** A malformed message; its message is what kube's decoder would say. */
export class ProtoError extends Error {}

/** A varint as two unsigned 32-bit halves, so that 64-bit values keep their sign bits. */
export interface Varint {
  low: number;
  high: number;
}

export function varintToInt32(v: Varint): number {
  return v.low | 0;
}

/** int64 as a JS number (exact up to 2^53, like JSON.parse of the same value). */
export function varintToInt64(v: Varint): number {
  return (v.high | 0) * 0x1_0000_0000 + (v.low >>> 0);
}

export interface Tag {
  field: number;
  wire: number;
}

export class ProtoReader {
  private pos = 0;

  constructor(private readonly buf: Buffer) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  varint(): Varint {
    let low = 0;
    let high = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) throw new ProtoError('unexpected EOF');
      const b = this.buf[this.pos++];
      if (i < 4) low |= (b & 0x7f) << (7 * i);
      else if (i === 4) {
        low |= (b & 0x0f) << 28;
        high |= (b & 0x7f) >> 4;
      } else high |= (b & 0x7f) << (7 * i - 32);
      if (b < 0x80) return { low: low >>> 0, high: high >>> 0 };
    }
    throw new ProtoError('proto: integer overflow');
  }

  /** A length or count: a non-negative varint that fits what is left of the buffer. */
  private length(): number {
    const v = this.varint();
    const n = varintToInt64(v);
    if (n < 0) throw new ProtoError('proto: negative length found during unmarshaling');
    if (n > this.buf.length - this.pos) throw new ProtoError('unexpected EOF');
    return n;
  }

  /** The next field's number and wire type; `message` names the Go type for errors. */
  tag(message: string): Tag {
    const v = this.varint();
    const wire = v.low & 7;
    const field = v.high === 0 ? v.low >>> 3 : -1;
    if (wire === WIRE_END_GROUP) throw new ProtoError(`proto: ${message}: wiretype end group for non-group`);
    if (field <= 0 || field > 0x1fffffff) throw new ProtoError(`proto: ${message}: illegal tag ${field} (wire type ${wire})`);
    return { field, wire };
  }

  bytes(): Buffer {
    const n = this.length();
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  fixed32(): Buffer {
    return this.take(4);
  }

  fixed64(): Buffer {
    return this.take(8);
  }

  private take(n: number): Buffer {
    if (this.buf.length - this.pos < n) throw new ProtoError('unexpected EOF');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Skips one field's value, as gogo's skipGenerated does for unknown field numbers. */
  skip(wire: number): void {
    let depth = 0;
    for (;;) {
      switch (wire) {
        case WIRE_VARINT: this.varint(); break;
        case WIRE_FIXED64: this.take(8); break;
        case WIRE_BYTES: this.bytes(); break;
        case WIRE_FIXED32: this.take(4); break;
        case WIRE_START_GROUP: depth++; break;
        case WIRE_END_GROUP:
          if (depth === 0) throw new ProtoError('proto: unexpected end of group');
          depth--;
          break;
        default: throw new ProtoError(`proto: illegal wireType ${wire}`);
      }
      if (depth === 0) return;
      wire = this.varint().low & 7;
    }
  }
}

/** Reads every field of a message into `visit`, which must consume the value or return false to skip it. */
export function readFields(buf: Buffer, message: string, visit: (r: ProtoReader, tag: Tag) => boolean): void {
  const r = new ProtoReader(buf);
  while (!r.done) {
    const tag = r.tag(message);
    if (!visit(r, tag)) r.skip(tag.wire);
  }
}

/** Fails unless the field came with `wire`; `field` is its Go name or its JSON name (`replicas` → `Replicas`). */
export function expectWire(tag: Tag, wire: number, field: string): void {
  if (tag.wire === wire) return;
  const goField = field.charAt(0).toUpperCase() + field.slice(1);
  throw new ProtoError(`proto: wrong wireType = ${tag.wire} for field ${goField}`);
}
