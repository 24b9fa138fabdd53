// The YAML text gnostic stores in an `Any` (vendor extensions, default, enum, example): its
// compiler.Marshal clears the styles of the yaml.v3 node parsed from the JSON and marshals it
// with yaml.v3's defaults, so block style, 4-space indentation (a sequence under a key is
// indented too; a mapping in a sequence item starts after "- "), no line wrapping, empty
// collections as `{}`/`[]`, and a string quoted only when it would otherwise read as another
// type or could not be written plain. Differences from yaml.v3's bytes, never in the value: a
// multi-line string is double-quoted (yaml.v3 writes a literal block), and a float is written
// as JavaScript prints it (yaml.v3 keeps the JSON text, e.g. `1.0`).

type JSONValue = null | boolean | number | string | JSONValue[] | { [key: string]: JSONValue };

export function yamlOf(value: unknown): string {
  const out: string[] = [];
  node(out, value as JSONValue, 0, 'top');
  return out.join('');
}

/** Where a node starts: alone at the top, after `key:`, or after `- `. */
type Position = 'top' | 'value' | 'item';

/** yaml.v3 aligns nested block collections to the next multiple of the indent (4). */
function deeper(indent: number): number {
  return 4 * Math.floor((indent + 4) / 4);
}

function node(out: string[], value: JSONValue, indent: number, at: Position): void {
  if (Array.isArray(value)) {
    if (value.length === 0) return void out.push(at === 'top' ? '[]\n' : at === 'value' ? ' []\n' : '[]\n');
    // Items of a sequence under a key sit on new lines at the next indent; a sequence that is
    // itself an item continues on the same line (`- - a`), two columns further.
    const col = at === 'top' ? 0 : at === 'value' ? deeper(indent) : indent;
    if (at === 'value') out.push('\n');
    value.forEach((item, i) => {
      if (i > 0 || at !== 'item') out.push(' '.repeat(col));
      out.push('- ');
      node(out, item, col + 2, 'item');
    });
    return;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return void out.push(at === 'value' ? ' {}\n' : '{}\n');
    const col = at === 'top' ? 0 : at === 'value' ? deeper(indent) : indent;
    if (at === 'value') out.push('\n');
    entries.forEach(([k, v], i) => {
      if (i > 0 || at !== 'item') out.push(' '.repeat(col));
      out.push(scalar(k), ':');
      node(out, v, col, 'value');
    });
    return;
  }
  out.push(at === 'value' ? ' ' : '', scalar(value), '\n');
}

function scalar(value: null | boolean | number | string): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : value > 0 ? '.inf' : value < 0 ? '-.inf' : '.nan';
  if (value.includes('\n') || !printable(value)) return JSON.stringify(value);
  if (readsAsOtherType(value)) return JSON.stringify(value);
  if (plainAllowed(value)) return value;
  return `'${value.replaceAll("'", "''")}'`;
}

const nullRE = /^(~|null|Null|NULL)$/;
const boolRE = /^(true|True|TRUE|false|False|FALSE)$/;
const intRE = /^[-+]?(0b[01_]+|0o[0-7_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*)$/;
const floatRE = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const specialFloatRE = /^([-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$/;
const timestampRE = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ].*)?$/;

/** What yaml.v3's resolve would tag other than !!str if written plain: then it is quoted. */
function readsAsOtherType(s: string): boolean {
  return s === '' || nullRE.test(s) || boolRE.test(s) || intRE.test(s) || floatRE.test(s) || specialFloatRE.test(s) || timestampRE.test(s);
}

/** No control characters (tab and line feed aside), no lone surrogates, no BOM. */
function printable(s: string): boolean {
  // eslint-disable-next-line no-control-regex
  return !/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\ufeff\ufffe\uffff]|\p{Cs}/u.test(s);
}

/** libyaml's analysis of a plain scalar in block context. */
function plainAllowed(s: string): boolean {
  if (/^\s|\s$/.test(s) || s.includes('\t')) return false;
  if (s.startsWith('---') || s.startsWith('...')) return false;
  const first = s[0];
  if ('#,[]{}&*!|>\'"%@`'.includes(first)) return false;
  if ('-?:'.includes(first) && (s.length === 1 || s[1] === ' ')) return false;
  if (s.includes(': ') || s.endsWith(':') || s.includes(' #')) return false;
  return true;
}
