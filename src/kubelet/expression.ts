// The small expression language of stage files, in the spirit of kwok's Go templates but
// evaluated as data: a path (`.status.phase`, `.metadata.annotations["kubelite.dev/exit-code"]`,
// `.` for the current item, `$.spec.nodeName` from the pod whatever the item), a literal
// (`"text"`, `12`, `true`, `null`) or a function call (`exitCode .name`, `default (annotation "x") "0"`).
// Function names come from a table the caller supplies (see pod-functions.ts).

export type ExprFunction = (...args: unknown[]) => unknown;

export interface Scope {
  /** The object `$` refers to (the pod). */
  root: unknown;
  /** The object `.` refers to: the pod, or the item of a `$forEach`. */
  item: unknown;
  functions: Record<string, ExprFunction>;
}

type Node =
  | { kind: 'path'; fromRoot: boolean; segments: (string | number)[] }
  | { kind: 'literal'; value: unknown }
  | { kind: 'call'; name: string; args: Node[] };

const cache = new Map<string, Node>();

/** Evaluates one expression (the text between `{{` and `}}`). */
export function evaluate(text: string, scope: Scope): unknown {
  let node = cache.get(text);
  if (!node) {
    node = parseExpression(text);
    cache.set(text, node);
  }
  return run(node, scope);
}

/** Reads a path such as `.metadata.labels["app"]` from an object (undefined when absent). */
export function readPath(obj: unknown, path: string): unknown {
  return evaluate(path, { root: obj, item: obj, functions: {} });
}

function run(node: Node, scope: Scope): unknown {
  switch (node.kind) {
    case 'literal': return node.value;
    case 'path': {
      let value: unknown = node.fromRoot ? scope.root : scope.item;
      for (const segment of node.segments) {
        if (value === null || typeof value !== 'object') return undefined;
        value = (value as Record<string | number, unknown>)[segment];
      }
      return value;
    }
    case 'call': {
      const fn = scope.functions[node.name];
      if (!fn) throw new Error(`stage expression: unknown function "${node.name}"`);
      return fn(...node.args.map((a) => run(a, scope)));
    }
  }
}

// ---- parsing ----

const tokenPattern = /\s*(?:(\()|(\))|("(?:[^"\\]|\\.)*")|(\$?\.[^\s()]*|\$)|(-?\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*))/y;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  tokenPattern.lastIndex = 0;
  while (tokenPattern.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(tokenPattern.lastIndex))) break;
    const at = tokenPattern.lastIndex;
    const m = tokenPattern.exec(text);
    if (!m) throw new Error(`stage expression: cannot parse ${JSON.stringify(text)} at ${at}`);
    tokens.push(m[0].trim());
  }
  return tokens;
}

export function parseExpression(text: string): Node {
  const tokens = tokenize(text);
  let pos = 0;
  const term = (): Node => {
    const token = tokens[pos++];
    if (token === undefined) throw new Error(`stage expression: unexpected end of ${JSON.stringify(text)}`);
    if (token === '(') {
      const inner = call();
      if (tokens[pos++] !== ')') throw new Error(`stage expression: missing ")" in ${JSON.stringify(text)}`);
      return inner;
    }
    if (token.startsWith('"')) return { kind: 'literal', value: JSON.parse(token) };
    if (token.startsWith('.') || token.startsWith('$')) return parsePath(token);
    if (/^-?\d/.test(token)) return { kind: 'literal', value: Number(token) };
    if (token === 'true' || token === 'false') return { kind: 'literal', value: token === 'true' };
    if (token === 'null') return { kind: 'literal', value: null };
    if (token === ')') throw new Error(`stage expression: unexpected ")" in ${JSON.stringify(text)}`);
    return { kind: 'call', name: token, args: [] };
  };
  // A bare name followed by arguments is a call: `exitCode .name`.
  const call = (): Node => {
    const head = term();
    if (head.kind !== 'call') return head;
    while (pos < tokens.length && tokens[pos] !== ')') head.args.push(term());
    return head;
  };
  const node = call();
  if (pos < tokens.length) throw new Error(`stage expression: unexpected ${JSON.stringify(tokens[pos])} in ${JSON.stringify(text)}`);
  return node;
}

/** `.a.b[0]["x/y"]` or `$.a` → segments. */
function parsePath(token: string): Node {
  const fromRoot = token.startsWith('$');
  const rest = fromRoot ? token.slice(1) : token;
  const segments: (string | number)[] = [];
  const segmentPattern = /\.([A-Za-z0-9_-]+)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|\.$/y;
  segmentPattern.lastIndex = 0;
  while (segmentPattern.lastIndex < rest.length) {
    const at = segmentPattern.lastIndex;
    const m = segmentPattern.exec(rest);
    if (!m) throw new Error(`stage expression: bad path ${JSON.stringify(token)} at ${at}`);
    if (m[1] !== undefined) segments.push(m[1]);
    else if (m[2] !== undefined) segments.push(Number(m[2]));
    else if (m[3] !== undefined) segments.push(JSON.parse(`"${m[3]}"`));
  }
  return { kind: 'path', fromRoot, segments };
}

// ---- templates ----

const placeholder = /\{\{(.*?)\}\}/g;
const whole = /^\s*\{\{(.*?)\}\}\s*$/;

/**
 * Renders a template value: strings are expanded (a string that is one `{{ expr }}` yields the
 * expression's value as is, else each placeholder is stringified); an object with `$forEach`
 * maps `template` over a list; an object with `$if` is dropped (from its array or parent)
 * when the condition is falsy; a key whose value renders to undefined is left out.
 */
export function render(template: unknown, scope: Scope): unknown {
  if (typeof template === 'string') return renderString(template, scope);
  if (Array.isArray(template)) {
    const out: unknown[] = [];
    for (const entry of template) {
      const forEach = isForEach(entry);
      const value = render(entry, scope);
      if (value === undefined) continue;
      if (forEach && Array.isArray(value)) out.push(...value);
      else out.push(value);
    }
    return out;
  }
  if (template === null || typeof template !== 'object') return template;
  const obj = template as Record<string, unknown>;
  if ('$if' in obj && !truthy(render(obj.$if, scope))) return undefined;
  if ('$forEach' in obj) {
    const items = render(obj.$forEach, scope);
    if (!Array.isArray(items)) return [];
    // A list template yields several entries per item, flattened (four events per container).
    const rendered = items.map((item) => render(obj.template, { ...scope, item })).filter((v) => v !== undefined);
    return Array.isArray(obj.template) ? rendered.flat() : rendered;
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) {
    if (key === '$if') continue;
    const rendered = render(value, scope);
    if (rendered !== undefined) out[key] = rendered;
  }
  return out;
}

function isForEach(entry: unknown): boolean {
  return entry !== null && typeof entry === 'object' && !Array.isArray(entry) && '$forEach' in entry;
}

export function renderString(text: string, scope: Scope): unknown {
  const single = whole.exec(text);
  if (single && !single[1].includes('{{')) return evaluate(single[1], scope);
  if (!text.includes('{{')) return text;
  return text.replace(placeholder, (_, expr: string) => stringify(evaluate(expr, scope)));
}

export function stringify(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return value !== undefined && value !== null && value !== false && value !== '' && value !== 0 && value !== 'false';
}
