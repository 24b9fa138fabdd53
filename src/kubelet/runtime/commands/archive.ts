// tar and gzip over the container's filesystem: enough for `kubectl cp`, which runs
// `tar cf - PATH` in the container to copy out and `tar -xmf - -C DIR` (with
// --no-same-permissions --no-same-owner) to copy in; gzip/gunzip/zcat through node:zlib.
import { gunzipSync, gzipSync } from 'node:zlib';
import { FsError, normalizePath, walk } from '../filesystem.ts';
import { readAll } from '../shell/io.ts';
import type { CommandContext, CommandFn } from '../shell/types.ts';
import { readTar, TarFormatError, writeTar, type TarEntry } from './tar-format.ts';

interface TarOptions {
  mode?: 'c' | 'x' | 't';
  file?: string;
  dir?: string;
  gzip: boolean;
  verbose: boolean;
  operands: string[];
}

/** tar's three argument styles: `tar cf - x` (bundled, no dash), `-xmf -`, and long options. */
function parseTarArgs(args: string[]): TarOptions {
  const opts: TarOptions = { gzip: false, verbose: false, operands: [] };
  const pending: ('f' | 'C')[] = [];
  const letters = (s: string) => {
    for (const ch of s) {
      if (ch === 'c' || ch === 'x' || ch === 't') opts.mode = ch;
      else if (ch === 'f' || ch === 'C') pending.push(ch);
      else if (ch === 'z') opts.gzip = true;
      else if (ch === 'v') opts.verbose = true;
    }
  };
  args.forEach((a, i) => {
    if (pending.length && !(i === 0)) {
      const which = pending.shift()!;
      if (which === 'f') opts.file = a;
      else opts.dir = a;
      return;
    }
    if (i === 0 && !a.startsWith('-')) return letters(a);
    if (a.startsWith('--')) {
      const [k, v] = a.slice(2).split('=', 2);
      if (k === 'file') opts.file = v;
      else if (k === 'directory') opts.dir = v;
      else if (k === 'gzip') opts.gzip = true;
      else if (k === 'extract') opts.mode = 'x';
      else if (k === 'create') opts.mode = 'c';
      else if (k === 'list') opts.mode = 't';
      return;
    }
    if (a.startsWith('-') && a.length > 1) return letters(a.slice(1));
    opts.operands.push(a);
  });
  return opts;
}

const tar: CommandFn = async (ctx) => {
  const opts = parseTarArgs(ctx.argv.slice(1));
  const fs = ctx.host.fs;
  const base = normalizePath(opts.dir ?? '.', ctx.cwd);
  if (!opts.mode) {
    await ctx.stderr.write('tar: need to specify one of -c, -t, -x\n');
    return 1;
  }
  if (opts.mode === 'c') {
    const entries: TarEntry[] = [];
    let warned = false;
    for (const operand of opts.operands) {
      const start = normalizePath(operand, base);
      if (!fs.lookup(start)) {
        await ctx.stderr.write(`tar: ${operand}: No such file or directory\n`);
        return 1;
      }
      if (operand.startsWith('/') && !warned) {
        await ctx.stderr.write("tar: removing leading '/' from member names\n");
        warned = true;
      }
      const memberBase = operand.replace(/^\/+/, '').replace(/\/+$/, '') || '.';
      for (const item of walk(fs, start)) {
        const path = memberBase + item.path.slice(start === '/' ? 0 : start.length);
        const n = item.node;
        entries.push({ path, type: n.type === 'dir' ? 'dir' : 'file', mode: n.mode, mtime: n.mtime, data: n.type === 'file' ? n.data : Buffer.alloc(0) });
        if (opts.verbose) await ctx.stderr.write(`${path}${n.type === 'dir' ? '/' : ''}\n`);
      }
    }
    let archive = writeTar(entries);
    if (opts.gzip) archive = gzipSync(archive);
    if (!opts.file || opts.file === '-') await ctx.stdout.write(archive);
    else fs.writeFile(normalizePath(opts.file, ctx.cwd), archive);
    return 0;
  }
  let archive = !opts.file || opts.file === '-' ? await readAll(ctx.stdin) : fs.readFile(normalizePath(opts.file, ctx.cwd));
  if (opts.gzip || (archive[0] === 0x1f && archive[1] === 0x8b)) archive = gunzipSync(archive);
  let entries: TarEntry[];
  try {
    entries = readTar(archive);
  } catch (err) {
    if (!(err instanceof TarFormatError)) throw err;
    await ctx.stderr.write('tar: invalid tar magic\n');
    return 1;
  }
  for (const e of entries) {
    if (opts.mode === 't' || opts.verbose) await (opts.mode === 't' ? ctx.stdout : ctx.stderr).write(`${e.path}\n`);
    if (opts.mode === 't') continue;
    // Members never escape the target directory, as GNU tar refuses `..` in names.
    const target = normalizePath(e.path.split('/').filter((p) => p !== '..').join('/'), base);
    if (e.type === 'dir') fs.mkdirp(target);
    else if (e.type === 'file') {
      fs.mkdirp(target.slice(0, target.lastIndexOf('/')) || '/');
      fs.writeFile(target, e.data, { mode: e.mode || 0o644, mtime: e.mtime });
    }
  }
  return 0;
};

async function zipper(ctx: CommandContext, decompress: boolean, toStdout: boolean): Promise<number> {
  const operands = ctx.argv.slice(1).filter((a) => !a.startsWith('-'));
  const name = ctx.argv[0].slice(ctx.argv[0].lastIndexOf('/') + 1);
  const convert = (b: Buffer) => (decompress ? gunzipSync(b) : gzipSync(b));
  try {
    if (!operands.length) {
      await ctx.stdout.write(convert(await readAll(ctx.stdin)));
      return 0;
    }
    for (const file of operands) {
      const path = normalizePath(file, ctx.cwd);
      const out = convert(ctx.host.fs.readFile(path));
      if (toStdout) await ctx.stdout.write(out);
      else {
        ctx.host.fs.writeFile(decompress ? path.replace(/\.gz$/, '') : `${path}.gz`, out);
        ctx.host.fs.remove(path);
      }
    }
    return 0;
  } catch (err) {
    if (err instanceof FsError) {
      await ctx.stderr.write(`${name}: can't open '${err.path}': ${err.message}\n`);
      return 1;
    }
    if ((err as { code?: string }).code?.startsWith('Z_')) {
      await ctx.stderr.write(`${name}: invalid magic\n`);
      return 1;
    }
    throw err;
  }
}

export const archiveCommands: Record<string, CommandFn> = {
  tar,
  gzip: (ctx) => zipper(ctx, ctx.argv.includes('-d'), ctx.argv.includes('-c')),
  gunzip: (ctx) => zipper(ctx, true, ctx.argv.includes('-c')),
  zcat: (ctx) => zipper(ctx, true, true),
};
