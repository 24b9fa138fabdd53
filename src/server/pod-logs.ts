// GET pods/{name}/log: the container's log from the kubelet that runs the pod, as text,
// streamed while `follow=true` (kube-apiserver proxies the same request to the kubelet).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errors, StatusError } from '../api/errors.ts';
import type { PodRuntime } from '../kubelet/runtime.ts';
import { RuntimeError } from '../kubelet/runtime.ts';
import { queryBool } from '../api/query-bool.ts';

type Query = Record<string, string | undefined>;

function optionalInt(q: Query, name: string): number | undefined {
  if (q[name] === undefined) return undefined;
  const n = Number(q[name]);
  if (!Number.isInteger(n) || n < 0) throw errors.badRequest(`invalid ${name}: ${q[name]}`);
  return n;
}

export async function servePodLogs(req: FastifyRequest, reply: FastifyReply, runtime: PodRuntime | undefined, namespace: string, name: string): Promise<void> {
  const q = req.query as Query;
  if (!runtime) throw errors.badRequest(`pod ${name} does not run on a node with a kubelet that serves logs`);
  const abort = new AbortController();
  const follow = queryBool(q.follow) ?? false;
  let lines: AsyncIterable<string>;
  try {
    lines = await runtime.logs(namespace, name, q.container, {
      follow, tailLines: optionalInt(q, 'tailLines'), sinceSeconds: optionalInt(q, 'sinceSeconds'), sinceTime: q.sinceTime,
      timestamps: queryBool(q.timestamps) ?? false, previous: queryBool(q.previous) ?? false, limitBytes: optionalInt(q, 'limitBytes'), signal: abort.signal,
    });
  } catch (err) {
    if (err instanceof RuntimeError) throw new StatusError(err.code, err.reason, err.message);
    throw err;
  }
  reply.hijack();
  const raw = reply.raw;
  raw.on('close', () => abort.abort());
  raw.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
  raw.flushHeaders();
  try {
    for await (const chunk of lines) {
      if (raw.destroyed) break;
      raw.write(chunk);
    }
  } catch (err) {
    req.log.debug({ err }, 'log stream ended');
  }
  if (!raw.destroyed) raw.end();
}
