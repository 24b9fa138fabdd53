// The kubelet's side of exec and attach over a channel WebSocket (kube's
// pkg/kubelet/cri/streaming/remotecommand): the client's streams become a ContainerStreams-like
// set of Node streams, and when the command ends its outcome goes out on the error channel as
// a metav1.Status (v2+), then the socket closes.
import { EventEmitter } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import type { WebSocket } from 'ws';
import { channel, ChannelSocket, stdinStream } from './channels.ts';

/** What the request asked for (kube's remotecommand Options: input/output/error/tty). */
export interface StreamOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** The streams of one exec or attach, as the client asked for them (what a container runtime is handed). */
export interface ServedStreams {
  /** What the client sends; absent without stdin=true. Ends when the client closes its stdin. */
  stdin?: Readable;
  stdout?: Writable;
  /** Absent with a TTY: a terminal has one output stream, as the kubelet's. */
  stderr?: Writable;
  tty: boolean;
  /** With a TTY: emits 'resize' with a TerminalSize each time the client's terminal changes size. */
  resize?: EventEmitter;
  /** Aborted when the client goes away: the process is killed, as the kubelet's exec is. */
  signal: AbortSignal;
}

/** metav1.Status as Go's json.Marshal writes it on the error channel: no kind, no apiVersion. */
export interface ChannelStatus {
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: { causes: { reason: string; message: string }[] };
  code?: number;
}

export const successStatus: ChannelStatus = { metadata: {}, status: 'Success' };

/**
 * A non-zero exit, worded as the kubelet's CRI exec reports it (utilexec.CodeExitError wrapped
 * by the streaming server): clients read the code from details.causes[reason=ExitCode].
 */
export function exitCodeStatus(code: number, command: string[]): ChannelStatus {
  return {
    metadata: {}, status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${code}`,
    reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

/** The error text the channel protocols before v4 carry instead of a Status. */
export function exitStatusText(status: ChannelStatus): string {
  return status.message ?? 'error';
}

export function failureStatus(message: string, reason = 'InternalError', code = 500): ChannelStatus {
  return { metadata: {}, status: 'Failure', message, reason, code };
}

/**
 * client-go registers its streams just after the handshake and drops messages for streams it
 * has not registered yet; a real kubelet's first bytes come after a round trip to the runtime.
 */
const firstMessageDelayMs = 20;

/**
 * Serves one exec/attach connection: `run` gets the streams and resolves with the Status to
 * send on the error channel (or rejects: an InternalError Status).
 */
export function serveRemoteCommand(socket: WebSocket, opts: StreamOptions, run: (streams: ServedStreams) => Promise<ChannelStatus>): Promise<void> {
  const conn = new ChannelSocket(socket);
  const abort = new AbortController();
  const stdin = opts.stdin ? stdinStream() : undefined;
  const resize = opts.tty ? new EventEmitter() : undefined;
  // Listen before anything is awaited: stdin may arrive with the first packets.
  socket.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
    const msg = conn.decode(data, isBinary);
    if (!msg) return;
    if (msg.id === channel.stdin) stdin?.write(msg.data);
    else if (msg.id === channel.resize && resize) {
      try {
        const size = JSON.parse(msg.data.toString()) as { Width?: number; Height?: number };
        resize.emit('resize', { width: size.Width ?? 0, height: size.Height ?? 0 });
      } catch {
        // A malformed resize is ignored, as the kubelet's handleResizing logs and goes on.
      }
    } else if (msg.id === channel.close && conn.version >= 5 && msg.data[0] === channel.stdin) stdin?.end();
  });
  socket.on('close', () => {
    stdin?.end();
    abort.abort();
  });
  socket.on('error', () => abort.abort());
  return (async () => {
    await new Promise((r) => setTimeout(r, firstMessageDelayMs));
    if (!conn.open) return;
    // Tells the client the streams are up: an empty message on the lowest writable channel.
    conn.send(opts.stdout ? channel.stdout : opts.stderr ? channel.stderr : channel.error);
    const streams: ServedStreams = {
      stdin, tty: opts.tty, resize, signal: abort.signal,
      stdout: opts.stdout ? conn.writable(channel.stdout) : undefined,
      stderr: opts.stderr && !opts.tty ? conn.writable(channel.stderr) : undefined,
    };
    let status: ChannelStatus;
    try {
      status = await run(streams);
    } catch (err) {
      status = failureStatus((err as Error)?.message ?? String(err));
    }
    if (!conn.open) return;
    // v4 and v5 carry a Status; the older protocols the error's text.
    if (conn.version >= 4) conn.send(channel.error, Buffer.from(JSON.stringify(status)));
    else if (status.status !== 'Success') conn.send(channel.error, Buffer.from(exitStatusText(status)));
    socket.close(1000);
  })();
}
