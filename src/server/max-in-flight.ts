// kube-apiserver's WithMaxInFlightLimit: at most --max-requests-inflight read-only and
// --max-mutating-requests-inflight mutating requests are served at once; past that a request
// gets 429 TooManyRequests with `Retry-After: 1`, so clients back off instead of piling up.
// Long-running requests (watches, exec, log streams) are not counted, and system:masters is
// let through, as in kube. It runs after authentication and impersonation and before
// authorization, where kube's handler chain has it (see auth-filter.ts).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errors } from '../api/errors.ts';
import { sendStatus } from './respond.ts';
import { queryBool } from '../api/query-bool.ts';

export interface MaxInFlightOptions {
  /** --max-requests-inflight (default 400; 0 = unlimited). */
  readOnly: number;
  /** --max-mutating-requests-inflight (default 200; 0 = unlimited). */
  mutating: number;
}

export const defaultMaxInFlight: MaxInFlightOptions = { readOnly: 400, mutating: 200 };

/** kube's long-running check: watches, and the streaming subresources. */
export function isLongRunning(req: FastifyRequest): boolean {
  if (req.headers.upgrade) return true;
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  if (path.includes('/watch/') || /\/(exec|attach|portforward|proxy)$/.test(path)) return true;
  // Most requests carry no query (creates, gets): nothing more to read then.
  if (q < 0) return false;
  const params = new URLSearchParams(req.url.slice(q + 1));
  if (queryBool(params.get('watch'))) return true;
  return /\/log$/.test(path) && !!queryBool(params.get('follow'));
}

/** A gate to call once per request: true to go on, false when it has answered 429. */
export function maxInFlightGate(opts: MaxInFlightOptions): (req: FastifyRequest, reply: FastifyReply) => boolean {
  const inFlight = { readOnly: 0, mutating: 0 };
  return (req, reply) => {
    if (isLongRunning(req) || req.user?.groups.includes('system:masters')) return true;
    const kind = req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS' ? 'readOnly' : 'mutating';
    const limit = opts[kind];
    if (limit > 0 && inFlight[kind] >= limit) {
      reply.header('Retry-After', '1');
      void sendStatus(reply, errors.tooManyRequests('Too many requests, please try again later.', 1));
      return false;
    }
    inFlight[kind]++;
    reply.raw.once('close', () => { inFlight[kind]--; });
    return true;
  };
}
