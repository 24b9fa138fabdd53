// GET pods/{name}/exec over WebSocket: the remotecommand channel protocol that kubectl 1.32
// speaks first (KEP-4006). Every binary message starts with its channel byte: 0 stdin,
// 1 stdout, 2 stderr, 3 error (a metav1.Status once the command is done), 4 resize;
// v5.channel.k8s.io adds [255, id], the client closing one of its streams. kube-apiserver
// translates v5 to SPDY for the kubelet and hands v4 to the kubelet as it is; kubelite asks
// its PodRuntime, which runs a command on a whole stdin, so stdin is read to its close first.
import type { FastifyRequest } from 'fastify';
import { setTimeout as delay } from 'node:timers/promises';
import type { WebSocket } from 'ws';
import { errors, StatusError } from '../api/errors.ts';
import type { Status } from '../api/types.ts';
import { RuntimeError, type ExecResult } from '../kubelet/runtime.ts';
import type { Registry } from '../registry/registry.ts';
import type { ResourceDef } from '../registry/types.ts';
import { queryBool } from '../api/query-bool.ts';

const v5 = 'v5.channel.k8s.io';
const v4 = 'v4.channel.k8s.io';
/** The remotecommand subprotocols served, most preferred first. */
export const execSubprotocols = [v5, v4];

const channel = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;
/** Output goes out in messages of at most this size, as the kubelet's stream copies do. */
const maxMessageBytes = 32 * 1024;
/**
 * How long after the handshake the first message waits. client-go registers its streams just
 * after the handshake and drops (and logs) messages for streams it has not registered yet;
 * kube-apiserver's first bytes come after a round trip to the kubelet, kubelite's at once.
 */
const firstMessageDelayMs = 20;

/** The request paths of the channel protocols (pods/exec). */
export function isRemoteCommandUrl(url: string): boolean {
  return /^\/api\/v1\/namespaces\/[^/?]+\/pods\/[^/?]+\/exec\/?(\?|$)/.test(url);
}

/** The best remotecommand subprotocol offered, or none (the client then fails the handshake). */
export function selectExecProtocol(offered: Set<string>): string | false {
  return execSubprotocols.find((p) => offered.has(p)) ?? false;
}

/** PodExecOptions from the query, as kube-apiserver's parameter codec decodes them. */
export interface PodExecOptions {
  container?: string;
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

type Query = Record<string, string | string[] | undefined>;

export function parseExecOptions(q: Query): PodExecOptions {
  const all = (name: string) => (q[name] === undefined ? [] : ([] as string[]).concat(q[name]!));
  const flag = (name: string) => queryBool(all(name)) ?? false;
  const opts = {
    container: all('container')[0] || undefined, command: all('command'),
    stdin: flag('stdin'), stdout: flag('stdout'), stderr: flag('stderr'), tty: flag('tty'),
  };
  // A terminal has no separate stderr: the kubelet ignores stderr=true with tty=true.
  if (opts.tty) opts.stderr = false;
  if (opts.command.length === 0) throw errors.badRequest('you must specify at least one command for the container');
  if (!opts.stdin && !opts.stdout && !opts.stderr) throw errors.badRequest('you must specify at least 1 of stdin, stdout, stderr');
  return opts;
}

export interface PodExecTarget {
  def: ResourceDef;
  namespace: string;
  name: string;
}

export function servePodExecWebSocket(socket: WebSocket, req: FastifyRequest, registry: Registry, target: PodExecTarget): void {
  const v5Protocol = socket.protocol === v5;
  const ready = delay(firstMessageDelayMs);
  const stdin: Buffer[] = [];
  let stdinClosed = false;
  let wakeStdinReader = () => {};
  const stdinRead = new Promise<void>((resolve) => {
    wakeStdinReader = resolve;
  });
  // Listen before anything is awaited: stdin may arrive with the first packets.
  socket.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
    const msg = toBuffer(data);
    if (!isBinary || msg.length === 0) return;
    if (msg[0] === channel.stdin && v5Protocol && !stdinClosed) stdin.push(msg.subarray(1));
    else if (msg[0] === channel.close && v5Protocol && msg[1] === channel.stdin) {
      stdinClosed = true;
      wakeStdinReader();
    }
    // Resize (channel 4) means nothing without a real terminal.
  });
  socket.on('close', () => {
    stdinClosed = true;
    wakeStdinReader();
  });

  const write = (id: number, data: Buffer = Buffer.alloc(0)) => {
    if (socket.readyState !== socket.OPEN) return;
    for (let at = 0; at === 0 || at < data.length; at += maxMessageBytes) {
      socket.send(Buffer.concat([Buffer.from([id]), data.subarray(at, at + maxMessageBytes)]), { binary: true });
    }
  };
  const finish = async (status: WireStatus) => {
    await ready;
    write(channel.error, Buffer.from(JSON.stringify(status)));
    if (socket.readyState === socket.OPEN) socket.close(1000);
  };

  const run = async (): Promise<void> => {
    if (!socket.protocol) {
      throw errors.badRequest(`unable to upgrade connection: the client must ask for one of the subprotocols ${execSubprotocols.join(', ')}`);
    }
    const opts = parseExecOptions(req.query as Query);
    // kube-apiserver resolves the pod and its node before it connects to the kubelet.
    const pod = (await registry.store(target.def).get(target.namespace, target.name)).object;
    if (!pod.spec?.nodeName) throw errors.badRequest(`pod ${target.name} does not have a host assigned`);
    const runtime = registry.podRuntime;
    if (!runtime) throw errors.badRequest(`pod ${target.name} does not run on a node with a kubelet that serves exec`);
    await ready;
    if (socket.readyState !== socket.OPEN) return;
    // Tells the client the streams are up: an empty message on the lowest writable channel.
    write(opts.stdout ? channel.stdout : opts.stderr ? channel.stderr : channel.error);
    let input: string | undefined;
    if (opts.stdin && v5Protocol) {
      if (!stdinClosed) await stdinRead;
      if (socket.readyState !== socket.OPEN) return;
      input = Buffer.concat(stdin).toString('utf8');
    }
    // v4 cannot close stdin but by closing the connection: there the command runs at once, without it.
    const result = await runtime.exec(target.namespace, target.name, opts.container, opts.command, { stdin: input });
    sendOutput(write, opts, result);
    await finish(result.exitCode === 0 ? { metadata: {}, status: 'Success' } : exitStatus(result.exitCode, opts.command, v5Protocol));
  };

  run().catch((err: unknown) => {
    if (!(err instanceof StatusError || err instanceof RuntimeError)) req.log.error({ err, url: req.url }, 'exec failed');
    return finish(wireStatus(toStatusError(err)));
  }).catch((err: unknown) => req.log.debug({ err }, 'exec stream ended'));
}

function sendOutput(write: (id: number, data: Buffer) => void, opts: PodExecOptions, result: ExecResult): void {
  if (opts.tty) {
    // One terminal carries both streams, and its line discipline turns \n into \r\n.
    const out = (result.stdout + result.stderr).replace(/\r?\n/g, '\r\n');
    if (opts.stdout && out) write(channel.stdout, Buffer.from(out));
    return;
  }
  if (opts.stdout && result.stdout) write(channel.stdout, Buffer.from(result.stdout));
  if (opts.stderr && result.stderr) write(channel.stderr, Buffer.from(result.stderr));
}

/** metav1.Status as Go's json.Marshal writes it on the error channel: no kind, no apiVersion. */
type WireStatus = Omit<Status, 'kind' | 'apiVersion' | 'code'> & { code?: number };

function wireStatus(err: StatusError): WireStatus {
  const { metadata, status, message, reason, details, code } = err.status;
  return { metadata, status, message, reason, details, code };
}

/**
 * A non-zero exit, worded as kube-apiserver's stream translator words it for v5 (it wraps the
 * SPDY client's error) and as the kubelet's containerd runtime words it for v4.
 */
function exitStatus(code: number, command: string[], v5Protocol: boolean): WireStatus {
  const cause = v5Protocol ? `command terminated with exit code ${code}` : `error executing command [${command.join(' ')}], exit code ${code}`;
  return {
    metadata: {}, status: 'Failure', message: `command terminated with non-zero exit code: ${cause}`,
    reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

function toStatusError(err: unknown): StatusError {
  if (err instanceof StatusError) return err;
  if (err instanceof RuntimeError) return new StatusError(err.code, err.reason, err.message);
  return errors.internal((err as Error)?.message ?? String(err));
}

function toBuffer(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
