// The HTTP server's own limits and the answers Node would otherwise write itself. kube-apiserver
// serves with Go's net/http configured as in k8s.io/apiserver's secure serving: headers up to
// 1 MiB (MaxHeaderBytes 1 << 20), 32 s to send them (ReadHeaderTimeout, "just shy of" the
// request timeout's upper bound), idle keep-alive connections closed after 90 s (IdleTimeout),
// and --request-timeout (60 s) for a whole request, reading its body included, after which
// the timeout filter answers 504. Every error written here is a metav1.Status, so no client
// ever sees Node's bare 400/408/431.
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { errors, StatusError } from '../api/errors.ts';

/** Go's http.Server MaxHeaderBytes as kube-apiserver sets it. */
export const maxHeaderBytes = 1 << 20;
/** ReadHeaderTimeout of kube's secure serving. */
export const readHeaderTimeoutMs = 32_000;
/** IdleTimeout of kube's secure serving. */
export const idleTimeoutMs = 90_000;
/** --request-timeout's default (kube-apiserver: 1m0s). */
export const defaultRequestTimeoutMs = 60_000;

export interface HttpServingOptions {
  /** --request-timeout in ms: the longest a client may take to send a whole request. */
  requestTimeoutMs?: number;
}

/**
 * Node's settings for the values above (headersTimeout may not exceed requestTimeout). Node
 * looks for overdue requests every connectionsCheckingInterval (30 s by default): a quarter
 * of the request timeout keeps a stalled client from holding its slot much past it.
 */
export function httpServerSettings(opts: HttpServingOptions): { requestTimeout: number; headersTimeout: number; keepAliveTimeout: number; connectionsCheckingInterval: number } {
  const requestTimeout = opts.requestTimeoutMs ?? defaultRequestTimeoutMs;
  return {
    requestTimeout,
    connectionsCheckingInterval: Math.min(30_000, Math.max(250, Math.floor((requestTimeout || defaultRequestTimeoutMs) / 4))),
    headersTimeout: requestTimeout > 0 ? Math.min(readHeaderTimeoutMs, requestTimeout) : readHeaderTimeoutMs,
    keepAliveTimeout: idleTimeoutMs,
  };
}

/** Applies the timeouts to a server Fastify does not create (the insecure port). */
/** The options http.createServer takes for them (the checking interval can only be set there). */
export function httpServerOptions(opts: HttpServingOptions): { maxHeaderSize: number; connectionsCheckingInterval: number } {
  return { maxHeaderSize: maxHeaderBytes, connectionsCheckingInterval: httpServerSettings(opts).connectionsCheckingInterval };
}

export function applyHttpServerSettings(server: Server, opts: HttpServingOptions): void {
  const s = httpServerSettings(opts);
  server.requestTimeout = s.requestTimeout;
  server.headersTimeout = s.headersTimeout;
  server.keepAliveTimeout = s.keepAliveTimeout;
  server.on('clientError', answerClientError);
}

/** What kube-apiserver answers for a request Node's parser or timers refused. */
function statusForClientError(err: NodeJS.ErrnoException, requestReceived: boolean): StatusError | undefined {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return new StatusError(431, 'RequestHeaderFieldsTooLarge', `Request Header Fields Too Large: limit is ${maxHeaderBytes}`);
    case 'HPE_INVALID_METHOD':
      // Go parses any token as a method; kube answers the ones it does not route with 405.
      // A line that is no request line at all is Go's "malformed HTTP request" 400.
      return isRequestLine(err) ? errors.methodNotAllowed() : errors.badRequest('malformed HTTP request');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      // Headers never completed: Go's ReadHeaderTimeout closes the connection without a word.
      if (!requestReceived) return undefined;
      return errors.timeout('Timeout: request did not complete within requested timeout - context deadline exceeded', 0);
    case 'ECONNRESET':
    case 'EPIPE':
      return undefined;
    default:
      return errors.badRequest(`bad request: ${err.message}`);
  }
}

/**
 * The 'clientError' listener: a Status when the socket can still take one, then the
 * connection closed (the in-flight slot a stalled request held is given back on close).
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  const pending = (socket as Socket & { _httpMessage?: { headersSent: boolean } })._httpMessage;
  const status = statusForClientError(err, pending !== undefined);
  if (status && socket.writable && !(pending?.headersSent ?? false)) {
    const body = JSON.stringify(status.status);
    const head = `HTTP/1.1 ${status.code} ${reasonPhrase(status.code)}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`;
    socket.end(head + body);
    socket.destroySoon?.();
    return;
  }
  socket.destroy();
}

function isRequestLine(err: NodeJS.ErrnoException): boolean {
  const raw = (err as NodeJS.ErrnoException & { rawPacket?: Buffer }).rawPacket;
  const line = raw?.toString('latin1').split('\r\n', 1)[0] ?? '';
  return /^[!#$%&'*+.^_`|~0-9A-Za-z-]+ \S+ HTTP\/\d\.\d$/.test(line);
}

function reasonPhrase(code: number): string {
  return ({ 400: 'Bad Request', 405: 'Method Not Allowed', 431: 'Request Header Fields Too Large', 504: 'Gateway Timeout' } as Record<number, string>)[code] ?? 'Error';
}
