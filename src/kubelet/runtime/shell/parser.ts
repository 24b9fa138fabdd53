// A recursive-descent parser for the part of POSIX sh people type: lists, && and ||,
// pipelines, `!`, redirections, assignments, if/elif/else, for, while, until, { } and ( ).
// Nesting is bounded, so a hostile script is a syntax error, not a stack overflow.
import { literalOf, type AndOr, type Command, type List, type Pipeline, type Redirect, type Word } from './ast.ts';
import { Incomplete, ShellSyntaxError, tokenize, type Token } from './lexer.ts';

const maxDepth = 100;
const reserved = new Set(['then', 'else', 'elif', 'fi', 'do', 'done', '}']);

export function parse(src: string): List {
  return new Parser(tokenize(src)).program();
}

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(private readonly tokens: Token[]) {}

  program(): List {
    const list = this.list(new Set());
    const t = this.peek();
    if (t.t !== 'eof') throw new ShellSyntaxError(`syntax error: unexpected ${describe(t)}`);
    return list;
  }

  /** and-or lists until one of `stops` (a keyword or `)`), or the end. */
  private list(stops: Set<string>): List {
    const out: List = [];
    for (;;) {
      this.skipNewlines();
      const t = this.peek();
      if (t.t === 'eof' || (t.t === 'op' && t.v === ')') || this.isKeyword(t, stops)) return out;
      if (t.t === 'word' && reserved.has(t.raw)) throw new ShellSyntaxError(`syntax error: unexpected "${t.raw}"`);
      const item = this.andOr();
      out.push(item);
      const sep = this.peek();
      if (sep.t === 'op' && (sep.v === ';' || sep.v === '&')) {
        this.pos++;
        item.background = sep.v === '&';
      } else if (sep.t !== 'nl') return out;
    }
  }

  private andOr(): AndOr {
    const item: AndOr = { first: this.pipeline(), rest: [], background: false };
    for (let t = this.peek(); t.t === 'op' && (t.v === '&&' || t.v === '||'); t = this.peek()) {
      this.pos++;
      this.skipNewlines();
      item.rest.push({ op: t.v as '&&' | '||', pipeline: this.pipeline() });
    }
    return item;
  }

  private pipeline(): Pipeline {
    let negate = false;
    if (this.isKeyword(this.peek(), new Set(['!']))) {
      this.pos++;
      negate = true;
    }
    const commands = [this.command()];
    for (let t = this.peek(); t.t === 'op' && t.v === '|'; t = this.peek()) {
      this.pos++;
      this.skipNewlines();
      commands.push(this.command());
    }
    return { negate, commands };
  }

  private command(): Command {
    if (++this.depth > maxDepth) throw new ShellSyntaxError('syntax error: nesting too deep');
    try {
      const t = this.peek();
      if (t.t === 'eof') throw new Incomplete('syntax error: unexpected end of file');
      if (t.t === 'op' && t.v === '(') {
        this.pos++;
        const body = this.list(new Set());
        this.expectOp(')');
        return { type: 'subshell', body, redirects: this.redirects() };
      }
      if (t.t === 'word') {
        switch (t.raw) {
          case '{': return this.group();
          case 'if': return this.ifCommand();
          case 'while':
          case 'until': return this.loop(t.raw);
          case 'for': return this.forCommand();
        }
      }
      return this.simple();
    } finally {
      this.depth--;
    }
  }

  private group(): Command {
    this.pos++;
    const body = this.list(new Set(['}']));
    this.expectKeyword('}');
    return { type: 'group', body, redirects: this.redirects() };
  }

  private ifCommand(): Command {
    this.pos++;
    const branches = [];
    let otherwise: List | undefined;
    for (;;) {
      const cond = this.list(new Set(['then']));
      this.expectKeyword('then');
      const body = this.list(new Set(['elif', 'else', 'fi']));
      branches.push({ cond, body });
      const k = this.expectKeyword('elif', 'else', 'fi');
      if (k === 'elif') continue;
      if (k === 'else') {
        otherwise = this.list(new Set(['fi']));
        this.expectKeyword('fi');
      }
      break;
    }
    return { type: 'if', branches, otherwise, redirects: this.redirects() };
  }

  private loop(kind: 'while' | 'until'): Command {
    this.pos++;
    const cond = this.list(new Set(['do']));
    const body = this.doGroup();
    return { type: kind, cond, body, redirects: this.redirects() };
  }

  private forCommand(): Command {
    this.pos++;
    const nameTok = this.next();
    if (nameTok.t !== 'word' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(nameTok.raw)) throw this.unexpected(nameTok);
    let items: Word[] | undefined;
    this.skipNewlines();
    if (this.isKeyword(this.peek(), new Set(['in']))) {
      this.pos++;
      items = [];
      for (let t = this.peek(); t.t === 'word'; t = this.peek()) {
        this.pos++;
        items.push(t.word);
      }
    }
    const sep = this.peek();
    if (sep.t === 'op' && sep.v === ';') this.pos++;
    const body = this.doGroup();
    return { type: 'for', name: nameTok.raw, items, body, redirects: this.redirects() };
  }

  private doGroup(): List {
    this.skipNewlines();
    this.expectKeyword('do');
    const body = this.list(new Set(['done']));
    this.expectKeyword('done');
    return body;
  }

  private simple(): Command {
    const cmd: Command = { type: 'simple', assigns: [], words: [], redirects: [] };
    for (;;) {
      const t = this.peek();
      if (t.t === 'io' || (t.t === 'op' && ['<', '>', '>>', '>&', '<&'].includes(t.v))) {
        cmd.redirects.push(this.redirect());
      } else if (t.t === 'word') {
        this.pos++;
        const assign = !cmd.words.length && assignmentOf(t.word);
        if (assign) cmd.assigns.push(assign);
        else cmd.words.push(t.word);
      } else break;
    }
    if (!cmd.words.length && !cmd.assigns.length && !cmd.redirects.length) throw this.unexpected(this.peek());
    return cmd;
  }

  private redirects(): Redirect[] {
    const out: Redirect[] = [];
    for (let t = this.peek(); t.t === 'io' || (t.t === 'op' && ['<', '>', '>>', '>&', '<&'].includes(t.v)); t = this.peek()) out.push(this.redirect());
    return out;
  }

  private redirect(): Redirect {
    let fd: number | undefined;
    let t = this.next();
    if (t.t === 'io') {
      fd = t.fd;
      t = this.next();
    }
    if (t.t !== 'op') throw this.unexpected(t);
    const op = t.v as Redirect['op'];
    const target = this.next();
    if (target.t !== 'word') throw this.unexpected(target);
    return { fd: fd ?? (op === '<' || op === '<&' ? 0 : 1), op, target: target.word };
  }

  private peek(): Token {
    return this.tokens[this.pos];
  }

  private next(): Token {
    return this.tokens[this.pos++] ?? { t: 'eof' };
  }

  private skipNewlines(): void {
    while (this.peek().t === 'nl') this.pos++;
  }

  private isKeyword(t: Token, words: Set<string>): boolean {
    return t.t === 'word' && literalOf(t.word) !== undefined && words.has(t.raw);
  }

  private expectKeyword(...words: string[]): string {
    this.skipNewlines();
    const t = this.next();
    if (t.t === 'word' && words.includes(t.raw)) return t.raw;
    throw this.unexpected(t);
  }

  private expectOp(op: string): void {
    this.skipNewlines();
    const t = this.next();
    if (t.t !== 'op' || t.v !== op) throw this.unexpected(t);
  }

  private unexpected(t: Token): ShellSyntaxError {
    if (t.t === 'eof') return new Incomplete('syntax error: unexpected end of file');
    return new ShellSyntaxError(`syntax error: unexpected ${describe(t)}`);
  }
}

function describe(t: Token): string {
  switch (t.t) {
    case 'word': return `"${t.raw}"`;
    case 'op': return `"${t.v}"`;
    case 'io': return 'redirection';
    case 'nl': return 'newline';
    case 'eof': return 'end of file';
  }
}

/** NAME=value as an assignment; the value keeps the rest of the word's parts. */
function assignmentOf(word: Word): { name: string; value: Word } | undefined {
  const first = word[0];
  if (first?.k !== 'lit' || first.q) return undefined;
  const m = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(first.v);
  if (!m) return undefined;
  const rest = first.v.slice(m[0].length);
  return { name: m[1], value: [...(rest ? [{ ...first, v: rest }] : []), ...word.slice(1)] };
}
