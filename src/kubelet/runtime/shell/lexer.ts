// Tokens of sh: words (with their quoting kept as parts, for expansion later), operators and
// newlines. Unterminated quotes and substitutions raise Incomplete, which an interactive shell
// answers with its `> ` continuation prompt, as sh does.
import type { Word, WordPart } from './ast.ts';

export type Token =
  | { t: 'word'; word: Word; raw: string }
  | { t: 'io'; fd: number }
  | { t: 'op'; v: string }
  | { t: 'nl' }
  | { t: 'eof' };

export class ShellSyntaxError extends Error {}

/** The input ends inside a quote, a substitution or a compound command: more lines are needed. */
export class Incomplete extends ShellSyntaxError {}

const operators = ['&&', '||', ';;', '>>', '>&', '<&', '|', ';', '&', '(', ')', '<', '>'];
const maxNesting = 64;

export function tokenize(src: string, depth = 0): Token[] {
  if (depth > maxNesting) throw new ShellSyntaxError('nesting too deep');
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i];
    if (ch === ' ' || ch === '\t') i++;
    else if (ch === '\\' && src[i + 1] === '\n') i += 2;
    else if (ch === '\n') {
      tokens.push({ t: 'nl' });
      i++;
    } else if (ch === '#') {
      while (i < src.length && src[i] !== '\n') i++;
    } else {
      const op = operators.find((o) => src.startsWith(o, i));
      if (op) {
        tokens.push({ t: 'op', v: op });
        i += op.length;
        continue;
      }
      const start = i;
      const [word, end] = readWord(src, i, depth);
      const raw = src.slice(start, end);
      if (/^\d+$/.test(raw) && (src[end] === '<' || src[end] === '>')) tokens.push({ t: 'io', fd: Number(raw) });
      else tokens.push({ t: 'word', word, raw });
      i = end;
    }
  }
  tokens.push({ t: 'eof' });
  return tokens;
}

const wordEnd = new Set([' ', '\t', '\n', ';', '&', '|', '(', ')', '<', '>']);

/** One word from src[i]: its parts and the index after it. */
function readWord(src: string, i: number, depth: number): [Word, number] {
  if (depth > maxNesting) throw new ShellSyntaxError('syntax error: nesting too deep');
  const parts: WordPart[] = [];
  const lit = (v: string, q: boolean) => {
    const last = parts[parts.length - 1];
    if (last?.k === 'lit' && last.q === q) last.v += v;
    else parts.push({ k: 'lit', v, q });
  };
  while (i < src.length && !wordEnd.has(src[i])) {
    const ch = src[i];
    if (ch === "'") {
      const end = src.indexOf("'", i + 1);
      if (end < 0) throw new Incomplete('syntax error: unterminated quoted string');
      lit(src.slice(i + 1, end), true);
      if (end === i + 1) parts.push({ k: 'lit', v: '', q: true });
      i = end + 1;
    } else if (ch === '"') {
      i = readDoubleQuoted(src, i + 1, parts, lit, depth);
    } else if (ch === '\\') {
      if (i + 1 >= src.length) throw new Incomplete('trailing backslash');
      if (src[i + 1] !== '\n') lit(src[i + 1], true);
      i += 2;
    } else if (ch === '$' || ch === '`') {
      const [part, end] = readDollar(src, i, false, depth);
      if (part) parts.push(part);
      else lit('$', false);
      i = end;
    } else {
      lit(ch, false);
      i++;
    }
  }
  return [parts, i];
}

function readDoubleQuoted(src: string, i: number, parts: WordPart[], lit: (v: string, q: boolean) => void, depth: number): number {
  const before = parts.length;
  while (i < src.length && src[i] !== '"') {
    const ch = src[i];
    if (ch === '\\' && i + 1 < src.length && '$`"\\\n'.includes(src[i + 1])) {
      if (src[i + 1] !== '\n') lit(src[i + 1], true);
      i += 2;
    } else if (ch === '$' || ch === '`') {
      const [part, end] = readDollar(src, i, true, depth);
      if (part) parts.push(part);
      else lit('$', true);
      i = end;
    } else {
      lit(ch, true);
      i++;
    }
  }
  if (i >= src.length) throw new Incomplete('syntax error: unterminated quoted string');
  // "" is an (empty) word of its own.
  if (parts.length === before) parts.push({ k: 'lit', v: '', q: true });
  return i + 1;
}

/** $name, ${...}, $(...), $((...)) or `...` at src[i]; a part of null when `$` is just a dollar sign. */
function readDollar(src: string, i: number, q: boolean, depth: number): [WordPart | null, number] {
  if (src[i] === '`') {
    const end = src.indexOf('`', i + 1);
    if (end < 0) throw new Incomplete('syntax error: unterminated `');
    return [{ k: 'cmd', src: src.slice(i + 1, end), q }, end + 1];
  }
  const next = src[i + 1];
  if (next === '(' && src[i + 2] === '(') {
    const end = matchClose(src, i + 2, '(', ')');
    if (src[end + 1] !== ')') throw new ShellSyntaxError('missing ))');
    return [{ k: 'arith', src: src.slice(i + 3, end), q }, end + 2];
  }
  if (next === '(') {
    const end = matchClose(src, i + 1, '(', ')');
    return [{ k: 'cmd', src: src.slice(i + 2, end), q }, end + 1];
  }
  if (next === '{') {
    const end = matchClose(src, i + 1, '{', '}');
    const inner = src.slice(i + 2, end);
    const m = /^(#?)([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[?$#@*!])(:?[-=+?]|)([\s\S]*)$/.exec(inner);
    if (!m) throw new ShellSyntaxError(`\${${inner}}: bad substitution`);
    if (m[1]) return [{ k: 'param', name: m[2], op: '#', q }, end + 1];
    const arg = m[3] ? readWord(m[4], 0, depth + 1)[0] : undefined;
    return [{ k: 'param', name: m[2], op: m[3] || undefined, arg, q }, end + 1];
  }
  const m = /^([A-Za-z_][A-Za-z0-9_]*|[0-9?$#@*!])/.exec(src.slice(i + 1, i + 200));
  if (!m) return [null, i + 1];
  return [{ k: 'param', name: m[1], q }, i + 1 + m[1].length];
}

/** The index of the bracket closing the one at src[open], skipping quoted text; iterative. */
function matchClose(src: string, open: number, opening: string, closing: string): number {
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    const ch = src[i];
    if (ch === '\\') i++;
    else if (ch === "'") {
      const end = src.indexOf("'", i + 1);
      if (end < 0) throw new Incomplete('syntax error: unterminated quoted string');
      i = end;
    } else if (ch === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== '"') j += src[j] === '\\' ? 2 : 1;
      if (j >= src.length) throw new Incomplete('syntax error: unterminated quoted string');
      i = j;
    } else if (ch === opening) depth++;
    else if (ch === closing && --depth === 0) return i;
  }
  throw new Incomplete(`missing ${closing}`);
}
