// Test support: raw bytes to a server's port, for requests no HTTP client would send.
import net from 'node:net';

/** Sends `data` to 127.0.0.1 on `serverUrl`'s port; resolves with everything read until the server closes. */
export function rawExchange(serverUrl: string, data: string | Buffer, opts: { keepOpen?: boolean } = {}): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(Number(new URL(serverUrl).port), '127.0.0.1');
    let out = '';
    socket.on('data', (d) => { out += d.toString('latin1'); });
    socket.on('close', () => resolve(out));
    socket.on('error', () => undefined);
    socket.write(data);
    if (!opts.keepOpen) socket.end();
  });
}
