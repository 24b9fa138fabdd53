// Watch streams read straight off TCP sockets. With 1,000 watchers on a 2-core machine the
// client must not be what delays delivery: no HTTP parser, no stream decoding, no JSON — the
// raw bytes are scanned for the names of the objects in the events. Over HTTPS (`tls`), the
// same on a TLS socket with the admin's client certificate.
import net from 'node:net';
import tls from 'node:tls';
import type { ClientTls } from './http.ts';

export interface RawWatchOptions {
  host: string;
  port: number;
  path: string;
  /** The bytes that precede an object's name in an event, e.g. `"name":"w-`. */
  namePrefix: string;
  /** Called with the name's remainder after the prefix and the time its bytes arrived. */
  onName(suffix: string, at: number): void;
  /** Connect over TLS with this CA and client certificate (the server's HTTPS port). */
  tls?: ClientTls;
}

const newline = 0x0a;
const quote = 0x22;

/** Opens one watch; resolves with its socket once the server answered 200 with its headers. */
export function openRawWatch(opts: RawWatchOptions): Promise<net.Socket> {
  const prefix = Buffer.from(opts.namePrefix, 'latin1');
  return new Promise((resolve, reject) => {
    const socket: net.Socket = opts.tls ? tls.connect({ host: opts.host, port: opts.port, ...opts.tls }) : net.connect(opts.port, opts.host);
    socket.setNoDelay(true);
    let headersSeen = false;
    // Bytes after the last newline of the previous read: a name split across two reads.
    let carry: Buffer | undefined;
    socket.on('data', (chunk: Buffer) => {
      const at = performance.now();
      let data = carry ? Buffer.concat([carry, chunk]) : chunk;
      if (!headersSeen) {
        const end = data.indexOf('\r\n\r\n');
        if (end < 0) {
          carry = data;
          return;
        }
        const status = data.subarray(0, data.indexOf('\r\n')).toString('latin1');
        if (!status.startsWith('HTTP/1.1 200')) {
          socket.destroy();
          return reject(new Error(`watch ${opts.path}: ${status}`));
        }
        headersSeen = true;
        resolve(socket);
        data = data.subarray(end + 4);
      }
      const lastNewline = data.lastIndexOf(newline);
      carry = lastNewline === data.length - 1 ? undefined : Buffer.from(data.subarray(lastNewline + 1));
      for (let at0 = data.indexOf(prefix); at0 >= 0 && at0 <= lastNewline; at0 = data.indexOf(prefix, at0 + prefix.length)) {
        const start = at0 + prefix.length;
        const end = data.indexOf(quote, start);
        if (end > 0) opts.onName(data.toString('latin1', start, end), at);
      }
    });
    socket.on('error', reject); // a no-op once open: the stage destroys its sockets
    socket.write(`GET ${opts.path} HTTP/1.1\r\nHost: ${opts.host}:${opts.port}\r\nAccept: application/json\r\n\r\n`);
  });
}
