// A protobuf wire-format writer into one growing buffer. A nested message is written into its
// own writer and then copied in after its tag and length, so each byte is copied once per level
// of nesting (about ten for the v2 document) — cheaper in practice than tracking chunks.

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_BYTES = 2;

export class ProtoWriter {
  private buf: Buffer;
  length = 0;

  constructor(initialSize = 64) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  /** Non-negative integers up to 2^53; a negative int64 takes the 10-byte two's complement. */
  private varint(n: number): void {
    this.reserve(10);
    if (n < 0) {
      let v = BigInt.asUintN(64, BigInt(Math.trunc(n)));
      for (let i = 0; i < 9; i++) {
        this.buf[this.length++] = Number(v & 0x7fn) | 0x80;
        v >>= 7n;
      }
      this.buf[this.length++] = Number(v);
      return;
    }
    n = Math.trunc(n);
    while (n >= 0x80) {
      this.buf[this.length++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.length++] = n;
  }

  private tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  string(field: number, value: string): void {
    this.tag(field, WIRE_BYTES);
    const size = Buffer.byteLength(value, 'utf8');
    this.varint(size);
    this.reserve(size);
    this.length += this.buf.write(value, this.length, 'utf8');
  }

  bool(field: number, value: boolean): void {
    this.tag(field, WIRE_VARINT);
    this.varint(value ? 1 : 0);
  }

  int64(field: number, value: number): void {
    this.tag(field, WIRE_VARINT);
    this.varint(value);
  }

  double(field: number, value: number): void {
    this.tag(field, WIRE_FIXED64);
    this.reserve(8);
    this.length = this.buf.writeDoubleLE(value, this.length);
  }

  /** An embedded message (always written, even when empty: it is set). */
  message(field: number, inner: ProtoWriter): void {
    this.tag(field, WIRE_BYTES);
    this.varint(inner.length);
    this.reserve(inner.length);
    inner.buf.copy(this.buf, this.length, 0, inner.length);
    this.length += inner.length;
  }

  bytes(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.length));
  }
}
