// Label selectors: the `labelSelector` query parameter parsed as k8s.io/apimachinery/pkg/labels
// (v0.32) parses it, metav1.LabelSelector objects converted as metav1.LabelSelectorAsSelector
// does, and both compiled to one matcher. Parse errors are 400 BadRequest with kube's messages.
import { errors, field, renderFieldError } from '../../api/errors.ts';
import { isQualifiedName, isValidLabelValue } from '../validation/names.ts';

/** selection.Operator values, spelled as kube spells them. */
export type LabelOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  /** As given (sorted and de-duplicated when parsed from a string, as sets.String.List()). */
  readonly values: readonly string[];
}

/** A compiled selector, as labels.Selector. */
export interface LabelSelector {
  /** Sorted by key, as labels.Parse and Selector.Add sort them. */
  readonly requirements: readonly LabelRequirement[];
  /** True when the selector does not narrow anything (labels.Everything()). */
  readonly empty: boolean;
  matches(labels: Record<string, string> | undefined | null): boolean;
  /** The `key=value` requirements (=, ==, or `in` with one value), as RequiresExactMatch per key. */
  exactMatches(): Map<string, string>;
  /** The canonical string form (labels.Selector.String()). */
  toString(): string;
}

/** metav1.LabelSelectorRequirement as it appears in JSON. */
export interface V1LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[] | null;
}

/** metav1.LabelSelector as it appears in JSON (spec.selector of workloads). */
export interface V1LabelSelector {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: V1LabelSelectorRequirement[] | null;
}

// ---- requirements (labels.NewRequirement) ----

/** `[]string{"a", "b"}`: how Go's %#v shows a value list in a field error. */
function goStringSlice(values: readonly string[]): string {
  return `[]string{${values.map((v) => JSON.stringify(v)).join(', ')}}`;
}

function invalidValues(path: string, values: readonly string[], detail: string): string {
  return `${path}: Invalid value: ${goStringSlice(values)}: ${detail}`;
}

/** validateLabelKey: all of IsQualifiedName's complaints joined with "; ". */
function labelKeyError(key: string, path: string): string | undefined {
  const errs = isQualifiedName(key);
  return errs.length ? renderFieldError(field.invalid(path, key, errs.join('; '))) : undefined;
}

function isInt64(value: string): boolean {
  if (!/^[+-]?[0-9]+$/.test(value)) return false;
  const n = BigInt(value);
  return n >= -(2n ** 63n) && n < 2n ** 63n;
}

function operatorErrors(op: LabelOperator, values: readonly string[]): string[] {
  switch (op) {
    case 'in':
    case 'notin':
      return values.length === 0 ? [invalidValues('values', values, "for 'in', 'notin' operators, values set can't be empty")] : [];
    case '=':
    case '==':
    case '!=':
      return values.length !== 1 ? [invalidValues('values', values, 'exact-match compatibility requires one single value')] : [];
    case 'exists':
    case '!':
      return values.length !== 0 ? [invalidValues('values', values, 'values set must be empty for exists and does not exist')] : [];
    case 'gt':
    case 'lt': {
      const errs = values.length !== 1 ? [invalidValues('values', values, "for 'Gt', 'Lt' operators, exactly one value is required")] : [];
      values.forEach((v, i) => {
        if (!isInt64(v)) errs.push(renderFieldError(field.invalid(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer")));
      });
      return errs;
    }
  }
}

/** An aggregate's message: one error alone, several as `[a, b]`, duplicates dropped. */
function aggregate(messages: string[]): string {
  const unique = [...new Set(messages)];
  return unique.length === 1 ? unique[0] : `[${unique.join(', ')}]`;
}

/** labels.NewRequirement: validates key, operator arity and values; throws the aggregated message. */
function newRequirement(key: string, operator: LabelOperator, values: string[]): LabelRequirement {
  const errs: string[] = [];
  const keyError = labelKeyError(key, 'key');
  if (keyError) errs.push(keyError);
  errs.push(...operatorErrors(operator, values));
  values.forEach((v, i) => {
    const msgs = isValidLabelValue(v);
    if (msgs.length) errs.push(renderFieldError(field.invalid(`values[${i}][${key}]`, v, msgs.join('; '))));
  });
  if (errs.length) throw new SelectorSyntaxError(aggregate(errs));
  return { key, operator, values };
}

class SelectorSyntaxError extends Error {}

// ---- matching ----

function requirementMatches(r: LabelRequirement, labels: Record<string, string> | undefined | null): boolean {
  const has = !!labels && Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = has ? labels![r.key] : '';
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return has && r.values.includes(value);
    case 'notin':
    case '!=':
      return !has || !r.values.includes(value);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt':
      return has && r.values.length === 1 && isInt64(value) && isInt64(r.values[0]) &&
        (r.operator === 'gt' ? BigInt(value) > BigInt(r.values[0]) : BigInt(value) < BigInt(r.values[0]));
  }
}

const operatorSpelling: Record<LabelOperator, string> = {
  '=': '=', '==': '==', '!=': '!=', in: ' in ', notin: ' notin ', gt: '>', lt: '<', exists: '', '!': '',
};

/** Requirement.String(): values sorted, set operators in parentheses. */
function requirementString(r: LabelRequirement): string {
  if (r.operator === 'exists') return r.key;
  if (r.operator === '!') return `!${r.key}`;
  const values = r.values.length === 1 ? r.values[0] : [...r.values].sort().join(',');
  const shown = r.operator === 'in' || r.operator === 'notin' ? `(${values})` : values;
  return `${r.key}${operatorSpelling[r.operator]}${shown}`;
}

function sortedByKey(reqs: LabelRequirement[]): LabelRequirement[] {
  return [...reqs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function compile(requirements: LabelRequirement[]): LabelSelector {
  const reqs = sortedByKey(requirements);
  return {
    requirements: reqs,
    empty: reqs.length === 0,
    matches: (labels) => reqs.every((r) => requirementMatches(r, labels)),
    exactMatches() {
      const exact = new Map<string, string>();
      const seen = new Set<string>();
      for (const r of reqs) {
        if (seen.has(r.key)) continue;
        seen.add(r.key);
        if ((r.operator === '=' || r.operator === '==' || r.operator === 'in') && r.values.length === 1) exact.set(r.key, r.values[0]);
      }
      return exact;
    },
    toString: () => reqs.map(requirementString).join(','),
  };
}

/** labels.Nothing(): what a null metav1.LabelSelector selects. */
const nothing: LabelSelector = {
  requirements: [],
  empty: false,
  matches: () => false,
  exactMatches: () => new Map(),
  toString: () => '',
};

// ---- the string syntax (labels.Parse) ----

type Token = 'error' | 'eos' | '(' | ')' | ',' | '!' | '=' | '==' | '!=' | '>' | '<' | 'in' | 'notin' | 'id';

interface ScannedItem {
  tok: Token;
  literal: string;
}

const specialSymbols = new Set(['=', '!', '(', ')', ',', '>', '<']);
const symbolTokens = new Set(['(', ')', ',', '!', '=', '==', '!=', '>', '<']);
const isWhitespace = (ch: string) => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';

/** The Lexer: identifiers run until whitespace or a special symbol; symbols are matched greedily. */
function scan(s: string): ScannedItem[] {
  const items: ScannedItem[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isWhitespace(s[pos])) pos++;
    if (pos >= s.length) {
      items.push({ tok: 'eos', literal: '' });
      return items;
    }
    const start = pos;
    if (specialSymbols.has(s[pos])) {
      let end = pos + 1;
      while (end < s.length && specialSymbols.has(s[end]) && symbolTokens.has(s.slice(start, end + 1))) end++;
      pos = end;
      items.push({ tok: s.slice(start, end) as Token, literal: s.slice(start, end) });
      continue;
    }
    while (pos < s.length && !specialSymbols.has(s[pos]) && !isWhitespace(s[pos])) pos++;
    const word = s.slice(start, pos);
    items.push({ tok: word === 'in' || word === 'notin' ? word : 'id', literal: word });
  }
}

const binaryOperators = 'in, notin, =, ==, !=, gt, lt';

/** The Parser, with kube's lookahead contexts: `in`/`notin` are identifiers where values are expected. */
class Parser {
  private position = 0;
  constructor(private readonly items: ScannedItem[]) {}

  private peek(valuesContext = true): ScannedItem {
    return this.asContext(this.items[this.position], valuesContext);
  }

  private next(valuesContext = true): ScannedItem {
    return this.asContext(this.items[this.position++], valuesContext);
  }

  private asContext(item: ScannedItem, valuesContext: boolean): ScannedItem {
    return valuesContext && (item.tok === 'in' || item.tok === 'notin') ? { tok: 'id', literal: item.literal } : item;
  }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    for (;;) {
      const { tok, literal } = this.peek();
      if (tok === 'eos') return reqs;
      if (tok !== 'id' && tok !== '!') throw new SelectorSyntaxError(`found '${literal}', expected: !, identifier, or 'end of string'`);
      reqs.push(this.requirementOrThrow());
      const after = this.next();
      if (after.tok === 'eos') return reqs;
      if (after.tok !== ',') throw new SelectorSyntaxError(`found '${after.literal}', expected: ',' or 'end of string'`);
      const following = this.peek();
      if (following.tok !== 'id' && following.tok !== '!') {
        throw new SelectorSyntaxError(`found '${following.literal}', expected: identifier after ','`);
      }
    }
  }

  private requirementOrThrow(): LabelRequirement {
    try {
      return this.requirement();
    } catch (err) {
      if (err instanceof SelectorSyntaxError) throw new SelectorSyntaxError(`unable to parse requirement: ${err.message}`);
      throw err;
    }
  }

  private requirement(): LabelRequirement {
    let item = this.next();
    const negated = item.tok === '!';
    if (negated) item = this.next();
    if (item.tok !== 'id') throw new SelectorSyntaxError(`found '${item.literal}', expected: identifier`);
    // The parser validates the key with no field path, which Go prints as "<nil>".
    const keyError = labelKeyError(item.literal, '<nil>');
    if (keyError) throw new SelectorSyntaxError(keyError);
    const key = item.literal;
    const ahead = this.peek().tok;
    if (negated) return newRequirement(key, '!', []);
    if (ahead === 'eos' || ahead === ',') return newRequirement(key, 'exists', []);
    const operator = this.operator();
    const values = operator === 'in' || operator === 'notin' ? this.setValues() : this.exactValue();
    return newRequirement(key, operator, [...new Set(values)].sort());
  }

  private operator(): LabelOperator {
    const { tok, literal } = this.next(false);
    switch (tok) {
      case 'in': case 'notin': case '=': case '==': case '!=':
        return tok;
      case '>':
        return 'gt';
      case '<':
        return 'lt';
      default:
        throw new SelectorSyntaxError(`found '${literal}', expected: ${binaryOperators}`);
    }
  }

  /** parseValues: `(a,b)`; `()` is the empty value, as are empty places between commas. */
  private setValues(): string[] {
    const open = this.next();
    if (open.tok !== '(') throw new SelectorSyntaxError(`found '${open.literal}' expected: '('`);
    const first = this.peek();
    if (first.tok === ')') {
      this.next();
      return [''];
    }
    if (first.tok !== 'id' && first.tok !== ',') throw new SelectorSyntaxError(`found '${first.literal}', expected: ',', ')' or identifier`);
    const values = this.identifiersList();
    this.next(); // the ')' identifiersList stopped at
    return values;
  }

  private identifiersList(): string[] {
    const values: string[] = [];
    for (;;) {
      const item = this.next();
      if (item.tok === 'id') {
        values.push(item.literal);
        const ahead = this.peek();
        if (ahead.tok === ')') return values;
        if (ahead.tok !== ',') throw new SelectorSyntaxError(`found '${ahead.literal}', expected: ',' or ')'`);
      } else if (item.tok === ',') {
        if (values.length === 0) values.push('');
        const ahead = this.peek().tok;
        if (ahead === ')') return [...values, ''];
        if (ahead === ',') {
          this.next();
          values.push('');
        }
      } else {
        throw new SelectorSyntaxError(`found '${item.literal}', expected: ',', or identifier`);
      }
    }
  }

  /** parseExactValue: `a=` (nothing before ',' or the end) is the empty value. */
  private exactValue(): string[] {
    const ahead = this.peek().tok;
    if (ahead === 'eos' || ahead === ',') return [''];
    const item = this.next();
    if (item.tok !== 'id') throw new SelectorSyntaxError(`found '${item.literal}', expected: identifier`);
    return [item.literal];
  }
}

/** Parses a `labelSelector` query parameter; throws 400 BadRequest with labels.Parse's message. */
export function parseLabelSelector(s: string): LabelSelector {
  try {
    return compile(new Parser(scan(s)).parse());
  } catch (err) {
    if (err instanceof SelectorSyntaxError) throw errors.badRequest(err.message);
    throw err;
  }
}

const expressionOperators: Record<string, LabelOperator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

/**
 * metav1.LabelSelectorAsSelector: null selects nothing, `{}` everything; matchLabels become `=`
 * requirements. An invalid selector throws 400 BadRequest (validation normally catches it first).
 */
export function labelSelectorFromObject(sel: V1LabelSelector | null | undefined): LabelSelector {
  if (sel === null || sel === undefined) return nothing;
  const labels = Object.entries(sel.matchLabels ?? {});
  const expressions = sel.matchExpressions ?? [];
  if (labels.length + expressions.length === 0) return compile([]);
  try {
    const reqs = labels.map(([k, v]) => newRequirement(k, '=', [v]));
    for (const expr of expressions) {
      const op = expressionOperators[expr.operator];
      if (!op) throw new SelectorSyntaxError(`${JSON.stringify(expr.operator)} is not a valid label selector operator`);
      reqs.push(newRequirement(expr.key, op, [...(expr.values ?? [])]));
    }
    return compile(reqs);
  } catch (err) {
    if (err instanceof SelectorSyntaxError) throw errors.badRequest(err.message);
    throw err;
  }
}

/** The selector string kube reports, e.g. in a Scale's status.selector: `app=web,tier in (a,b)`. */
export function labelSelectorToString(sel: V1LabelSelector | null | undefined): string {
  return labelSelectorFromObject(sel).toString();
}
