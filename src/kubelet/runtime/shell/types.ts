// What a command sees when the shell runs it: its argv, its three streams, the environment,
// the container's filesystem and network, and the signal that interrupts it (Ctrl-C, the
// client going away, the container stopping).
import type { FileSystem } from '../filesystem.ts';
import type { Input, Output } from './io.ts';

export interface Io {
  stdin: Input;
  stdout: Output;
  stderr: Output;
}

/** A running program's view of its network namespace (the pod's): listen on ports, dial others. */
export interface Network {
  /** Serves connections to `port` until the returned close() is called; throws EADDRINUSE when taken. */
  listen(port: number, onConnection: (socket: import('node:stream').Duplex, remoteAddress: string) => void): () => void;
  /** A connection to host:port, resolving Service DNS names and pod IPs as cluster DNS would. */
  dial(host: string, port: number, signal?: AbortSignal): Promise<import('node:stream').Duplex>;
  /** The pod's IP, for access logs and agnhost's /clientip. */
  podIP: string;
}

export interface ShellHost {
  fs: FileSystem;
  hostname: string;
  commands: Map<string, CommandFn>;
  network?: Network;
}

export interface CommandContext extends Io {
  argv: string[];
  /** The exported environment. */
  env: Record<string, string>;
  cwd: string;
  host: ShellHost;
  signal: AbortSignal;
  /** Runs a shell script in a new shell with this command's streams and env (sh -c, eval). */
  runShell(args: string[], io: Io): Promise<number>;
}

export type CommandFn = (ctx: CommandContext) => Promise<number>;

/** A command interrupted by its signal ends with 128+SIGINT, as sh reports it. */
export const interruptedStatus = 130;

export class Interrupted extends Error {
  constructor() {
    super('interrupted');
  }
}

/** Sleeps, ending early (with Interrupted) when the signal aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Interrupted());
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, Math.min(ms, 2_147_483_647));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Interrupted());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
