// A protobuf wire-format writer that builds a message as a list of chunks: a nested message is
// written into its own writer and appended by reference (tag, length, then its chunks), so a
// 3 MB document is copied once, in bytes(), however deep it nests.

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_BYTES = 2;

export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  /** Small writes (tags, lengths, scalars) gather here before becoming a chunk. */
  private scratch: number[] = [];
  length = 0;

  private flush(): void {
    if (this.scratch.length === 0) return;
    this.chunks.push(Uint8Array.from(this.scratch));
    this.scratch = [];
  }

  /** Non-negative integers up to 2^53; a negative int64 takes the 10-byte two's complement. */
  private varint(n: number): void {
    const before = this.scratch.length;
    if (n < 0) {
      let v = BigInt.asUintN(64, BigInt(Math.trunc(n)));
      for (let i = 0; i < 9; i++) {
        this.scratch.push(Number(v & 0x7fn) | 0x80);
        v >>= 7n;
      }
      this.scratch.push(Number(v));
    } else {
      n = Math.trunc(n);
      while (n >= 0x80) {
        this.scratch.push((n % 0x80) | 0x80);
        n = Math.floor(n / 0x80);
      }
      this.scratch.push(n);
    }
    this.length += this.scratch.length - before;
  }

  private tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  string(field: number, value: string): void {
    const bytes = Buffer.from(value, 'utf8');
    this.tag(field, WIRE_BYTES);
    this.varint(bytes.length);
    this.flush();
    this.chunks.push(bytes);
    this.length += bytes.length;
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
    const b = Buffer.allocUnsafe(8);
    b.writeDoubleLE(value);
    for (const x of b) this.scratch.push(x);
    this.length += 8;
  }

  /** An embedded message (always written, even when empty: it is set). */
  message(field: number, inner: ProtoWriter): void {
    inner.flush();
    this.tag(field, WIRE_BYTES);
    this.varint(inner.length);
    this.flush();
    for (const c of inner.chunks) this.chunks.push(c);
    this.length += inner.length;
  }

  bytes(): Buffer {
    this.flush();
    return Buffer.concat(this.chunks, this.length);
  }
}
