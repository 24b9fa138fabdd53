// Word expansion as sh does it (XCU 2.6): parameters (${x:-d}, ${#x}, $?, $#, $@), command
// substitution (trailing newlines removed), arithmetic, then field splitting of what unquoted
// expansions produced, then pathname expansion of unquoted * and ? against the filesystem.
import type { Word } from './ast.ts';
import { ShellSyntaxError } from './lexer.ts';

export interface ExpandContext {
  get(name: string): string | undefined;
  set(name: string, value: string): void;
  /** "$@" as separate fields. */
  positional(): string[];
  /** Runs `$(src)` and returns its stdout. */
  substitute(src: string): Promise<string>;
  /** Paths matching a glob pattern (sorted); empty when none. */
  glob(pattern: string): string[];
}

/** Fields of one word; an unquoted expansion that is empty yields no field. */
export async function expandWord(word: Word, ctx: ExpandContext): Promise<string[]> {
  // Each field is a list of [text, splittable/globbable] segments.
  const fields: { text: string; glob: boolean; quoted: boolean }[] = [];
  let current: { text: string; glob: boolean; quoted: boolean } | undefined;
  const append = (text: string, quoted: boolean) => {
    current ??= { text: '', glob: false, quoted: false };
    current.text += text;
    if (quoted) current.quoted = true;
    else if (/[*?[]/.test(text)) current.glob = true;
  };
  const flush = () => {
    if (current) fields.push(current);
    current = undefined;
  };
  for (const part of word) {
    if (part.k === 'lit') {
      append(part.v, part.q);
      continue;
    }
    if (part.k === 'param' && (part.name === '@' || part.name === '*') && !part.op) {
      const args = ctx.positional();
      if (part.q && part.name === '@') {
        args.forEach((a, i) => {
          if (i > 0) flush();
          append(a, true);
        });
        if (!args.length && current === undefined) current = undefined;
        continue;
      }
      splitInto(args.join(' '), part.q, append, flush);
      continue;
    }
    const value = await expandPart(part, ctx);
    if (part.q) append(value, true);
    else splitInto(value, false, (t) => appendNoGlob(t), flush);
  }
  flush();
  const out: string[] = [];
  for (const f of fields) {
    if (f.glob && !f.quoted) {
      const matches = ctx.glob(f.text);
      if (matches.length) {
        out.push(...matches);
        continue;
      }
    }
    if (f.text || f.quoted) out.push(f.text);
  }
  return out;

  function appendNoGlob(t: string) {
    current ??= { text: '', glob: false, quoted: false };
    current.text += t;
  }
}

/** Splits an unquoted expansion on IFS whitespace into the fields being built. */
function splitInto(value: string, quoted: boolean, append: (t: string, q: boolean) => void, flush: () => void): void {
  if (quoted) return append(value, true);
  const pieces = value.split(/[ \t\n]+/);
  pieces.forEach((p, i) => {
    if (i > 0) flush();
    if (p) append(p, false);
  });
}

/** A word expanded to one string (assignments, redirection targets, case words): no splitting. */
export async function expandString(word: Word, ctx: ExpandContext): Promise<string> {
  let out = '';
  for (const part of word) out += part.k === 'lit' ? part.v : await expandPart(part, ctx);
  return out;
}

async function expandPart(part: Exclude<Word[number], { k: 'lit' }>, ctx: ExpandContext): Promise<string> {
  switch (part.k) {
    case 'cmd': return (await ctx.substitute(part.src)).replace(/\n+$/, '');
    case 'arith': return String(arithmetic(await expandString([{ k: 'lit', v: part.src, q: true }], ctx), ctx));
    case 'param': {
      const value = part.name === '@' || part.name === '*' ? ctx.positional().join(' ') : ctx.get(part.name);
      if (part.op === '#') return String((value ?? '').length);
      const unset = value === undefined || (part.op?.startsWith(':') && value === '');
      const arg = async () => (part.arg ? expandString(part.arg, ctx) : '');
      switch (part.op?.replace(':', '')) {
        case '-': return unset ? arg() : value!;
        case '=': {
          if (!unset) return value!;
          const v = await arg();
          ctx.set(part.name, v);
          return v;
        }
        case '+': return unset ? '' : arg();
        case '?': {
          if (!unset) return value!;
          throw new ShellSyntaxError(`${part.name}: ${(await arg()) || 'parameter not set'}`);
        }
        default: return value ?? '';
      }
    }
  }
}

/**
 * $((...)): integers with + - * / % ( ), comparisons, && || and variables, by precedence
 * climbing over a token list (bounded by the expression's length, no deep recursion).
 */
export function arithmetic(src: string, ctx: Pick<ExpandContext, 'get'>): number {
  const tokens = src.match(/\d+|[A-Za-z_][A-Za-z0-9_]*|<=|>=|==|!=|&&|\|\||[-+*/%()<>!]/g) ?? [];
  if (tokens.length > 1000) throw new ShellSyntaxError('arithmetic expression too long');
  let pos = 0;
  const precedence: Record<string, number> = { '||': 1, '&&': 2, '==': 3, '!=': 3, '<': 4, '>': 4, '<=': 4, '>=': 4, '+': 5, '-': 5, '*': 6, '/': 6, '%': 6 };
  const primary = (depth: number): number => {
    if (depth > 64) throw new ShellSyntaxError('arithmetic expression nested too deeply');
    const t = tokens[pos++];
    if (t === undefined) throw new ShellSyntaxError(`arithmetic syntax error: ${src}`);
    if (t === '(') {
      const v = binary(0, depth + 1);
      if (tokens[pos++] !== ')') throw new ShellSyntaxError(`arithmetic syntax error: ${src}`);
      return v;
    }
    if (t === '-') return -primary(depth + 1);
    if (t === '+') return primary(depth + 1);
    if (t === '!') return primary(depth + 1) ? 0 : 1;
    if (/^\d+$/.test(t)) return Number(t);
    if (/^[A-Za-z_]/.test(t)) return Number(ctx.get(t) ?? 0) || 0;
    throw new ShellSyntaxError(`arithmetic syntax error: ${src}`);
  };
  const binary = (min: number, depth: number): number => {
    let left = primary(depth);
    for (;;) {
      const op = tokens[pos];
      const p = precedence[op];
      if (p === undefined || p <= min - 1 || p < min) return left;
      pos++;
      const right = binary(p + 1, depth + 1);
      left = apply(op, left, right);
    }
  };
  const result = binary(0, 0);
  if (pos < tokens.length) throw new ShellSyntaxError(`arithmetic syntax error: ${src}`);
  return result;
}

function apply(op: string, a: number, b: number): number {
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': if (b === 0) throw new ShellSyntaxError('divide by zero'); return Math.trunc(a / b);
    case '%': if (b === 0) throw new ShellSyntaxError('divide by zero'); return a % b;
    case '<': return +(a < b);
    case '>': return +(a > b);
    case '<=': return +(a <= b);
    case '>=': return +(a >= b);
    case '==': return +(a === b);
    case '!=': return +(a !== b);
    case '&&': return +(a !== 0 && b !== 0);
    case '||': return +(a !== 0 || b !== 0);
    default: return 0;
  }
}
