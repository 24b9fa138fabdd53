// The syntax error Go's encoding/json reports for a body that is not JSON, in its own words
// ("invalid character 'a' looking for beginning of value", "unexpected end of JSON input"),
// so that kubelite's decode errors read like kube-apiserver's, whose JSON decoder runs Go's
// checkValid scanner before anything else. A state machine over the raw bytes, as Go's
// scanner is: the message depends on the state the offending byte arrives in.

type Frame = 'objectKey' | 'objectValue' | 'arrayValue';

/** Go's json.maxNestingDepth. */
const maxNestingDepth = 10000;

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isHex = (c: number) => isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);

const namedEscapes: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r' };

/** Go's quoteChar: the byte as strconv.Quote prints the rune of that value, in single quotes. */
function quoteChar(c: number): string {
  if (c === 0x27) return `'\\''`;
  if (c === 0x22) return `'"'`;
  if (c === 0x5c) return `'\\\\'`;
  const hex = c.toString(16).padStart(2, '0');
  if (namedEscapes[c]) return `'${namedEscapes[c]}'`;
  if (c < 0x20 || c === 0x7f) return `'\\x${hex}'`;
  if ((c >= 0x80 && c <= 0xa0) || c === 0xad) return `'\\u00${hex}'`;
  return `'${String.fromCharCode(c)}'`;
}

type State = (c: number) => string | undefined;

/** The message of the first syntax error in `data`, or undefined when it is valid JSON. */
export function goJsonSyntaxError(data: Uint8Array): string | undefined {
  const stack: Frame[] = [];
  let endTop = false;
  const fail = (c: number, context: string) => `invalid character ${quoteChar(c)} ${context}`;

  const push = (c: number, frame: Frame): string | undefined => {
    stack.push(frame);
    return stack.length > maxNestingDepth ? fail(c, 'exceeded max depth') : undefined;
  };
  const pop = () => {
    stack.pop();
    if (stack.length === 0) {
      step = endOfTop;
      endTop = true;
    } else {
      step = endOfValue;
    }
  };

  const beginValue: State = (c) => {
    if (isSpace(c)) return undefined;
    switch (c) {
      case 0x7b: step = beginKeyOrEmpty; return push(c, 'objectKey');
      case 0x5b: step = beginValueOrEmpty; return push(c, 'arrayValue');
      case 0x22: step = inString; return undefined;
      case 0x2d: step = afterMinus; return undefined;
      case 0x30: step = afterZero; return undefined;
      case 0x74: step = literal('true', 1); return undefined;
      case 0x66: step = literal('false', 1); return undefined;
      case 0x6e: step = literal('null', 1); return undefined;
    }
    if (c >= 0x31 && c <= 0x39) { step = inInteger; return undefined; }
    return fail(c, 'looking for beginning of value');
  };
  const beginValueOrEmpty: State = (c) => {
    if (isSpace(c)) return undefined;
    if (c === 0x5d) return endOfValue(c);
    return beginValue(c);
  };
  const beginKeyOrEmpty: State = (c) => {
    if (isSpace(c)) return undefined;
    if (c === 0x7d) {
      stack[stack.length - 1] = 'objectValue';
      return endOfValue(c);
    }
    return beginKey(c);
  };
  const beginKey: State = (c) => {
    if (isSpace(c)) return undefined;
    if (c === 0x22) { step = inString; return undefined; }
    return fail(c, 'looking for beginning of object key string');
  };
  const endOfValue: State = (c) => {
    if (stack.length === 0) {
      step = endOfTop;
      endTop = true;
      return endOfTop(c);
    }
    if (isSpace(c)) { step = endOfValue; return undefined; }
    const top = stack[stack.length - 1];
    if (top === 'objectKey') {
      if (c === 0x3a) { stack[stack.length - 1] = 'objectValue'; step = beginValue; return undefined; }
      return fail(c, 'after object key');
    }
    if (top === 'objectValue') {
      if (c === 0x2c) { stack[stack.length - 1] = 'objectKey'; step = beginKey; return undefined; }
      if (c === 0x7d) { pop(); return undefined; }
      return fail(c, 'after object key:value pair');
    }
    if (c === 0x2c) { step = beginValue; return undefined; }
    if (c === 0x5d) { pop(); return undefined; }
    return fail(c, 'after array element');
  };
  const endOfTop: State = (c) => (isSpace(c) ? undefined : fail(c, 'after top-level value'));
  const inString: State = (c) => {
    if (c === 0x22) { step = endOfValue; return undefined; }
    if (c === 0x5c) { step = inEscape; return undefined; }
    if (c < 0x20) return fail(c, 'in string literal');
    return undefined;
  };
  const inEscape: State = (c) => {
    if ([0x62, 0x66, 0x6e, 0x72, 0x74, 0x5c, 0x2f, 0x22].includes(c)) { step = inString; return undefined; }
    if (c === 0x75) { step = unicodeEscape(0); return undefined; }
    return fail(c, 'in string escape code');
  };
  const unicodeEscape = (seen: number): State => (c) => {
    if (!isHex(c)) return fail(c, 'in \\u hexadecimal character escape');
    step = seen === 3 ? inString : unicodeEscape(seen + 1);
    return undefined;
  };
  const afterMinus: State = (c) => {
    if (c === 0x30) { step = afterZero; return undefined; }
    if (c >= 0x31 && c <= 0x39) { step = inInteger; return undefined; }
    return fail(c, 'in numeric literal');
  };
  const inInteger: State = (c) => (isDigit(c) ? undefined : afterZero(c));
  const afterZero: State = (c) => {
    if (c === 0x2e) { step = afterDot; return undefined; }
    if (c === 0x65 || c === 0x45) { step = afterE; return undefined; }
    return endOfValue(c);
  };
  const afterDot: State = (c) => {
    if (isDigit(c)) { step = inFraction; return undefined; }
    return fail(c, 'after decimal point in numeric literal');
  };
  const inFraction: State = (c) => {
    if (isDigit(c)) return undefined;
    if (c === 0x65 || c === 0x45) { step = afterE; return undefined; }
    return endOfValue(c);
  };
  const afterE: State = (c) => {
    if (c === 0x2b || c === 0x2d) { step = afterESign; return undefined; }
    return afterESign(c);
  };
  const afterESign: State = (c) => {
    if (isDigit(c)) { step = inExponent; return undefined; }
    return fail(c, 'in exponent of numeric literal');
  };
  const inExponent: State = (c) => (isDigit(c) ? undefined : endOfValue(c));
  const literal = (word: string, at: number): State => (c) => {
    if (c !== word.charCodeAt(at)) return fail(c, `in literal ${word} (expecting '${word[at]}')`);
    step = at === word.length - 1 ? endOfValue : literal(word, at + 1);
    return undefined;
  };

  let step: State = beginValue;
  for (const c of data) {
    const err = step(c);
    if (err) return err;
  }
  // Go's scanner.eof: a space ends a pending number; anything else unfinished is an early end.
  if (endTop) return undefined;
  const err = step(0x20);
  if (endTop) return undefined;
  return err ?? 'unexpected end of JSON input';
}

/** kube's summarizeData: the start of a body for decode errors, hex unless it looks like JSON. */
export function summarizeData(data: Uint8Array, maxLength = 30): string {
  if (data.length === 0) return '<empty>';
  const head = Buffer.from(data.subarray(0, maxLength));
  const more = data.length > maxLength ? ' ...' : '';
  return (data[0] === 0x7b ? head.toString('utf8') : head.toString('hex')) + more;
}
