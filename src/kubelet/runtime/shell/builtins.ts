// sh's special builtins, which act on the shell itself rather than run as programs: cd, pwd,
// export, unset, set --, shift, read, eval, ., exec, exit, break, continue (and wait, trap,
// umask, alias, accepted and ignored).
import { normalizePath } from '../filesystem.ts';
import type { Shell } from './interpreter.ts';
import { LineReader, type Input } from './io.ts';
import { parse } from './parser.ts';
import type { Io } from './types.ts';

/** `exit N`: unwinds to the shell that runs the script. */
export class ExitSignal {
  constructor(readonly code: number) {}
}

/** `break N` / `continue N`: unwinds to the Nth enclosing loop. */
export class LoopSignal {
  constructor(readonly kind: 'break' | 'continue', public levels: number) {}
}

/** One line reader per input, so successive `read`s in a loop see each line once (what a real fd's offset gives). */
const lineReaders = new WeakMap<Input, LineReader>();

function lineReaderOf(input: Input): LineReader {
  if (input instanceof LineReader) return input;
  let reader = lineReaders.get(input);
  if (!reader) lineReaders.set(input, (reader = new LineReader(input)));
  return reader;
}

/** Runs `name` if it is a special builtin; undefined when it is not one. */
export async function specialBuiltin(shell: Shell, name: string, args: string[], io: Io): Promise<number | undefined> {
  switch (name) {
    case 'exit': throw new ExitSignal(args.length ? Number(args[0]) & 255 : shell.status);
    case 'break':
    case 'continue': throw new LoopSignal(name, Math.max(1, Number(args[0] ?? 1) || 1));
    case 'cd': {
      const target = normalizePath(args[0] ?? shell.vars.get('HOME') ?? '/', shell.cwd);
      const node = shell.host.fs.lookup(target);
      if (!node || node.type !== 'dir') {
        await io.stderr.write(`${shell.name}: cd: can't cd to ${args[0]}: ${node ? 'Not a directory' : 'No such file or directory'}\n`);
        return 2;
      }
      shell.cwd = target;
      shell.vars.set('PWD', target);
      return 0;
    }
    case 'pwd':
      await io.stdout.write(`${shell.cwd}\n`);
      return 0;
    case 'export':
    case 'readonly':
    case 'local':
      for (const a of args) {
        const eq = a.indexOf('=');
        const key = eq >= 0 ? a.slice(0, eq) : a;
        if (eq >= 0) shell.vars.set(key, a.slice(eq + 1));
        if (name !== 'local') shell.exported.add(key);
      }
      return 0;
    case 'unset':
      for (const a of args) {
        shell.vars.delete(a);
        shell.exported.delete(a);
      }
      return 0;
    case 'set':
      if (args[0] === '--') shell.positional = args.slice(1);
      return 0;
    case 'shift':
      shell.positional = shell.positional.slice(Number(args[0] ?? 1) || 1);
      return 0;
    case 'read': return read(shell, args, io);
    case 'eval': return shell.runTop(parse(args.join(' ')), io);
    case '.':
    case 'source': {
      const text = shell.host.fs.readFile(normalizePath(args[0] ?? '', shell.cwd)).toString();
      return shell.runTop(parse(text), io);
    }
    case 'exec':
      if (!args.length) return 0;
      throw new ExitSignal(await shell.invoke(args, {}, io));
    case 'wait':
    case 'trap':
    case 'umask':
    case 'alias':
      return 0;
    default: return undefined;
  }
}

/** `read [-r] NAME...`: one line of stdin split over the names; 1 at end of input. */
async function read(shell: Shell, args: string[], io: Io): Promise<number> {
  const names = args.filter((a) => !a.startsWith('-'));
  const line = await lineReaderOf(io.stdin).readLine();
  if (line === null) return 1;
  const fields = line.trim().split(/[ \t]+/);
  const targets = names.length ? names : ['REPLY'];
  targets.forEach((n, i) => shell.vars.set(n, i === targets.length - 1 ? fields.slice(i).join(' ') : fields[i] ?? ''));
  return 0;
}

