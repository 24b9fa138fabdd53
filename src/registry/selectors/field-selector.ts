// Field selectors: the `fieldSelector` query parameter parsed as k8s.io/apimachinery/pkg/fields
// (v0.32) parses it — comma-joined `field=value`, `field==value`, `field!=value` terms, values
// escaped with `\` — then checked against the fields a kind can be selected by, as the
// apiserver's field label conversion does. Every failure is a 400 BadRequest.
import { errors } from '../../api/errors.ts';

/** `==` is accepted in the syntax but recorded as `=` (selection.Equals), as hasTerm does. */
export type FieldOperator = '=' | '==' | '!=';

export interface FieldRequirement {
  readonly field: string;
  readonly operator: FieldOperator;
  readonly value: string;
}

export interface FieldSelector {
  /** In the order kube keeps them: terms sorted as strings before parsing. */
  readonly requirements: readonly FieldRequirement[];
  readonly empty: boolean;
  /** `fields(name)` gives an object's value for a selectable field; absent counts as "". */
  matches(fields: (name: string) => string | undefined): boolean;
  /** The value an `=` term pins the field to, as Selector.RequiresExactMatch. */
  requiresExactMatch(field: string): string | undefined;
  /** Selector.String(): terms joined with ",", values escaped. */
  toString(): string;
}

/** fields.EscapeValue: `\`, `,` and `=` in a value are escaped with `\`. */
export function escapeFieldValue(value: string): string {
  return value.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/**
 * fields.UnescapeValue. An unescaped `,` or `=` is reported by its code point, as Go's %v of a
 * rune prints it ("unescaped character in value: 61").
 */
export function unescapeFieldValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') throw errors.badRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      inSlash = false;
    } else if (c === '\\') {
      inSlash = true;
    } else if (c === ',' || c === '=') {
      throw errors.badRequest(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    } else {
      out += c;
    }
  }
  if (inSlash) throw errors.badRequest('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** splitTerms: split on commas not escaped by a backslash. */
function splitTerms(selector: string): string[] {
  if (selector.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

const termOperators: FieldOperator[] = ['!=', '==', '='];

/** splitTerm: the first operator found scanning left to right (`!=` before `==` before `=`). */
function splitTerm(term: string): { lhs: string; op: FieldOperator; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    const op = termOperators.find((o) => term.startsWith(o, i));
    if (op) return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
  }
  return undefined;
}

/** Byte-wise string order, as Go's sort.Strings. */
function goStringCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function parseTerms(selector: string): FieldRequirement[] {
  const parts = splitTerms(selector).sort(goStringCompare);
  const reqs: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const term = splitTerm(part);
    if (!term) throw errors.badRequest(`invalid selector: '${selector}'; can't understand '${part}'`);
    const value = unescapeFieldValue(term.rhs);
    reqs.push({ field: term.lhs, operator: term.op === '!=' ? '!=' : '=', value });
  }
  return reqs;
}

function compile(reqs: FieldRequirement[]): FieldSelector {
  return {
    requirements: reqs,
    empty: reqs.length === 0,
    matches(fields) {
      return reqs.every((r) => ((fields(r.field) ?? '') === r.value) === (r.operator !== '!='));
    },
    requiresExactMatch(name) {
      return reqs.find((r) => r.field === name && r.operator !== '!=')?.value;
    },
    toString: () => reqs.map((r) => `${r.field}${r.operator === '!=' ? '!=' : '='}${escapeFieldValue(r.value)}`).join(','),
  };
}

/**
 * Parses a `fieldSelector` query parameter and checks every field against `allowed`, failing
 * with "field label not supported: <field>" as the kinds' field label conversion functions do.
 */
export function parseFieldSelector(s: string, allowed: ReadonlySet<string>): FieldSelector {
  const reqs = parseTerms(s);
  for (const r of reqs) {
    if (!allowed.has(r.field)) throw errors.badRequest(`field label not supported: ${r.field}`);
  }
  return compile(reqs);
}

/**
 * The value `field` must equal under selector `s` (fields.Selector.RequiresExactMatch), or
 * undefined when it need not or `s` does not parse — as kube's RequestInfoFactory reads
 * `metadata.name` from a list or watch to authorize it as a request for that one name.
 */
export function requiredFieldValue(s: string, field: string): string | undefined {
  try {
    return compile(parseTerms(s)).requiresExactMatch(field);
  } catch {
    return undefined;
  }
}
