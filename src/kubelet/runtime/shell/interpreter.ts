// The shell's interpreter: runs a parsed script with streaming streams (a command's output
// reaches the client as it is written; `a | b` run side by side through a Pipe), sh's exit
// statuses ($?, 127 for a command not found, 130 when interrupted, 141 on a broken pipe) and
// its special builtins (builtins.ts).
import type { AndOr, Command, List, Pipeline, Redirect, SimpleCommand } from './ast.ts';
import { expandString, expandWord, type ExpandContext } from './expand.ts';
import { BrokenPipe, Collector, emptyInput, LineReader, nullOutput, Pipe, bufferInput, type Input, type Output } from './io.ts';
import { Incomplete, ShellSyntaxError } from './lexer.ts';
import { parse } from './parser.ts';
import { globPaths } from './glob.ts';
import { ExitSignal, LoopSignal, specialBuiltin } from './builtins.ts';
import { Interrupted, interruptedStatus, type CommandContext, type Io, type ShellHost } from './types.ts';
import { FsError, normalizePath } from '../filesystem.ts';

/** Substitutions within substitutions, beyond which a script is refused (a fork bomb's depth). */
const maxNesting = 32;

export interface ShellOptions {
  env: Record<string, string>;
  /** $0 and the prefix of error messages (sh, bash, ash). */
  name?: string;
  positional?: string[];
  cwd?: string;
  signal: AbortSignal;
  nesting?: number;
}

export class Shell {
  readonly vars = new Map<string, string>();
  readonly exported = new Set<string>();
  positional: string[];
  cwd: string;
  status = 0;
  signal: AbortSignal;
  readonly name: string;
  private readonly nesting: number;

  constructor(readonly host: ShellHost, opts: ShellOptions) {
    for (const [k, v] of Object.entries(opts.env)) {
      this.vars.set(k, v);
      this.exported.add(k);
    }
    this.name = opts.name ?? 'sh';
    this.positional = opts.positional ?? [];
    this.cwd = opts.cwd ?? opts.env.PWD ?? '/';
    this.signal = opts.signal;
    this.nesting = opts.nesting ?? 0;
  }

  /** Parses and runs a script; a syntax error is sh's exit 2, `exit N` is N. */
  async runScript(src: string, io: Io): Promise<number> {
    let list: List;
    try {
      list = parse(src);
    } catch (err) {
      if (!(err instanceof ShellSyntaxError)) throw err;
      await io.stderr.write(`${this.name}: ${err.message}\n`).catch(() => undefined);
      return (this.status = 2);
    }
    return this.runTop(list, io);
  }

  /** Runs a parsed list, turning exit and interrupts into a status. */
  async runTop(list: List, io: Io): Promise<number> {
    try {
      return await this.runList(list, io);
    } catch (err) {
      if (err instanceof ExitSignal) throw err;
      if (err instanceof Interrupted) return (this.status = interruptedStatus);
      if (err instanceof BrokenPipe) return (this.status = 141);
      if (err instanceof ShellSyntaxError) {
        await io.stderr.write(`${this.name}: ${err.message}\n`).catch(() => undefined);
        return (this.status = 2);
      }
      throw err;
    }
  }

  exportedEnv(extra: Record<string, string> = {}): Record<string, string> {
    const env: Record<string, string> = {};
    for (const k of this.exported) if (this.vars.has(k)) env[k] = this.vars.get(k)!;
    return { ...env, ...extra };
  }

  private async runList(list: List, io: Io): Promise<number> {
    for (const item of list) {
      if (item.background) {
        // `cmd &`: runs on; its status is not waited for, as an asynchronous list.
        void this.runAndOr(item, { ...io, stdin: emptyInput }).catch(() => undefined);
        this.status = 0;
      } else await this.runAndOr(item, io);
    }
    return this.status;
  }

  private async runAndOr(item: AndOr, io: Io): Promise<number> {
    await this.runPipeline(item.first, io);
    for (const { op, pipeline } of item.rest) {
      if ((op === '&&') === (this.status === 0)) await this.runPipeline(pipeline, io);
    }
    return this.status;
  }

  private async runPipeline(p: Pipeline, io: Io): Promise<number> {
    if (this.signal.aborted) throw new Interrupted();
    let status: number;
    if (p.commands.length === 1) status = await this.runCommand(p.commands[0], io);
    else {
      const runs: Promise<number>[] = [];
      let input: Input = io.stdin;
      p.commands.forEach((cmd, i) => {
        const last = i === p.commands.length - 1;
        const pipe = last ? undefined : new Pipe();
        const stdin = input;
        const run = this.runCommand(cmd, { stdin, stdout: pipe ?? io.stdout, stderr: io.stderr })
          .catch((err) => (err instanceof BrokenPipe ? 141 : err instanceof ExitSignal ? err.code : Promise.reject(err)))
          .finally(() => {
            pipe?.close();
            if (stdin instanceof Pipe) stdin.closeReader();
          });
        runs.push(run);
        if (pipe) input = pipe;
      });
      const statuses = await Promise.all(runs);
      status = statuses[statuses.length - 1];
    }
    if (p.negate) status = status === 0 ? 1 : 0;
    return (this.status = status);
  }

  private async runCommand(cmd: Command, io: Io): Promise<number> {
    if (cmd.type === 'simple') return this.runSimple(cmd, io);
    const redirected = await this.redirect(cmd.redirects, io);
    if (!redirected) return (this.status = 1);
    switch (cmd.type) {
      case 'group':
        return this.runList(cmd.body, redirected);
      case 'subshell': {
        const sub = this.fork();
        try {
          return (this.status = await sub.runList(cmd.body, redirected));
        } catch (err) {
          if (err instanceof ExitSignal) return (this.status = err.code);
          throw err;
        }
      }
      case 'if': {
        for (const b of cmd.branches) {
          await this.runList(b.cond, redirected);
          if (this.status === 0) return this.runList(b.body, redirected);
        }
        this.status = 0;
        return cmd.otherwise ? this.runList(cmd.otherwise, redirected) : 0;
      }
      case 'while':
      case 'until': {
        let last = 0;
        for (;;) {
          if (this.signal.aborted) throw new Interrupted();
          await this.runList(cmd.cond, redirected);
          if ((this.status === 0) !== (cmd.type === 'while')) break;
          const flow = await this.loopBody(cmd.body, redirected);
          last = this.status;
          if (flow === 'break') break;
          // A loop whose body never waits must still let other work run (and Ctrl-C arrive).
          await new Promise((r) => setImmediate(r));
        }
        return (this.status = last);
      }
      case 'for': {
        const items = cmd.items ? (await Promise.all(cmd.items.map((w) => expandWord(w, this.expander(redirected))))).flat() : [...this.positional];
        this.status = 0;
        for (const item of items) {
          if (this.signal.aborted) throw new Interrupted();
          this.vars.set(cmd.name, item);
          if ((await this.loopBody(cmd.body, redirected)) === 'break') break;
        }
        return this.status;
      }
    }
  }

  /** One pass of a loop body: 'break' when the loop must end. */
  private async loopBody(body: List, io: Io): Promise<'break' | undefined> {
    try {
      await this.runList(body, io);
    } catch (err) {
      if (!(err instanceof LoopSignal)) throw err;
      if (--err.levels > 0) throw err;
      return err.kind === 'break' ? 'break' : undefined;
    }
    return undefined;
  }

  private async runSimple(cmd: SimpleCommand, io: Io): Promise<number> {
    const ex = this.expander(io);
    const argv: string[] = [];
    for (const w of cmd.words) argv.push(...(await expandWord(w, ex)));
    const assigns: Record<string, string> = {};
    for (const a of cmd.assigns) assigns[a.name] = await expandString(a.value, ex);
    const redirected = await this.redirect(cmd.redirects, io);
    if (!redirected) return (this.status = 1);
    if (!argv.length) {
      for (const [k, v] of Object.entries(assigns)) this.vars.set(k, v);
      return (this.status = 0);
    }
    try {
      return (this.status = await this.invoke(argv, assigns, redirected));
    } catch (err) {
      if (err instanceof BrokenPipe) return (this.status = 141);
      throw err;
    }
  }

  /** Runs argv: a special builtin, a command of the image, or a script file. */
  async invoke(argv: string[], assigns: Record<string, string>, io: Io): Promise<number> {
    const [name, ...args] = argv;
    const special = await specialBuiltin(this, name, args, io);
    if (special !== undefined) return special;
    const base = name.includes('/') ? name.slice(name.lastIndexOf('/') + 1) : name;
    if (name.includes('/')) {
      const node = this.host.fs.lookup(normalizePath(name, this.cwd));
      if (!node) {
        await io.stderr.write(`${this.name}: ${name}: not found\n`);
        return 127;
      }
      if (node.type === 'file' && node.data.subarray(0, 2).toString() === '#!') {
        return this.runShellCommand([name, ...args], io, assigns, node.data.toString().replace(/^#![^\n]*\n/, ''));
      }
    }
    const fn = this.host.commands.get(base);
    if (!fn) {
      await io.stderr.write(`${this.name}: ${name}: not found\n`);
      return 127;
    }
    const ctx: CommandContext = {
      ...io, argv: [name, ...args], env: this.exportedEnv(assigns), cwd: this.cwd, host: this.host, signal: this.signal,
      runShell: (shellArgs, shellIo) => this.runShellCommand(shellArgs, shellIo, assigns),
    };
    try {
      return await fn(ctx);
    } catch (err) {
      if (err instanceof FsError) {
        await io.stderr.write(`${base}: ${err.path}: ${err.message}\n`);
        return 1;
      }
      throw err;
    }
  }

  /** `sh [-c script [name args...]] [file]` in a new shell (a child process of this one). */
  async runShellCommand(argv: string[], io: Io, assigns: Record<string, string> = {}, script?: string): Promise<number> {
    if (this.nesting >= maxNesting) {
      await io.stderr.write(`${this.name}: too many nested shells\n`);
      return 2;
    }
    const name = argv[0].slice(argv[0].lastIndexOf('/') + 1);
    let positional = argv.slice(1);
    let src = script;
    const flags = positional.findIndex((a) => /^-[a-z]*c[a-z]*$/.test(a));
    if (src === undefined && flags >= 0) {
      src = positional[flags + 1] ?? '';
      positional = positional.slice(flags + 3);
    } else if (src === undefined) {
      const file = positional.find((a) => !a.startsWith('-'));
      if (file !== undefined) {
        src = this.host.fs.readFile(normalizePath(file, this.cwd)).toString();
        positional = positional.slice(positional.indexOf(file) + 1);
      }
    }
    const child = new Shell(this.host, { env: this.exportedEnv(assigns), name, positional, cwd: this.cwd, signal: this.signal, nesting: this.nesting + 1 });
    try {
      if (src !== undefined) return await child.runScript(src, io);
      return await child.runInput(io);
    } catch (err) {
      if (err instanceof ExitSignal) return err.code;
      throw err;
    }
  }

  /** A script read from stdin as it arrives (`sh` with no arguments, not on a terminal). */
  async runInput(io: Io): Promise<number> {
    const reader = io.stdin instanceof LineReader ? io.stdin : new LineReader(io.stdin);
    const shared = { ...io, stdin: reader };
    let pending = '';
    for (let line = await reader.readLine(); line !== null; line = await reader.readLine()) {
      pending += `${line}\n`;
      let list: List;
      try {
        list = parse(pending);
      } catch (err) {
        if (err instanceof Incomplete) continue;
        if (!(err instanceof ShellSyntaxError)) throw err;
        await io.stderr.write(`${this.name}: ${err.message}\n`);
        pending = '';
        this.status = 2;
        continue;
      }
      pending = '';
      await this.runTop(list, shared);
    }
    return this.status;
  }

  fork(): Shell {
    const sub = new Shell(this.host, { env: {}, name: this.name, positional: [...this.positional], cwd: this.cwd, signal: this.signal, nesting: this.nesting + 1 });
    for (const [k, v] of this.vars) sub.vars.set(k, v);
    for (const k of this.exported) sub.exported.add(k);
    sub.status = this.status;
    return sub;
  }

  private expander(io: Io): ExpandContext {
    return {
      get: (name) => {
        if (name === '?') return String(this.status);
        if (name === '$') return '1';
        if (name === '#') return String(this.positional.length);
        if (name === '0') return this.name;
        if (name === '!') return '';
        if (/^\d+$/.test(name)) return this.positional[Number(name) - 1];
        return this.vars.get(name);
      },
      set: (name, value) => this.vars.set(name, value),
      positional: () => this.positional,
      substitute: async (src) => {
        if (this.nesting >= maxNesting) throw new ShellSyntaxError('too many nested command substitutions');
        const out = new Collector();
        const sub = this.fork();
        try {
          this.status = await sub.runTop(parse(src), { stdin: io.stdin, stdout: out, stderr: io.stderr });
        } catch (err) {
          if (!(err instanceof ExitSignal)) throw err;
          this.status = err.code;
        }
        return out.text();
      },
      glob: (pattern) => globPaths(this.host.fs, pattern, this.cwd),
    };
  }

  /** The streams after a command's redirections; undefined (after printing why) when one fails. */
  private async redirect(redirects: Redirect[], io: Io): Promise<Io | undefined> {
    let out: Io = io;
    for (const r of redirects) {
      const target = await expandString(r.target, this.expander(io));
      try {
        out = this.applyRedirect(r, target, out);
      } catch (err) {
        if (!(err instanceof FsError)) throw err;
        await io.stderr.write(`${this.name}: can't ${r.op === '<' ? 'open' : 'create'} ${target}: ${err.message}\n`);
        return undefined;
      }
    }
    return out;
  }

  private applyRedirect(r: Redirect, target: string, io: Io): Io {
    const set = (fd: number, stream: Input | Output): Io => {
      if (fd === 0) return { ...io, stdin: stream as Input };
      if (fd === 2) return { ...io, stderr: stream as Output };
      return { ...io, stdout: stream as Output };
    };
    if (r.op === '>&' || r.op === '<&') {
      if (target === '1') return set(r.fd, io.stdout);
      if (target === '2') return set(r.fd, io.stderr);
      if (target === '0') return set(r.fd, io.stdin);
      if (target === '-') return set(r.fd, r.fd === 0 ? emptyInput : nullOutput);
    }
    const path = normalizePath(target, this.cwd);
    if (r.op === '<' || r.op === '<&') return set(r.fd, path === '/dev/null' ? emptyInput : bufferInput(this.host.fs.readFile(path)));
    if (path === '/dev/null') return set(r.fd, nullOutput);
    if (path === '/dev/stdout') return set(r.fd, io.stdout);
    if (path === '/dev/stderr') return set(r.fd, io.stderr);
    const fs = this.host.fs;
    fs.writeFile(path, '', { append: r.op === '>>' });
    return set(r.fd, { write: async (data) => fs.writeFile(path, data, { append: true }) });
  }
}

export { ExitSignal, Incomplete, ShellSyntaxError };
export type { CommandContext };
