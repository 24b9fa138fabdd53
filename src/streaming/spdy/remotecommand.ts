// exec and attach over SPDY, the kubelet's side of client-go's SPDY executor (kube's
// pkg/kubelet/cri/streaming/remotecommand/httpstream.go): after the upgrade the client opens
// one stream per purpose (header `streamType`: error, stdin, stdout, stderr, resize); once the
// expected ones are there the command runs; its outcome is written to the error stream (a
// Status for v4, text before), then every stream ends and the session closes.
import { EventEmitter } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { exitStatusText, type ChannelStatus, type ServedStreams, type StreamOptions } from '../remotecommand.ts';
import type { SpdySession, SpdyStream } from './session.ts';

/** The protocols client-go's SPDY executor offers, in the server's order of preference. */
export const spdyRemoteCommandProtocols = ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'];

/** How long the client has to open its streams (the kubelet's stream creation timeout). */
const streamCreationTimeoutMs = 30_000;

export function serveSpdyRemoteCommand(session: SpdySession, protocol: string, opts: StreamOptions,
  run: (streams: ServedStreams) => Promise<ChannelStatus>): void {
  const got = new Map<string, SpdyStream>();
  const resize = opts.tty ? new EventEmitter() : undefined;
  const abort = new AbortController();
  session.on('close', () => abort.abort());
  const wanted = ['error', ...(opts.stdin ? ['stdin'] : []), ...(opts.stdout ? ['stdout'] : []), ...(opts.stderr && !opts.tty ? ['stderr'] : [])];
  const timer = setTimeout(() => session.close(), streamCreationTimeoutMs);
  let started = false;
  session.on('stream', (stream) => {
    const type = stream.header('streamtype') ?? '';
    got.set(type, stream);
    if (type === 'resize') readResizes(stream, resize);
    if (!started && wanted.every((t) => got.has(t))) {
      started = true;
      clearTimeout(timer);
      void execute();
    }
  });
  const execute = async () => {
    const streams: ServedStreams = {
      stdin: got.get('stdin') as Readable | undefined, stdout: got.get('stdout') as Writable | undefined,
      stderr: opts.tty ? undefined : got.get('stderr') as Writable | undefined, tty: opts.tty, resize, signal: abort.signal,
    };
    let status: ChannelStatus;
    try {
      status = await run(streams);
    } catch (err) {
      status = { metadata: {}, status: 'Failure', message: (err as Error)?.message ?? String(err), reason: 'InternalError', code: 500 };
    }
    const error = got.get('error')!;
    if (protocol === 'v4.channel.k8s.io') error.write(JSON.stringify(status));
    else if (status.status !== 'Success') error.write(exitStatusText(status));
    for (const stream of got.values()) stream.end();
    // Let the FIN frames go out before the connection closes.
    setImmediate(() => session.close());
  };
}

/** Terminal sizes arrive as JSON objects ({"Width":80,"Height":24}), one per line. */
function readResizes(stream: SpdyStream, resize: EventEmitter | undefined): void {
  let pending = '';
  stream.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      try {
        const size = JSON.parse(line) as { Width?: number; Height?: number };
        resize?.emit('resize', { width: size.Width ?? 0, height: size.Height ?? 0 });
      } catch {
        // A malformed size is skipped, as the kubelet's handleResizing does.
      }
    }
  });
}
