// The small utilities every image has (busybox's applets, coreutils'): echo, printf, test/[,
// true, false, env, printenv, hostname, date, seq, sleep, uname, id, whoami, basename, dirname.
// Output streams as it is produced; sleep waits in real time and ends at once on Ctrl-C.
import { normalizePath } from '../filesystem.ts';
import { sleep, type CommandContext, type CommandFn } from '../shell/types.ts';

export const basicCommands: Record<string, CommandFn> = {
  true: async () => 0,
  false: async () => 1,
  ':': async () => 0,
  echo: async ({ argv, stdout }) => {
    let args = argv.slice(1);
    let newline = true;
    let escapes = false;
    while (args.length && /^-[neE]+$/.test(args[0])) {
      if (args[0].includes('n')) newline = false;
      if (args[0].includes('e')) escapes = true;
      args = args.slice(1);
    }
    let text = args.join(' ');
    if (escapes) text = unescape(text);
    await stdout.write(newline ? `${text}\n` : text);
    return 0;
  },
  printf: async ({ argv, stdout, stderr }) => {
    if (argv.length < 2) {
      await stderr.write('printf: missing operand\n');
      return 1;
    }
    await stdout.write(printf(argv[1], argv.slice(2)));
    return 0;
  },
  test: async (ctx) => evaluateTest(ctx.argv.slice(1), ctx),
  '[': async (ctx) => {
    if (ctx.argv[ctx.argv.length - 1] !== ']') {
      await ctx.stderr.write('[: missing ]\n');
      return 2;
    }
    return evaluateTest(ctx.argv.slice(1, -1), ctx);
  },
  env: async (ctx) => {
    const env = { ...ctx.env };
    let args = ctx.argv.slice(1);
    while (args.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(args[0])) {
      const [k, ...v] = args[0].split('=');
      env[k] = v.join('=');
      args = args.slice(1);
    }
    if (args.length) return ctx.runShell(['sh', '-c', 'exec "$@"', 'sh', ...args], ctx);
    await ctx.stdout.write(Object.entries(env).map(([k, v]) => `${k}=${v}\n`).join(''));
    return 0;
  },
  printenv: async ({ argv, env, stdout }) => {
    const names = argv.slice(1);
    if (!names.length) {
      await stdout.write(Object.entries(env).map(([k, v]) => `${k}=${v}\n`).join(''));
      return 0;
    }
    const values = names.map((n) => env[n]);
    await stdout.write(values.filter((v) => v !== undefined).map((v) => `${v}\n`).join(''));
    return values.every((v) => v !== undefined) ? 0 : 1;
  },
  hostname: async ({ host, stdout }) => {
    await stdout.write(`${host.hostname}\n`);
    return 0;
  },
  date: async ({ argv, stdout }) => {
    const format = argv.slice(1).find((a) => a.startsWith('+'));
    await stdout.write(`${formatDate(new Date(), format?.slice(1))}\n`);
    return 0;
  },
  seq: async ({ argv, stdout, stderr, signal }) => {
    const nums = argv.slice(1).filter((a) => !/^-[a-z]/.test(a)).map(Number);
    if (!nums.length || nums.some((n) => !Number.isFinite(n))) {
      await stderr.write(`seq: invalid number '${argv.slice(1).find((a) => !Number.isFinite(Number(a))) ?? ''}'\n`);
      return 1;
    }
    const [first, step, last] = nums.length === 1 ? [1, 1, nums[0]] : nums.length === 2 ? [nums[0], 1, nums[1]] : nums;
    if (step === 0) return 1;
    let batch = '';
    for (let n = first; step > 0 ? n <= last : n >= last; n += step) {
      batch += `${n}\n`;
      if (batch.length > 4096) {
        if (signal.aborted) return 130;
        await stdout.write(batch);
        batch = '';
      }
    }
    await stdout.write(batch);
    return 0;
  },
  sleep: async ({ argv, stderr, signal }) => {
    let ms = 0;
    for (const arg of argv.slice(1)) {
      if (arg === 'infinity' || arg === 'inf') ms = Infinity;
      else {
        const m = /^(\d+(?:\.\d+)?|\.\d+)([smhd]?)$/.exec(arg);
        if (!m) {
          await stderr.write(`sleep: invalid number '${arg}'\n`);
          return 1;
        }
        ms += Number(m[1]) * { '': 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as ''];
      }
    }
    // `sleep infinity` sleeps in day-long steps (a timer cannot be longer than ~24.8 days).
    while (ms > 0) {
      const step = Math.min(ms, 86_400_000);
      await sleep(step, signal);
      ms -= step;
    }
    return 0;
  },
  uname: async ({ argv, stdout }) => {
    const all = argv.includes('-a');
    await stdout.write(all ? 'Linux kubelite 6.1.0 #1 SMP x86_64 GNU/Linux\n' : argv.includes('-m') ? 'x86_64\n' : argv.includes('-r') ? '6.1.0\n' : 'Linux\n');
    return 0;
  },
  id: async ({ stdout }) => {
    await stdout.write('uid=0(root) gid=0(root) groups=0(root)\n');
    return 0;
  },
  whoami: async ({ stdout }) => {
    await stdout.write('root\n');
    return 0;
  },
  basename: async ({ argv, stdout }) => {
    let base = (argv[1] ?? '').replace(/\/+$/, '');
    base = base.slice(base.lastIndexOf('/') + 1);
    if (argv[2] && base.endsWith(argv[2])) base = base.slice(0, -argv[2].length);
    await stdout.write(`${base}\n`);
    return 0;
  },
  dirname: async ({ argv, stdout }) => {
    const p = (argv[1] ?? '').replace(/\/+$/, '');
    const i = p.lastIndexOf('/');
    await stdout.write(`${i < 0 ? '.' : i === 0 ? '/' : p.slice(0, i)}\n`);
    return 0;
  },
};

function unescape(text: string): string {
  return text.replace(/\\(n|t|r|\\|a|b|e|0[0-7]{0,3}|c)/g, (_, e: string) => {
    if (e[0] === '0') return String.fromCharCode(parseInt(e.slice(1) || '0', 8));
    return ({ n: '\n', t: '\t', r: '\r', '\\': '\\', a: '\x07', b: '\b', e: '\x1b', c: '' } as Record<string, string>)[e];
  });
}

/** printf(1): the format is reused until every argument is consumed. */
export function printf(format: string, args: string[]): string {
  let out = '';
  let i = 0;
  do {
    const before = i;
    out += unescape(format).replace(/%([-+ 0#]*)(\d*)(?:\.(\d+))?([sdiouxXcfgeb%])/g, (_, flags: string, width: string, precision: string | undefined, conv: string) => {
      if (conv === '%') return '%';
      const arg = args[i++] ?? '';
      let s: string;
      switch (conv) {
        case 'd': case 'i': case 'u': s = String(Math.trunc(Number(arg) || 0)); break;
        case 'o': s = (Math.trunc(Number(arg) || 0)).toString(8); break;
        case 'x': s = (Math.trunc(Number(arg) || 0)).toString(16); break;
        case 'X': s = (Math.trunc(Number(arg) || 0)).toString(16).toUpperCase(); break;
        case 'c': s = arg.slice(0, 1); break;
        case 'f': case 'g': case 'e': s = (Number(arg) || 0).toFixed(precision === undefined ? 6 : Number(precision)); break;
        case 'b': s = unescape(arg); break;
        default: s = precision !== undefined ? arg.slice(0, Number(precision)) : arg;
      }
      const w = Number(width || 0);
      if (s.length >= w) return s;
      if (flags.includes('-')) return s.padEnd(w);
      return flags.includes('0') && conv !== 's' ? s.padStart(w, '0') : s.padStart(w);
    });
    if (i === before) break;
  } while (i < args.length);
  return out;
}

/** test(1) for the forms scripts use; 0 true, 1 false, 2 on a malformed expression. */
export function evaluateTest(args: string[], ctx?: Pick<CommandContext, 'host' | 'cwd'>): number {
  const result = testExpr(args, ctx);
  return result === undefined ? 2 : result ? 0 : 1;
}

function testExpr(args: string[], ctx?: Pick<CommandContext, 'host' | 'cwd'>): boolean | undefined {
  const or = args.indexOf('-o');
  if (or > 0) return !!testExpr(args.slice(0, or), ctx) || !!testExpr(args.slice(or + 1), ctx);
  const and = args.indexOf('-a');
  if (and > 0 && args.length > 3) return !!testExpr(args.slice(0, and), ctx) && !!testExpr(args.slice(and + 1), ctx);
  if (args[0] === '!') {
    const r = testExpr(args.slice(1), ctx);
    return r === undefined ? undefined : !r;
  }
  if (args.length === 0) return false;
  if (args.length === 1) return args[0] !== '';
  if (args.length === 2) {
    const [op, v] = args;
    const node = ctx?.host.fs.lookup(normalizePath(v, ctx.cwd));
    switch (op) {
      case '-z': return v === '';
      case '-n': return v !== '';
      case '-e': return !!node;
      case '-f': return node?.type === 'file';
      case '-d': return node?.type === 'dir';
      case '-s': return node?.type === 'file' && node.data.length > 0;
      case '-r': case '-w': return !!node;
      case '-x': return !!node && (node.mode & 0o111) !== 0;
      default: return undefined;
    }
  }
  if (args.length === 3) {
    const [a, op, b] = args;
    const x = Number(a);
    const y = Number(b);
    switch (op) {
      case '=': case '==': return a === b;
      case '!=': return a !== b;
      case '-eq': return x === y;
      case '-ne': return x !== y;
      case '-lt': return x < y;
      case '-le': return x <= y;
      case '-gt': return x > y;
      case '-ge': return x >= y;
      default: return undefined;
    }
  }
  return undefined;
}

const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, w = 2, c = '0') => String(n).padStart(w, c);

/** date(1) in UTC (containers' TZ): the default `Mon Dec  7 22:30:00 UTC 2026`, or a +FORMAT. */
export function formatDate(d: Date, format = '%a %b %e %H:%M:%S %Z %Y'): string {
  return format.replace(/%([a-zA-Z%])/g, (all, c: string) => {
    switch (c) {
      case 'Y': return String(d.getUTCFullYear());
      case 'm': return pad(d.getUTCMonth() + 1);
      case 'd': return pad(d.getUTCDate());
      case 'e': return pad(d.getUTCDate(), 2, ' ');
      case 'H': return pad(d.getUTCHours());
      case 'M': return pad(d.getUTCMinutes());
      case 'S': return pad(d.getUTCSeconds());
      case 'N': return pad(d.getUTCMilliseconds(), 3) + '000000';
      case 's': return String(Math.floor(d.getTime() / 1000));
      case 'a': return days[d.getUTCDay()];
      case 'b': return months[d.getUTCMonth()];
      case 'Z': return 'UTC';
      case 'z': return '+0000';
      case 'T': return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
      case 'F': return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
      case '%': return '%';
      default: return all;
    }
  });
}
