// GET pods/{name}/log: the container's log from the kubelet that runs the pod, as text,
// streamed while `follow=true` (kube-apiserver proxies the same request to the kubelet).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errors, StatusError } from '../api/errors.ts';
import type { PodRuntime } from '../kubelet/runtime.ts';
import { RuntimeError } from '../kubelet/runtime.ts';
import { queryBool } from '../api/query-bool.ts';
import type { KubeObject } from '../api/types.ts';

type Query = Record<string, string | undefined>;

function optionalInt(q: Query, name: string): number | undefined {
  if (q[name] === undefined) return undefined;
  const n = Number(q[name]);
  if (!Number.isInteger(n) || n < 0) throw errors.badRequest(`invalid ${name}: ${q[name]}`);
  return n;
}

const names = (list: unknown) => (Array.isArray(list) ? list : []).map((c: { name?: string }) => c?.name ?? '');

/**
 * kube's pod LogLocation before it reaches a kubelet: the container must be named when the
 * pod has several (and must exist), and a pod not yet scheduled has no log location — kube
 * answers 200 with an empty body rather than claim the pod is missing. Returns false when
 * the answer was sent.
 */
function checkLogLocation(reply: FastifyReply, pod: KubeObject, container: string | undefined): boolean {
  const spec = (pod.spec ?? {}) as { containers?: unknown; initContainers?: unknown; ephemeralContainers?: unknown; nodeName?: string };
  const name = pod.metadata.name ?? '';
  const containers = names(spec.containers);
  const inits = names(spec.initContainers);
  if (!container && containers.length !== 1) {
    let msg = `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`;
    if (inits.length) msg += ` or one of the init containers: [${inits.join(' ')}]`;
    throw errors.badRequest(msg);
  }
  if (container && ![...containers, ...inits, ...names(spec.ephemeralContainers)].includes(container)) {
    throw errors.badRequest(`container ${container} is not valid for pod ${name}`);
  }
  if (spec.nodeName) return true;
  reply.code(200).header('content-type', 'text/plain').send('');
  return false;
}

export async function servePodLogs(req: FastifyRequest, reply: FastifyReply, runtime: PodRuntime | undefined, namespace: string, name: string, pod?: KubeObject): Promise<void> {
  const q = req.query as Query;
  if (pod && !checkLogLocation(reply, pod, q.container)) return;
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
