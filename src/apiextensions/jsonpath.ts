// The JSONPath subset CRD printer columns and selectable fields use (client-go's jsonpath
// with missing keys allowed): `.spec.replicas`, `.metadata.labels['app']`, `.spec.items[0]`,
// `[*]`, and filters such as `.status.conditions[?(@.type=="Ready")].status`.

type Step =
  | { kind: 'field'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'all' }
  | { kind: 'filter'; path: string[]; op: '==' | '!='; value: unknown };

export interface JSONPath {
  source: string;
  steps: Step[];
}

/** Parses a path; throws an Error with a short reason when it is not one kube accepts. */
export function parseJSONPath(source: string): JSONPath {
  let s = source.trim();
  if (s.startsWith('{') && s.endsWith('}')) s = s.slice(1, -1);
  if (!s.startsWith('.') && !s.startsWith('[')) throw new Error('must be a simple json path starting with .');
  const steps: Step[] = [];
  let i = 0;
  while (i < s.length) {
    if (s[i] === '.') {
      const m = /^\.([^.[\]]+)/.exec(s.slice(i));
      if (!m) throw new Error(`unrecognized path at ${s.slice(i)}`);
      steps.push({ kind: 'field', name: m[1] });
      i += m[0].length;
    } else if (s[i] === '[') {
      const end = closingBracket(s, i);
      steps.push(bracketStep(s.slice(i + 1, end).trim()));
      i = end + 1;
    } else {
      throw new Error(`unrecognized character at ${s.slice(i)}`);
    }
  }
  return { source, steps };
}

function closingBracket(s: string, open: number): number {
  let depth = 0;
  let quote = '';
  for (let i = open; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[') depth++;
    else if (c === ']' && --depth === 0) return i;
  }
  throw new Error('unclosed [');
}

function bracketStep(inner: string): Step {
  if (inner === '*') return { kind: 'all' };
  if (/^-?\d+$/.test(inner)) return { kind: 'index', index: Number(inner) };
  const quoted = /^(['"])(.*)\1$/.exec(inner);
  if (quoted) return { kind: 'field', name: quoted[2] };
  const filter = /^\?\(@((?:\.[^.=!\s]+)+)\s*(==|!=)\s*(.+)\)$/.exec(inner);
  if (filter) {
    const raw = filter[3].trim();
    const str = /^(['"])(.*)\1$/.exec(raw);
    const value = str ? str[2] : raw === 'true' ? true : raw === 'false' ? false : Number(raw);
    return { kind: 'filter', path: filter[1].slice(1).split('.'), op: filter[2] as '==' | '!=', value };
  }
  throw new Error(`unrecognized filter ${inner}`);
}

/** Every value the path finds (missing keys find nothing). */
export function findResults(path: JSONPath, data: unknown): unknown[] {
  let current: unknown[] = [data];
  for (const step of path.steps) {
    const next: unknown[] = [];
    for (const v of current) {
      if (v === null || v === undefined) continue;
      switch (step.kind) {
        case 'field':
          if (typeof v === 'object' && !Array.isArray(v) && step.name in (v as object)) next.push((v as Record<string, unknown>)[step.name]);
          break;
        case 'index':
          if (Array.isArray(v)) {
            const i = step.index < 0 ? v.length + step.index : step.index;
            if (i >= 0 && i < v.length) next.push(v[i]);
          }
          break;
        case 'all':
          if (Array.isArray(v)) next.push(...v);
          else if (typeof v === 'object') next.push(...Object.values(v as object));
          break;
        case 'filter':
          if (Array.isArray(v)) next.push(...v.filter((item) => matches(item, step)));
          break;
      }
    }
    current = next;
  }
  return current;
}

function matches(item: unknown, step: Extract<Step, { kind: 'filter' }>): boolean {
  let cur: unknown = item;
  for (const name of step.path) {
    if (cur === null || typeof cur !== 'object') return false;
    cur = (cur as Record<string, unknown>)[name];
  }
  if (cur === undefined) return false;
  const equal = cur === step.value;
  return step.op === '==' ? equal : !equal;
}

/** A value as jsonpath prints it: strings as they are, anything else as JSON. */
export function printValue(v: unknown): string {
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}
