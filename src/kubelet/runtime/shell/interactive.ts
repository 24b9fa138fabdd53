// The shell on a terminal (`kubectl exec -it POD -- sh`, `kubectl run -it`): print the prompt,
// read a line through the Tty, run it with Ctrl-C bound to that command alone, `> ` while a
// command is incomplete; `exit` or Ctrl-D on an empty line ends the session, as sh's REPL.
import { ExitSignal, Incomplete, Shell, ShellSyntaxError } from './interpreter.ts';
import { parse } from './parser.ts';
import { Tty } from './tty.ts';
import type { Io } from './types.ts';
import type { List } from './ast.ts';

export interface InteractiveOptions {
  /** The prompt for the current directory (busybox: `/ # `; debian's bash: `root@HOST:/# `). */
  prompt: (cwd: string) => string;
}

/** Runs the REPL until exit or end-of-input; resolves with the shell's exit status. */
export async function runInteractive(shell: Shell, tty: Tty, io: Io, opts: InteractiveOptions): Promise<number> {
  const outer = shell.signal;
  const cmdIo: Io = { stdin: tty, stdout: io.stdout, stderr: io.stdout };
  let pending = '';
  await io.stdout.write(opts.prompt(shell.cwd));
  for (;;) {
    if (outer.aborted) return shell.status;
    const ev = await tty.next();
    if (ev === 'eof') {
      if (pending) return 2;
      await io.stdout.write('\n').catch(() => undefined);
      return shell.status;
    }
    if (ev === 'interrupt') {
      pending = '';
      await io.stdout.write(opts.prompt(shell.cwd));
      continue;
    }
    pending += ev.toString();
    let list: List;
    try {
      list = parse(pending);
    } catch (err) {
      if (err instanceof Incomplete) {
        await io.stdout.write('> ');
        continue;
      }
      if (!(err instanceof ShellSyntaxError)) throw err;
      await io.stdout.write(`${shell.name}: ${err.message}\n`);
      pending = '';
      shell.status = 2;
      await io.stdout.write(opts.prompt(shell.cwd));
      continue;
    }
    pending = '';
    const foreground = new AbortController();
    const stop = () => foreground.abort();
    outer.addEventListener('abort', stop, { once: true });
    tty.onInterrupt = stop;
    shell.signal = foreground.signal;
    try {
      await shell.runTop(list, cmdIo);
    } catch (err) {
      if (err instanceof ExitSignal) return err.code;
      throw err;
    } finally {
      tty.onInterrupt = undefined;
      shell.signal = outer;
      outer.removeEventListener('abort', stop);
    }
    await io.stdout.write(opts.prompt(shell.cwd));
  }
}
