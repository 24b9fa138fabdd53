// GET /containerLogs/{ns}/{pod}/{container} (PodLogOptions in the query, the body streamed
// while follow=true) and POST /run/{ns}/{pod}/{container}?cmd=… (a command's combined output),
// as the kubelet serves them.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import type { LogRequest } from '../container-runtime.ts';
import { KubeletHttpError } from './errors.ts';
import { podOnNode, queryBool, queryInt, requireContainer } from './pod-lookup.ts';
import type { KubeletContext } from './server.ts';

export async function serveContainerLogs(ctx: KubeletContext, req: IncomingMessage, res: ServerResponse,
  route: { namespace: string; pod: string; container: string }): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') throw new KubeletHttpError(405, 'Method Not Allowed');
  const pod = podOnNode(ctx, route.namespace, route.pod);
  requireContainer(pod, route.container);
  const q = new URL(req.url ?? '/', 'https://kubelet').searchParams;
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  const opts = logRequest(q, abort.signal);
  const chunks = ctx.runtime.logs(pod, route.container, opts)[Symbol.asyncIterator]();
  // The first read surfaces the runtime's refusals (a waiting container) before any header goes out.
  const first = await chunks.next();
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  if (!first.done) res.write(first.value);
  try {
    for (let next = first.done ? undefined : await chunks.next(); next && !next.done; next = await chunks.next()) {
      if (res.destroyed) break;
      res.write(next.value);
    }
  } catch (err) {
    ctx.log.debug({ err }, 'kubelet: log stream ended');
  } finally {
    await chunks.return?.();
  }
  if (!res.destroyed) res.end();
}

/** PodLogOptions from the query; sinceSeconds becomes a sinceTime here, as the kubelet computes it. */
function logRequest(q: URLSearchParams, signal: AbortSignal): LogRequest {
  const sinceSeconds = queryInt(q, 'sinceSeconds');
  const sinceTimeText = q.get('sinceTime') ?? undefined;
  if (sinceSeconds !== undefined && sinceSeconds < 1) throw new KubeletHttpError(400, 'sinceSeconds must be greater than 0');
  if (sinceTimeText !== undefined && Number.isNaN(Date.parse(sinceTimeText))) throw new KubeletHttpError(400, `invalid sinceTime: ${sinceTimeText}`);
  const tailLines = queryInt(q, 'tailLines');
  const limitBytes = queryInt(q, 'limitBytes');
  if (tailLines !== undefined && tailLines < 0) throw new KubeletHttpError(400, 'tailLines must be greater than or equal to 0');
  if (limitBytes !== undefined && limitBytes < 1) throw new KubeletHttpError(400, 'limitBytes must be greater than 0');
  return {
    follow: queryBool(q, 'follow'), previous: queryBool(q, 'previous'), timestamps: queryBool(q, 'timestamps'),
    tailLines, limitBytes, signal,
    sinceTime: sinceSeconds !== undefined ? new Date(Date.now() - sinceSeconds * 1000).toISOString() : sinceTimeText,
  };
}

export async function serveRun(ctx: KubeletContext, req: IncomingMessage, res: ServerResponse,
  route: { namespace: string; pod: string; uid?: string; container: string }): Promise<void> {
  if (req.method !== 'POST') throw new KubeletHttpError(405, 'Method Not Allowed');
  const pod = podOnNode(ctx, route.namespace, route.pod, route.uid);
  requireContainer(pod, route.container);
  const cmd = new URL(req.url ?? '/', 'https://kubelet').searchParams.get('cmd') ?? '';
  const command = cmd.split(' ').filter(Boolean);
  if (command.length === 0) throw new KubeletHttpError(400, 'missing command');
  const output = new PassThrough();
  const chunks: Buffer[] = [];
  output.on('data', (c: Buffer) => chunks.push(c));
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  // The kubelet's RunInContainer answers the combined output; a failed command is a 500 with it.
  const code = await ctx.runtime.exec(pod, route.container, command, { stdout: output, stderr: output, tty: false, signal: abort.signal });
  output.end();
  const body = Buffer.concat(chunks);
  res.writeHead(code === 0 ? 200 : 500, { 'Content-Type': 'text/plain', 'Content-Length': body.length });
  res.end(body);
}
