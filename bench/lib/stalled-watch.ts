// A watch on a raw TCP socket that reads its response headers and then nothing more: what a
// hung or overwhelmed client looks like to the server.
import net from 'node:net';
import type { HttpClient } from './http.ts';

export interface StalledWatch {
  socket: net.Socket;
  /** Reads what the kernel buffered; `ended` says whether the server had closed the stream. */
  drain(timeoutMs: number): Promise<{ ended: boolean; bytes: number }>;
}

export async function openStalledWatch(client: HttpClient, path: string): Promise<StalledWatch> {
  const socket = net.connect(client.port, client.host);
  let bytes = 0;
  let ended = false;
  socket.on('error', () => (ended = true)); // a reset is a close too
  socket.on('close', () => (ended = true));
  await new Promise<void>((resolve, reject) => {
    let head = '';
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.pause();
      socket.off('data', onData);
      if (!head.startsWith('HTTP/1.1 200')) return reject(new Error(`stalled watch: ${head.split('\r\n')[0]}`));
      resolve();
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.write(`GET ${path} HTTP/1.1\r\nHost: ${client.host}:${client.port}\r\nAccept: application/json\r\n\r\n`);
  });
  return {
    socket,
    drain: (timeoutMs) => new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        resolve({ ended, bytes });
      };
      const timer = setTimeout(finish, timeoutMs);
      if (ended) return finish();
      socket.on('data', (chunk: Buffer) => (bytes += chunk.length));
      socket.once('end', () => ((ended = true), finish()));
      socket.once('close', finish);
      socket.resume();
    }),
  };
}
