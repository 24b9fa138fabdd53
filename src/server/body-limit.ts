// The answer to a body over --max-request-body-bytes. Fastify refuses it as soon as the
// Content-Length (or the bytes so far) exceeds the limit, before the client has finished
// sending; answering and closing then resets the connection under a client still writing,
// and a proxy in front (kubectl proxy, any reverse proxy) turns that into a 500. kube's
// server reads past the limit instead, so its 413 Status reaches the client: read and drop
// the rest of the body, up to a bound, then answer; past the bound, answer and close.
import type { IncomingMessage } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errors } from '../api/errors.ts';
import { sendStatus } from './respond.ts';

/** How much of an oversize body is read and dropped before giving up on the connection. */
export const maxDiscardedBodyBytes = 64 * 1024 * 1024;

/** Reads and drops the rest of `req`; true when it ended within `bound` bytes. */
export function discardBody(req: IncomingMessage, bound: number): Promise<boolean> {
  if (req.readableEnded || req.complete) return Promise.resolve(true);
  return new Promise((resolve) => {
    let seen = 0;
    const finish = (ended: boolean) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onFail);
      req.off('close', onFail);
      resolve(ended);
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > bound) {
        req.pause();
        finish(false);
      }
    };
    const onEnd = () => finish(true);
    const onFail = () => finish(false);
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onFail);
    req.once('close', onFail);
    req.resume();
  });
}

export async function sendBodyTooLarge(req: FastifyRequest, reply: FastifyReply, limit: number): Promise<FastifyReply> {
  const drained = await discardBody(req.raw, maxDiscardedBodyBytes);
  if (!drained) reply.header('connection', 'close');
  return sendStatus(reply, errors.requestEntityTooLarge(limit));
}
