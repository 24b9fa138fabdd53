// File utilities over the container's filesystem, with busybox's messages: cat, ls, mkdir, rm,
// touch, cp, wc, grep, head, tail. Commands that filter stdin stream it (cat and grep print
// each line as it arrives), so `tail -f`-like pipelines behave as they would in a container.
import { basename, FsError, normalizePath, walk, type Node } from '../filesystem.ts';
import { LineReader, readAll, type Input } from '../shell/io.ts';
import type { CommandContext, CommandFn } from '../shell/types.ts';
import { formatDate } from './basic.ts';

/** Splits `-abc` style flags (and `-n 5` / `-n5` values for the named ones) from operands. */
export function parseFlags(args: string[], withValue = ''): { flags: Map<string, string>; operands: string[] } {
  const flags = new Map<string, string>();
  const operands: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      operands.push(a);
      continue;
    }
    if (a.startsWith('--')) {
      const [k, v] = a.slice(2).split('=', 2);
      flags.set(k, v ?? '');
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const f = a[j];
      if (withValue.includes(f)) {
        flags.set(f, a.slice(j + 1) || args[++i] || '');
        break;
      }
      flags.set(f, '');
    }
  }
  return { flags, operands };
}

/** The operands as inputs (a file's bytes, or stdin for none or `-`). */
async function* inputs(ctx: CommandContext, operands: string[]): AsyncGenerator<{ name: string; input?: Input; error?: string }> {
  for (const name of operands.length ? operands : ['-']) {
    if (name === '-') {
      yield { name, input: ctx.stdin };
      continue;
    }
    try {
      const data = ctx.host.fs.readFile(normalizePath(name, ctx.cwd));
      let done = false;
      yield { name, input: { read: async () => (done ? null : ((done = true), data.length ? data : null)) } };
    } catch (err) {
      if (!(err instanceof FsError)) throw err;
      yield { name, error: err.message };
    }
  }
}

const cat: CommandFn = async (ctx) => {
  const { operands } = parseFlags(ctx.argv.slice(1));
  let status = 0;
  for await (const { name, input, error } of inputs(ctx, operands)) {
    if (!input) {
      await ctx.stderr.write(`cat: can't open '${name}': ${error}\n`);
      status = 1;
      continue;
    }
    for (let c = await input.read(); c !== null; c = await input.read()) await ctx.stdout.write(c);
  }
  return status;
};

function modeString(node: Node): string {
  const bits = node.mode;
  const rwx = (n: number) => `${n & 4 ? 'r' : '-'}${n & 2 ? 'w' : '-'}${n & 1 ? 'x' : '-'}`;
  return `${node.type === 'dir' ? 'd' : '-'}${rwx(bits >> 6)}${rwx(bits >> 3)}${rwx(bits)}`;
}

function longLine(name: string, node: Node): string {
  const size = node.type === 'dir' ? 4096 : node.data.length;
  const links = node.type === 'dir' ? 2 : 1;
  return `${modeString(node)} ${String(links).padStart(4)} root     root     ${String(size).padStart(9)} ${formatDate(node.mtime, '%b %e %H:%M')} ${name}`;
}

const ls: CommandFn = async (ctx) => {
  const { flags, operands } = parseFlags(ctx.argv.slice(1));
  const all = flags.has('a');
  const long = flags.has('l');
  let status = 0;
  const targets = operands.length ? operands : ['.'];
  for (const [i, target] of targets.entries()) {
    const node = ctx.host.fs.lookup(normalizePath(target, ctx.cwd));
    if (!node) {
      await ctx.stderr.write(`ls: ${target}: No such file or directory\n`);
      status = 1;
      continue;
    }
    if (node.type === 'file') {
      await ctx.stdout.write(`${long ? longLine(target, node) : target}\n`);
      continue;
    }
    if (targets.length > 1) await ctx.stdout.write(`${i ? '\n' : ''}${target}:\n`);
    const names = [...node.children.keys()].sort().filter((n) => all || !n.startsWith('.'));
    if (long) await ctx.stdout.write(`total ${names.length * 4}\n`);
    const lines = names.map((n) => (long ? longLine(n, node.children.get(n)!) : n));
    if (lines.length) await ctx.stdout.write(`${lines.join('\n')}\n`);
  }
  return status;
};

const mkdir: CommandFn = async (ctx) => {
  const { flags, operands } = parseFlags(ctx.argv.slice(1), 'm');
  let status = 0;
  for (const dir of operands) {
    try {
      if (flags.has('p')) ctx.host.fs.mkdirp(normalizePath(dir, ctx.cwd));
      else ctx.host.fs.mkdir(normalizePath(dir, ctx.cwd));
    } catch (err) {
      if (!(err instanceof FsError)) throw err;
      await ctx.stderr.write(`mkdir: can't create directory '${dir}': ${err.message}\n`);
      status = 1;
    }
  }
  return status;
};

const rm: CommandFn = async (ctx) => {
  const { flags, operands } = parseFlags(ctx.argv.slice(1));
  let status = 0;
  for (const target of operands) {
    try {
      ctx.host.fs.remove(normalizePath(target, ctx.cwd), { recursive: flags.has('r') || flags.has('R') });
    } catch (err) {
      if (!(err instanceof FsError)) throw err;
      if (err.code === 'ENOENT' && flags.has('f')) continue;
      await ctx.stderr.write(`rm: can't remove '${target}': ${err.message}\n`);
      status = 1;
    }
  }
  return status;
};

const touch: CommandFn = async (ctx) => {
  const { operands } = parseFlags(ctx.argv.slice(1));
  for (const target of operands) {
    const path = normalizePath(target, ctx.cwd);
    const node = ctx.host.fs.lookup(path);
    if (node) node.mtime = new Date();
    else ctx.host.fs.writeFile(path, '');
  }
  return 0;
};

const cp: CommandFn = async (ctx) => {
  const { flags, operands } = parseFlags(ctx.argv.slice(1));
  if (operands.length < 2) {
    await ctx.stderr.write('cp: missing file operand\n');
    return 1;
  }
  const fs = ctx.host.fs;
  const dest = normalizePath(operands[operands.length - 1], ctx.cwd);
  const destIsDir = fs.lookup(dest)?.type === 'dir';
  for (const source of operands.slice(0, -1)) {
    const from = normalizePath(source, ctx.cwd);
    const to = destIsDir ? `${dest}/${basename(from)}` : dest;
    const node = fs.stat(from);
    if (node.type === 'dir' && !(flags.has('r') || flags.has('R') || flags.has('a'))) {
      await ctx.stderr.write(`cp: omitting directory '${source}'\n`);
      return 1;
    }
    for (const item of walk(fs, from)) {
      const target = to + item.path.slice(from.length);
      if (item.node.type === 'dir') fs.mkdirp(target);
      else fs.writeFile(target, Buffer.from(item.node.data), { mode: item.node.mode });
    }
  }
  return 0;
};

const wc: CommandFn = async (ctx) => {
  const { flags, operands } = parseFlags(ctx.argv.slice(1));
  const pick = ['l', 'w', 'c'].filter((f) => flags.has(f));
  const show = pick.length ? pick : ['l', 'w', 'c'];
  let status = 0;
  for await (const { name, input, error } of inputs(ctx, operands)) {
    if (!input) {
      await ctx.stderr.write(`wc: can't open '${name}': ${error}\n`);
      status = 1;
      continue;
    }
    const data = await readAll(input);
    const text = data.toString();
    const counts: Record<string, number> = { l: (text.match(/\n/g) ?? []).length, w: text.split(/\s+/).filter(Boolean).length, c: data.length };
    const cols = show.map((f) => (show.length === 1 ? String(counts[f]) : String(counts[f]).padStart(7)));
    await ctx.stdout.write(`${cols.join(' ')}${operands.length ? ` ${name}` : ''}\n`);
  }
  return status;
};

const grep: CommandFn = async (ctx) => {
  const { flags, operands } = parseFlags(ctx.argv.slice(1), 'e');
  const pattern = flags.get('e') ?? operands.shift();
  if (pattern === undefined) {
    await ctx.stderr.write('Usage: grep [-ivcqnF] PATTERN [FILE]...\n');
    return 2;
  }
  const source = flags.has('F') ? pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : pattern.replace(/\\([(){}|+?])/g, '$1');
  let re: RegExp;
  try {
    re = new RegExp(source, flags.has('i') ? 'i' : '');
  } catch {
    await ctx.stderr.write(`grep: bad regex '${pattern}'\n`);
    return 2;
  }
  let matched = 0;
  let status = 0;
  for await (const { name, input, error } of inputs(ctx, operands)) {
    if (!input) {
      await ctx.stderr.write(`grep: ${name}: ${error}\n`);
      status = 2;
      continue;
    }
    const lines = new LineReader(input);
    let n = 0;
    for (let line = await lines.readLine(); line !== null; line = await lines.readLine()) {
      n++;
      if (re.test(line) === flags.has('v')) continue;
      matched++;
      if (flags.has('q')) return 0;
      if (flags.has('c')) continue;
      const prefix = `${operands.length > 1 ? `${name}:` : ''}${flags.has('n') ? `${n}:` : ''}`;
      await ctx.stdout.write(`${prefix}${line}\n`);
    }
  }
  if (flags.has('c')) await ctx.stdout.write(`${matched}\n`);
  return status || (matched ? 0 : 1);
};

/** head/tail's count: `-n N`, `-N`, or 10. */
function lineCount(args: string[]): { count: number; fromStart: boolean; rest: string[] } {
  const legacy = args.findIndex((a) => /^-\d+$/.test(a));
  if (legacy >= 0) return { count: Number(args[legacy].slice(1)), fromStart: false, rest: args.filter((_, i) => i !== legacy) };
  const { flags, operands } = parseFlags(args, 'nc');
  const n = flags.get('n') ?? '10';
  return { count: Math.abs(Number(n)) || 0, fromStart: n.startsWith('+'), rest: operands };
}

const head: CommandFn = async (ctx) => {
  const { count, rest } = lineCount(ctx.argv.slice(1));
  for await (const { name, input, error } of inputs(ctx, rest)) {
    if (!input) {
      await ctx.stderr.write(`head: ${name}: ${error}\n`);
      return 1;
    }
    const lines = new LineReader(input);
    for (let i = 0; i < count; i++) {
      const line = await lines.readLine();
      if (line === null) break;
      await ctx.stdout.write(`${line}\n`);
    }
  }
  return 0;
};

const tail: CommandFn = async (ctx) => {
  const { count, fromStart, rest } = lineCount(ctx.argv.slice(1));
  for await (const { name, input, error } of inputs(ctx, rest)) {
    if (!input) {
      await ctx.stderr.write(`tail: can't open '${name}': ${error}\n`);
      return 1;
    }
    const text = (await readAll(input)).toString();
    const lines = text.replace(/\n$/, '').split('\n');
    if (!text) continue;
    const out = fromStart ? lines.slice(Math.max(0, count - 1)) : count ? lines.slice(-count) : [];
    if (out.length) await ctx.stdout.write(`${out.join('\n')}\n`);
  }
  return 0;
};

export const fileCommands: Record<string, CommandFn> = { cat, ls, mkdir, rm, touch, cp, wc, grep, head, tail };
