// Numbers in a YAML body, read as kube-apiserver reads them. Its YAML decoder is
// sigs.k8s.io/yaml: go-yaml v2 resolves each plain scalar (YAML 1.1 rules), the result is
// marshalled to JSON, and that JSON is what Go's decoder sees. So, unlike a JSON body:
// - `1.0` and `1E2` are floats that json.Marshal writes `1` and `100`: an int field takes them;
// - `1e400` does not parse as a float and stays the string "1e400";
// - `010` is octal 8, `0b101` is 5, `1_000` is 1000 (strconv.ParseInt with base 0, `_` dropped);
// - 9223372036854775808 is a uint64 (written as is; an int64 field refuses it), a larger
//   integer a float64 written the way json.Marshal writes it (18446744073709552000);
// - integers past 2^53 keep every digit.
// The YAML library reads plain scalars by YAML 1.2's core schema, so each numeric-looking plain
// scalar is set to go-yaml's value here, and the JSON text Go would decode is recorded where
// JavaScript would misread it, as the JSON scan records a JSON body's literals.
import YAML, { type Document, type Node, type Scalar } from 'yaml';
import { misreadNumber, type NumberLiteral } from '../api/json-scan.ts';

/** go-yaml v2's yamlStyleFloat. */
const yamlStyleFloat = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const int64Range = [-(2n ** 63n), 2n ** 63n - 1n] as const;
const uint64Max = 2n ** 64n - 1n;
const maxNumbers = 1000;

/** strconv.ParseInt/ParseUint with base 0 (prefixes 0x, 0o, 0b, a leading 0 for octal), unbounded. */
function parseGoIntBase0(s: string): bigint | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return undefined;
  const body = m[2];
  const digits = /^0[0-7]+$/.test(body) ? `0o${body.slice(1)}` : body;
  const n = BigInt(digits);
  return m[1] === '-' ? -n : n;
}

type GoScalar = { kind: 'int'; value: bigint } | { kind: 'float'; value: number } | { kind: 'string' };

/** How go-yaml v2 resolves a plain scalar starting with a digit or a sign (resolve.go's 'D' and 'S' hints). */
export function goYamlNumber(source: string): GoScalar {
  const plain = source.replace(/_/g, '');
  const n = parseGoIntBase0(plain);
  if (n !== undefined && n >= int64Range[0] && n <= int64Range[1]) return { kind: 'int', value: n };
  if (n !== undefined && n >= 0n && n <= uint64Max && !/^[+-]/.test(plain)) return { kind: 'int', value: n };
  if (yamlStyleFloat.test(plain)) {
    const f = Number(plain);
    if (Number.isFinite(f)) return { kind: 'float', value: f };
  }
  // A binary literal past int64 (ParseInt base 2), or anything else: a string.
  if (/^-0b[01]+$/.test(plain)) {
    const v = -BigInt(`0b${plain.slice(3)}`);
    if (v >= int64Range[0]) return { kind: 'int', value: v };
  }
  return { kind: 'string' };
}

function segmentsOf(path: readonly unknown[], node: unknown): string[] {
  const out: string[] = [];
  for (let i = 0; i < path.length; i++) {
    const entry = path[i];
    if (YAML.isPair(entry)) {
      const key = entry.key as unknown;
      out.push(String(YAML.isScalar(key) ? key.value : key));
    } else if (YAML.isSeq(entry)) {
      out.push(String(entry.items.indexOf((path[i + 1] ?? node) as never)));
    }
  }
  return out;
}

/**
 * Sets the document's numeric plain scalars to go-yaml's values and returns the literals Go's
 * JSON decoder would see that JavaScript misreads (for the body decoder, as api/json-scan.ts).
 */
export function goYamlNumbers(doc: Document.Parsed): NumberLiteral[] {
  const numbers: NumberLiteral[] = [];
  YAML.visit(doc, {
    Scalar(key, node: Scalar, path) {
      if (key === 'key' || node.type !== 'PLAIN' || node.tag !== undefined) return;
      const source = node.source;
      if (typeof source !== 'string' || !/^[0-9+-]/.test(source)) return;
      const go = goYamlNumber(source);
      let text: string | undefined;
      if (go.kind === 'string') {
        node.value = source;
        return;
      }
      if (go.kind === 'int') {
        node.value = Number(go.value);
        text = go.value.toString();
      } else {
        node.value = go.value;
        // json.Marshal writes a float64 as JavaScript's shortest form does ('e' past 1e21).
        text = String(go.value);
      }
      if (misreadNumber(text) && numbers.length < maxNumbers) numbers.push({ segments: segmentsOf(path, node as Node), literal: text });
    },
  });
  return numbers;
}
