// The shell's syntax tree, as POSIX sh's grammar names its parts (XCU 2.9/2.10): a list of
// and-or lists of pipelines of commands; a word is parts expanded at run time.

export type WordPart =
  | { k: 'lit'; v: string; q: boolean }
  | { k: 'param'; name: string; op?: string; arg?: Word; q: boolean }
  | { k: 'cmd'; src: string; q: boolean }
  | { k: 'arith'; src: string; q: boolean };

export type Word = WordPart[];

export interface Redirect {
  fd: number;
  op: '<' | '>' | '>>' | '>&' | '<&';
  target: Word;
}

export interface SimpleCommand {
  type: 'simple';
  assigns: { name: string; value: Word }[];
  words: Word[];
  redirects: Redirect[];
}

export interface IfCommand {
  type: 'if';
  branches: { cond: List; body: List }[];
  otherwise?: List;
  redirects: Redirect[];
}

export interface LoopCommand {
  type: 'while' | 'until';
  cond: List;
  body: List;
  redirects: Redirect[];
}

export interface ForCommand {
  type: 'for';
  name: string;
  /** Absent: `for x; do` iterates over "$@". */
  items?: Word[];
  body: List;
  redirects: Redirect[];
}

export interface GroupCommand {
  type: 'group' | 'subshell';
  body: List;
  redirects: Redirect[];
}

export type Command = SimpleCommand | IfCommand | LoopCommand | ForCommand | GroupCommand;

export interface Pipeline {
  negate: boolean;
  commands: Command[];
}

export interface AndOr {
  first: Pipeline;
  rest: { op: '&&' | '||'; pipeline: Pipeline }[];
  background: boolean;
}

export type List = AndOr[];

/** A word's text when it is plain unquoted literal text (keywords, assignment names). */
export function literalOf(word: Word): string | undefined {
  if (word.length !== 1 || word[0].k !== 'lit' || word[0].q) return undefined;
  return word[0].v;
}
