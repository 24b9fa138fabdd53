// How the kubelet answers a request it refuses: a plain-text body with the HTTP code, as its
// handlers' http.Error / response.WriteError do. The API server turns these into Statuses.
import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { RuntimeError } from '../container-runtime.ts';

export class KubeletHttpError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
    this.name = 'KubeletHttpError';
  }
}

function codeAndText(err: unknown): { code: number; text: string } {
  if (err instanceof KubeletHttpError || err instanceof RuntimeError) return { code: err.code, text: err.message };
  return { code: 500, text: (err as Error)?.message ?? String(err) };
}

export function httpError(res: ServerResponse, err: unknown): void {
  const { code, text } = codeAndText(err);
  const body = `${text}\n`;
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** The same answer on a socket whose upgrade is refused (no ServerResponse exists for it). */
export function writeRawError(socket: Duplex, err: unknown): void {
  if (socket.destroyed) return;
  const { code, text } = codeAndText(err);
  const body = `${text}\n`;
  socket.end(`HTTP/1.1 ${code} ${STATUS_CODES[code] ?? 'Error'}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
    `X-Content-Type-Options: nosniff\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
