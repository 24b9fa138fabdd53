// `kubectl exec` in a simulated container: the command runs in a new shell over the
// container's filesystem and environment, streaming both ways. A shell with no script on a
// TTY is interactive (prompt, line editing, Ctrl-C, Ctrl-D); without a TTY it reads its
// script from stdin as it arrives. A program the image lacks fails as containerd's exec does.
import type { ContainerStreams } from '../container-runtime.ts';
import { shellNames } from './commands/index.ts';
import type { ContainerInstance } from './container.ts';
import { normalizePath } from './filesystem.ts';
import { runInteractive } from './shell/interactive.ts';
import { ExitSignal, Shell } from './shell/interpreter.ts';
import { emptyInput, nullOutput, readableInput, writableOutput, type Input } from './shell/io.ts';
import { Tty } from './shell/tty.ts';
import { Interrupted, interruptedStatus } from './shell/types.ts';

export async function execInContainer(instance: ContainerInstance, command: string[], streams: ContainerStreams): Promise<number> {
  const stdout = streams.stdout ? writableOutput(streams.stdout, streams.tty) : nullOutput;
  const stderr = streams.tty ? stdout : streams.stderr ? writableOutput(streams.stderr) : nullOutput;
  const raw: Input = streams.stdin ? readableInput(streams.stdin) : emptyInput;
  const [program = '', ...args] = command;
  const base = program.slice(program.lastIndexOf('/') + 1);
  const env = { ...instance.env };
  const shell = new Shell(instance.host, { env, name: base, cwd: instance.spec.workingDir, signal: streams.signal });
  const known = instance.commands.has(base) || (program.includes('/') && instance.fs.lookup(normalizePath(program)) !== undefined);
  if (!known) {
    // containerd could not start the process: the message the kubelet's exec reports, and sh's 127.
    await stderr.write(`OCI runtime exec failed: exec failed: unable to start container process: exec: "${program}": executable file not found in $PATH: unknown\n`);
    return 127;
  }
  if (streams.tty && streams.resize) {
    streams.resize.on('resize', (size: { width: number; height: number }) => {
      shell.vars.set('COLUMNS', String(size.width));
      shell.vars.set('LINES', String(size.height));
    });
  }
  try {
    if (shellNames.includes(base) && !args.some((a) => /^-[a-z]*c[a-z]*$/.test(a)) && !args.some((a) => !a.startsWith('-'))) {
      if (streams.tty) {
        const tty = new Tty(raw, stdout);
        return await runInteractive(shell, tty, { stdin: tty, stdout, stderr: stdout }, { prompt: (cwd) => instance.prompt(cwd, base) });
      }
      return await shell.runInput({ stdin: raw, stdout, stderr });
    }
    const stdin = streams.tty ? new Tty(raw, stdout) : raw;
    return await shell.invoke(command, {}, { stdin, stdout, stderr });
  } catch (err) {
    if (err instanceof ExitSignal) return err.code;
    if (err instanceof Interrupted) return interruptedStatus;
    throw err;
  }
}
