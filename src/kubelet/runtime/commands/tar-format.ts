// The tar format as GNU tar and Go's archive/tar (which kubectl cp uses) write and read it:
// 512-byte ustar headers, names over 100 bytes split into prefix/name or carried by a PAX 'x'
// header, GNU 'L' long names read too; two zero blocks end the archive.

export interface TarEntry {
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'other';
  mode: number;
  mtime: Date;
  data: Buffer;
}

const block = 512;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function header(name: string, entry: TarEntry, typeflag: string, size: number, prefix = ''): Buffer {
  const h = Buffer.alloc(block);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(entry.mode & 0o7777, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(Math.floor(entry.mtime.getTime() / 1000), 12), 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write(typeflag, 156, 'ascii');
  h.write('ustar\0' + '00', 257, 'ascii');
  h.write('root', 265, 'ascii');
  h.write('root', 297, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  return h;
}

function padded(data: Buffer): Buffer[] {
  const rest = data.length % block;
  return rest ? [data, Buffer.alloc(block - rest)] : [data];
}

/** A PAX record: "<len> path=<value>\n", where len counts the record itself. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return `${len}${body}`;
}

export function writeTar(entries: TarEntry[]): Buffer {
  const out: Buffer[] = [];
  for (const e of entries) {
    const name = e.type === 'dir' && !e.path.endsWith('/') ? `${e.path}/` : e.path;
    const typeflag = e.type === 'dir' ? '5' : '0';
    const size = e.type === 'file' ? e.data.length : 0;
    let short = name;
    let prefix = '';
    if (Buffer.byteLength(name) > 100) {
      const cut = name.lastIndexOf('/', name.length - 2);
      if (cut > 0 && Buffer.byteLength(name.slice(0, cut)) <= 155 && Buffer.byteLength(name.slice(cut + 1)) <= 100) {
        prefix = name.slice(0, cut);
        short = name.slice(cut + 1);
      } else {
        const pax = Buffer.from(paxRecord('path', name));
        out.push(header('PaxHeaders/' + name.slice(-80), { ...e, mode: 0o644 }, 'x', pax.length), ...padded(pax));
        short = name.slice(-100);
      }
    }
    out.push(header(short, e, typeflag, size, prefix));
    if (size) out.push(...padded(e.data));
  }
  out.push(Buffer.alloc(block * 2));
  return Buffer.concat(out);
}

export class TarFormatError extends Error {}

function field(h: Buffer, start: number, len: number): string {
  const raw = h.subarray(start, start + len);
  const nul = raw.indexOf(0);
  return raw.subarray(0, nul < 0 ? len : nul).toString('utf8');
}

function number(h: Buffer, start: number, len: number): number {
  // GNU base-256 for large values: the high bit of the first byte is set.
  if (h[start] & 0x80) {
    let n = 0;
    for (let i = start + 1; i < start + len; i++) n = n * 256 + h[i];
    return n;
  }
  const text = field(h, start, len).trim();
  return text ? parseInt(text, 8) : 0;
}

export function readTar(archive: Buffer, maxEntries = 100_000): TarEntry[] {
  const entries: TarEntry[] = [];
  let pos = 0;
  let longName: string | undefined;
  while (pos + block <= archive.length && entries.length < maxEntries) {
    const h = archive.subarray(pos, pos + block);
    if (h.every((b) => b === 0)) break;
    let sum = 0;
    for (let i = 0; i < block; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
    if (sum !== number(h, 148, 8)) throw new TarFormatError('invalid tar header checksum');
    const size = number(h, 124, 12);
    const typeflag = String.fromCharCode(h[156] || 48);
    const data = archive.subarray(pos + block, pos + block + size);
    pos += block + Math.ceil(size / block) * block;
    if (typeflag === 'x' || typeflag === 'g') {
      const path = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString('utf8'));
      if (path && typeflag === 'x') longName = path[1];
      continue;
    }
    if (typeflag === 'L') {
      longName = data.toString('utf8').replace(/\0.*$/s, '');
      continue;
    }
    const magic = field(h, 257, 6);
    const prefix = magic.startsWith('ustar') ? field(h, 345, 155) : '';
    const path = longName ?? (prefix ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100));
    longName = undefined;
    const type = typeflag === '5' ? 'dir' : typeflag === '0' || typeflag === '7' ? 'file' : typeflag === '2' ? 'symlink' : 'other';
    entries.push({ path, type, mode: number(h, 100, 8), mtime: new Date(number(h, 136, 12) * 1000), data: Buffer.from(data) });
  }
  return entries;
}
