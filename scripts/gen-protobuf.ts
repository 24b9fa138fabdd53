// node --import tsx scripts/gen-protobuf.ts <k8s.io/api checkout> <k8s.io/apimachinery checkout> [more checkouts...]
// Writes schemas/protobuf-fields.json: for each Kubernetes type kubelite's OpenAPI document
// defines, its protobuf field numbers with the JSON names and Go-encoding facts the request
// body decoder (src/server/protobuf/) needs and the OpenAPI document does not say:
//   { "<definition>": { "<field number>": ["<json name>", flags?, "<inlined type>"?] } }
//   flags: 1 = non-pointer `omitempty` field (Go's JSON encoder drops its zero value),
//          2 = embedded `json:",inline"` struct (its message's fields join the parent object),
//          4 = each value is a named slice wrapped as a message {items = 1} (authentication's ExtraValue),
//          8 = metav1.Duration (a JSON string, a varint nanoseconds message on the wire).
// Field types come from the OpenAPI definitions at run time. The facts come from the struct tags
// of the Go types (`json:"replicas,omitempty" protobuf:"varint,1,opt,name=replicas"`), which is
// why this reads the Go sources of a release-1.32 checkout (e.g. `git archive v0.32.4`) of
// k8s.io/api, k8s.io/apimachinery and, optionally, k8s.io/apiextensions-apiserver and
// k8s.io/kube-aggregator. Output is deterministic.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDefinitions } from '../src/registry/validation/schema-files.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outFile = join(root, 'schemas', 'protobuf-fields.json');

const DROP_ZERO = 1;
const INLINE = 2;
const WRAPPED = 4;
const DURATION = 8;

/** Types the decoder reads by hand (their JSON form is not their message's fields). */
const handWritten = new Set([
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time', 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime',
  'io.k8s.apimachinery.pkg.apis.meta.v1.Duration', 'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1',
  'io.k8s.apimachinery.pkg.api.resource.Quantity', 'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
  'io.k8s.apimachinery.pkg.runtime.RawExtension', 'io.k8s.apimachinery.pkg.runtime.Unknown',
]);

interface GoField {
  name: string; // json name, '' when inline
  number: number;
  repeated: boolean;
  omitempty: boolean;
  inline: boolean;
  pointer: boolean;
  type: string; // Go type without the leading '*'
}

interface GoPackage {
  prefix: string; // definition prefix: io.k8s.api.core.v1
  structs: Map<string, GoField[]>;
  /** Non-struct named types and their underlying type: PodPhase → string, ExtraValue → []string. */
  named: Map<string, string>;
  /** Per type, the import aliases of its file: metav1 → io.k8s.apimachinery.pkg.apis.meta.v1. */
  imports: Map<string, Map<string, string>>;
}

/** k8s.io/api/core/v1 → io.k8s.api.core.v1, the way openapi-gen names definitions. */
function importPathToPrefix(path: string): string {
  const [domain, ...rest] = path.split('/');
  return [...domain.split('.').reverse(), ...rest].join('.');
}

function parseTags(tags: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tags.matchAll(/(\w+):"([^"]*)"/g)) out[m[1]] = m[2];
  return out;
}

function parseImports(source: string): Map<string, string> {
  const imports = new Map<string, string>();
  const block = /^import \(([\s\S]*?)^\)/m.exec(source)?.[1] ?? /^import (.*)$/m.exec(source)?.[1] ?? '';
  for (const m of block.matchAll(/^\s*(?:(\w+)\s+)?"([^"]+)"/gm)) {
    imports.set(m[1] ?? m[2].split('/').pop()!, importPathToPrefix(m[2]));
  }
  return imports;
}

const fieldLine = /^\s*(?:(\w+)\s+)?(\*?[\w.[\]*]+)\s+`([^`]*)`/;

function parseField(line: string): GoField | undefined {
  const m = fieldLine.exec(line);
  if (!m) return undefined;
  const tags = parseTags(m[3]);
  const proto = tags.protobuf?.split(',');
  if (!proto || proto[0] === '-' || tags.json === '-') return undefined;
  const [jsonName = '', ...jsonOpts] = (tags.json ?? '').split(',');
  const embedded = m[1] === undefined;
  const inline = jsonOpts.includes('inline') || (embedded && jsonName === '');
  if (!inline && jsonName === '') return undefined; // no JSON form (runtime.Unknown's fields)
  return {
    name: inline ? '' : jsonName, number: Number(proto[1]), repeated: proto[2] === 'rep',
    omitempty: jsonOpts.includes('omitempty'), inline, pointer: m[2].startsWith('*'), type: m[2].replace(/^\*/, ''),
  };
}

function parsePackage(dir: string, prefix: string): GoPackage {
  const pkg: GoPackage = { prefix, structs: new Map(), named: new Map(), imports: new Map() };
  const files = readdirSync(dir).filter((f) => f.endsWith('.go') && !f.endsWith('_test.go') && !f.startsWith('zz_generated') && f !== 'generated.pb.go');
  for (const file of files.sort()) {
    const source = readFileSync(join(dir, file), 'utf8');
    const imports = parseImports(source);
    let current: GoField[] | undefined;
    let depth = 0;
    for (const line of source.split('\n')) {
      const code = line.replace(/`[^`]*`/g, '``').replace(/\/\/.*$/, '');
      if (!current) {
        const struct = /^type (\w+) struct\s*\{(\s*\})?/.exec(code);
        if (struct) {
          current = [];
          pkg.structs.set(struct[1], current);
          pkg.imports.set(struct[1], imports);
          depth = 1;
          if (struct[2]) current = undefined;
          continue;
        }
        const named = /^type (\w+) (?:= )?(\S.*)$/.exec(code.trim());
        if (named) {
          pkg.named.set(named[1], named[2].trim());
          pkg.imports.set(named[1], imports);
        }
        continue;
      }
      if (depth === 1) {
        const field = parseField(line);
        if (field) current.push(field);
      }
      depth += (code.match(/\{/g)?.length ?? 0) - (code.match(/\}/g)?.length ?? 0);
      if (depth <= 0) current = undefined;
    }
  }
  return pkg;
}

/** Finds the checkout and directory holding a definition prefix's Go package. */
function packageDir(checkouts: Array<{ dir: string; prefix: string }>, prefix: string): string | undefined {
  for (const c of checkouts) {
    if (prefix !== c.prefix && !prefix.startsWith(c.prefix + '.')) continue;
    const dir = join(c.dir, ...prefix.slice(c.prefix.length + 1).split('.').filter(Boolean));
    if (existsSync(dir)) return dir;
  }
  return undefined;
}

type Resolved = { prefix: string; name: string };

class Universe {
  readonly packages = new Map<string, GoPackage>();

  /** A Go type expression as written in `owner`'s file → its package and name. */
  resolve(pkg: GoPackage, owner: string, type: string): Resolved | undefined {
    const m = /^([\w]+)\.(\w+)$/.exec(type);
    if (!m) return /^\w+$/.test(type) ? { prefix: pkg.prefix, name: type } : undefined;
    const prefix = pkg.imports.get(owner)?.get(m[1]);
    return prefix ? { prefix, name: m[2] } : undefined;
  }

  underlying(r: Resolved | undefined): string | undefined {
    return r && this.packages.get(r.prefix)?.named.get(r.name);
  }

  /** A struct's fields, following `type X = v1.X` aliases and `type X v1.X` definitions. */
  struct(r: Resolved): { pkg: GoPackage; owner: string; fields: GoField[] } | undefined {
    const pkg = this.packages.get(r.prefix);
    const fields = pkg?.structs.get(r.name);
    if (pkg && fields) return { pkg, owner: r.name, fields };
    const underlying = pkg?.named.get(r.name);
    const target = pkg && underlying ? this.resolve(pkg, r.name, underlying) : undefined;
    return target && (target.prefix !== r.prefix || target.name !== r.name) ? this.struct(target) : undefined;
  }

  /** True for a named slice type other than []byte (protobuf wraps it as {items = 1}). */
  isNamedSlice(pkg: GoPackage, owner: string, type: string): boolean {
    const u = this.underlying(this.resolve(pkg, owner, type));
    return u !== undefined && u.startsWith('[]') && u !== '[]byte';
  }

  /** Whether Go's JSON `omitempty` can drop the value: strings, numbers, bools and []byte, not structs. */
  isScalar(r: Resolved | undefined, type: string): boolean {
    const underlying = this.underlying(r) ?? type;
    if (underlying === '[]byte') return true;
    if (/^(\[\]|map\[)/.test(underlying)) return false;
    return !r || !this.struct(r);
  }

  flagsOf(pkg: GoPackage, owner: string, f: GoField): number {
    let flags = 0;
    const r = this.resolve(pkg, owner, f.type);
    if (f.omitempty && !f.pointer && !f.inline && this.isScalar(r, f.type)) flags |= DROP_ZERO;
    if (f.inline) flags |= INLINE;
    if (r?.prefix === 'io.k8s.apimachinery.pkg.apis.meta.v1' && r.name === 'Duration') flags |= DURATION;
    const mapType = f.type.startsWith('map[') ? f.type : this.underlying(r) ?? '';
    const mapValue = /^map\[[^\]]+\](.+)$/.exec(mapType)?.[1];
    const owningPkg = mapType === f.type ? pkg : this.packages.get(r?.prefix ?? '') ?? pkg;
    if (mapValue && this.isNamedSlice(owningPkg, mapType === f.type ? owner : '', mapValue)) flags |= WRAPPED;
    if (!f.repeated && this.isNamedSlice(pkg, owner, f.type)) flags |= WRAPPED;
    return flags;
  }
}

type Entry = [string] | [string, number] | [string, number, string];

function main(): void {
  const args = process.argv.slice(2);
  if (args.length < 2) {
    console.error('usage: gen-protobuf.ts <k8s.io/api checkout> <k8s.io/apimachinery checkout> [checkouts...]');
    process.exit(2);
  }
  const checkouts = args.map((dir) => {
    const module = /^module\s+(\S+)/m.exec(readFileSync(join(dir, 'go.mod'), 'utf8'))?.[1];
    if (!module) throw new Error(`${dir}/go.mod names no module`);
    return { dir, prefix: importPathToPrefix(module) };
  });
  const definitions = loadDefinitions();
  const universe = new Universe();
  for (const prefix of new Set(Object.keys(definitions).map((d) => d.slice(0, d.lastIndexOf('.'))))) {
    const dir = packageDir(checkouts, prefix);
    if (dir) universe.packages.set(prefix, parsePackage(dir, prefix));
    else console.error(`skipped ${prefix}: no checkout holds it`);
  }

  const table: Record<string, Record<string, Entry>> = {};
  const pending = Object.keys(definitions).filter((d) => !handWritten.has(d));
  while (pending.length > 0) {
    const definition = pending.pop()!;
    if (table[definition]) continue;
    const prefix = definition.slice(0, definition.lastIndexOf('.'));
    const found = universe.struct({ prefix, name: definition.slice(prefix.length + 1) });
    if (!found || found.fields.length === 0) continue;
    const { pkg, owner: name, fields } = found;
    const entries: Record<string, Entry> = {};
    for (const f of fields) {
      const flags = universe.flagsOf(pkg, name, f);
      if (f.inline) {
        const target = universe.resolve(pkg, name, f.type);
        const struct = target && universe.struct(target);
        if (!struct) throw new Error(`${definition}: cannot resolve inline ${f.type}`);
        const targetName = `${struct.pkg.prefix}.${struct.owner}`;
        entries[f.number] = [f.name, flags, targetName];
        pending.push(targetName);
      } else {
        entries[f.number] = flags ? [f.name, flags] : [f.name];
      }
    }
    table[definition] = entries;
  }
  report(table, definitions);
  const lines = Object.keys(table).sort().map((d) => `${JSON.stringify(d)}:${JSON.stringify(table[d])}`);
  const notice = 'Derived from the struct tags of the Kubernetes v1.32 Go API types (k8s.io/api, k8s.io/apimachinery, ' +
    'k8s.io/apiextensions-apiserver, k8s.io/kube-aggregator), Copyright The Kubernetes Authors, Apache License 2.0 ' +
    '(see LICENSE). Generated by scripts/gen-protobuf.ts; do not edit.';
  const text = `{"//":${JSON.stringify(notice)},\n${lines.join(',\n')}\n}\n`;
  writeFileSync(outFile, text);
  console.log(`wrote ${outFile}: ${lines.length} types, ${Buffer.byteLength(text)} bytes`);
}

/** Cross-checks the table against the OpenAPI properties: each property needs a field number. */
function report(table: Record<string, Record<string, Entry>>, definitions: ReturnType<typeof loadDefinitions>): void {
  const namesOf = (d: string): string[] => Object.values(table[d] ?? {})
    .flatMap(([name, flags = 0, inline]) => (flags & INLINE ? namesOf(inline!) : [name]));
  let missing = 0;
  for (const d of Object.keys(table)) {
    const properties = Object.keys(definitions[d]?.properties ?? {});
    if (!definitions[d]) continue;
    const names = new Set(namesOf(d));
    const absent = properties.filter((p) => !names.has(p) && p !== 'apiVersion' && p !== 'kind');
    if (absent.length > 0) console.error(`${d}: no field number for ${absent.join(', ')}`);
    missing += absent.length;
  }
  const untabled = Object.keys(definitions).filter((d) => !table[d] && !handWritten.has(d) && definitions[d].properties);
  if (untabled.length > 0) console.error(`definitions without a Go struct: ${untabled.join(', ')}`);
  console.error(`${missing} OpenAPI properties without a field number`);
}

main();
