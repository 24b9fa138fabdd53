// One pass over a JSON body's text for what JSON.parse forgets but kube's decoder
// (sigs.k8s.io/json over encoding/json) acts on:
// - duplicate keys: JSON.parse keeps the last value silently; kube notes each one (with
//   fieldValidation=Strict the request fails, with Warn each becomes a warning), its field
//   path written as kube's strict errors write it (`spec.containers[0].name`);
// - number literals whose text matters: Go decodes an integer field with strconv.ParseInt on
//   the literal, so `1.0`, `1E2`, `1e400` and 9223372036854775808 are refused even though
//   JavaScript reads the first three as integers (or Infinity) and the last as a safe-looking
//   2^63. Only literals JavaScript would misread are kept: with a fraction or an exponent
//   whose value is integral or infinite, or integers past 2^53. Plain integers and ordinary
//   fractions (0.5) are judged by value, so the common body records nothing.
// The scan runs on every JSON request body, so it is one iterative pass with no allocation
// per token; strings are skipped whole.

/** Bodies and the duplicate field paths found in their text (set by the request decoder). */
export const duplicateFields = new WeakMap<object, string[]>();

/** A number literal whose text decides how Go decodes it, at its place in the body. */
export interface NumberLiteral {
  /** Keys and list indexes from the body's root. */
  segments: string[];
  /** The literal as written: `1.0`, `1e400`, `9223372036854775808`. */
  literal: string;
}

/** Bodies and their number literals JavaScript misreads (set by the request decoder). */
export const numberLiterals = new WeakMap<object, NumberLiteral[]>();

export interface JsonTextFacts {
  duplicates: string[];
  numbers: NumberLiteral[];
}

interface Frame {
  kind: 'object' | 'array';
  path: string;
  keys?: Set<string>;
  index: number;
  /** The key whose value comes next (objects). */
  key?: string;
}

/** At most this many of each are kept: enough for any message, bounded for hostile bodies. */
const maxDuplicates = 100;
const maxNumbers = 1000;

function childPath(frame: Frame): string {
  if (frame.kind === 'array') return `${frame.path}[${frame.index}]`;
  return frame.path ? `${frame.path}.${frame.key}` : frame.key!;
}

function segmentsOf(stack: Frame[]): string[] {
  return stack.map((f) => (f.kind === 'array' ? String(f.index) : f.key ?? ''));
}

function isNumberChar(c: string): boolean {
  return (c >= '0' && c <= '9') || c === '.' || c === 'e' || c === 'E' || c === '+' || c === '-';
}

/** Whether JavaScript's reading of `literal` hides something Go's integer decoding sees. */
export function misreadNumber(literal: string): boolean {
  let digits = 0;
  let plain = true;
  for (const c of literal) {
    if (c >= '0' && c <= '9') digits++;
    else if (c !== '-') plain = false;
  }
  if (plain) return digits >= 16 && !Number.isSafeInteger(Number(literal));
  const value = Number(literal);
  return Number.isInteger(value) || !Number.isFinite(value);
}

/** Duplicate keys and misread number literals of this (valid) JSON text. */
export function scanJsonText(text: string): JsonTextFacts {
  const duplicates: string[] = [];
  const numbers: NumberLiteral[] = [];
  const stack: Frame[] = [];
  let i = 0;
  let expectKey = false;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const top = stack[stack.length - 1];
      if (expectKey && top?.kind === 'object') {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.keys!.has(key) && duplicates.length < maxDuplicates) duplicates.push(top.path ? `${top.path}.${key}` : key);
        top.keys!.add(key);
        top.key = key;
        expectKey = false;
      }
      i = j + 1;
      continue;
    }
    if ((c >= '0' && c <= '9') || c === '-') {
      let j = i + 1;
      let fractionOrExponent = false;
      for (; j < text.length && isNumberChar(text[j]); j++) {
        const d = text[j];
        if (d === '.' || d === 'e' || d === 'E') fractionOrExponent = true;
      }
      if ((fractionOrExponent || j - i >= 16) && numbers.length < maxNumbers) {
        const literal = text.slice(i, j);
        if (misreadNumber(literal)) numbers.push({ segments: segmentsOf(stack), literal });
      }
      i = j;
      continue;
    }
    if (c === '{' || c === '[') {
      const parent = stack[stack.length - 1];
      const path = parent ? childPath(parent) : '';
      stack.push(c === '{' ? { kind: 'object', path, keys: new Set(), index: 0 } : { kind: 'array', path, index: 0 });
      expectKey = c === '{';
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',') {
      const top = stack[stack.length - 1];
      if (top?.kind === 'array') top.index++;
      else expectKey = true;
    }
    i++;
  }
  return { duplicates, numbers };
}
