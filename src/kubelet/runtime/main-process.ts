// A container's main process: its argv run by the shell from when the kubelet marks the
// container Running, its output written to the container's log as it comes (and to attached
// clients), its stdin fed by `kubectl attach -i` when the spec asks for stdin. With `tty: true`
// and a shell, it is the interactive shell `kubectl run -it` attaches to.
import { LineReader, Pipe, type Output } from './shell/io.ts';
import { ExitSignal, Shell } from './shell/interpreter.ts';
import { runInteractive } from './shell/interactive.ts';
import { Tty } from './shell/tty.ts';
import { Interrupted, interruptedStatus, type ShellHost } from './shell/types.ts';
import { shellNames } from './commands/index.ts';
import type { LogStream } from '../logs.ts';

export interface MainProcessOptions {
  host: ShellHost;
  argv: string[];
  env: Record<string, string>;
  cwd?: string;
  tty: boolean;
  stdin: boolean;
  prompt: (cwd: string) => string;
  /** Where the output goes (the container's log). */
  output(stream: LogStream, text: string): void;
}

export class MainProcess {
  /** Resolves with the exit status once the process ends (130 when it was stopped). */
  readonly done: Promise<number>;
  exitCode?: number;
  private readonly controller = new AbortController();
  private readonly input = new Pipe();
  private readonly listeners = new Set<(stream: LogStream, data: Buffer) => void>();

  constructor(private readonly opts: MainProcessOptions) {
    this.done = this.run().then((code) => (this.exitCode = code));
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** Bytes from an attached client's stdin (ignored unless the spec has stdin: true). */
  writeStdin(data: Buffer): void {
    if (this.opts.stdin) void this.input.write(data).catch(() => undefined);
  }

  /** The attached client closed its stdin and the spec says stdinOnce: the process reads end-of-file. */
  closeStdin(): void {
    this.input.close();
  }

  /** Output from now on, as attach sees it; returns the unsubscribe. */
  subscribe(listener: (stream: LogStream, data: Buffer) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stop(): void {
    this.controller.abort();
  }

  private output(stream: LogStream): Output {
    return {
      write: async (data) => {
        let buf = typeof data === 'string' ? Buffer.from(data) : data;
        if (this.opts.tty) buf = Buffer.from(buf.toString('utf8').replace(/\r?\n/g, '\r\n'));
        this.opts.output(stream, buf.toString('utf8'));
        for (const l of this.listeners) l(stream, buf);
      },
    };
  }

  private async run(): Promise<number> {
    const { argv, host, env } = this.opts;
    if (!argv.length) return this.idle();
    const shell = new Shell(host, { env, name: argv[0].slice(argv[0].lastIndexOf('/') + 1), cwd: this.opts.cwd, signal: this.controller.signal });
    const stdout = this.output('stdout');
    const stderr = this.opts.tty ? stdout : this.output('stderr');
    const base = argv[0].slice(argv[0].lastIndexOf('/') + 1);
    const known = host.commands.has(base) || (argv[0].includes('/') && host.fs.lookup(argv[0]) !== undefined);
    // A program the image does not have: the container would fail to start; the stage engine owns that, so it only idles.
    if (!known) return this.idle();
    try {
      if (this.opts.tty && this.opts.stdin && shellNames.includes(base) && argv.length === 1) {
        const tty = new Tty(this.input, stdout);
        return await runInteractive(shell, tty, { stdin: tty, stdout, stderr: stdout }, { prompt: this.opts.prompt });
      }
      const stdin = this.opts.stdin ? new LineReader(this.input) : { read: async () => null };
      return await shell.invoke(argv, {}, { stdin, stdout, stderr });
    } catch (err) {
      if (err instanceof ExitSignal) return err.code;
      if (err instanceof Interrupted) return interruptedStatus;
      throw err;
    }
  }

  /** Waits until stopped. */
  private idle(): Promise<number> {
    return new Promise((resolve) => {
      if (this.controller.signal.aborted) return resolve(interruptedStatus);
      this.controller.signal.addEventListener('abort', () => resolve(interruptedStatus), { once: true });
    });
  }
}
