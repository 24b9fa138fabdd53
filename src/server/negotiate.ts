// Content negotiation as kube-apiserver does it: the Accept header picks JSON or YAML and,
// with `;as=...;g=meta.k8s.io;v=v1`, a Table or PartialObjectMetadata view; request bodies
// are JSON or YAML by Content-Type.
import YAML from 'yaml';
import { errors, StatusError } from '../api/errors.ts';
import { exceedsNestingDepth, maxNestingDepth } from '../api/json-limits.ts';
import { goJsonSyntaxError, summarizeData } from './go-json-syntax.ts';
import { duplicateFields, numberLiterals, scanJsonText } from '../api/json-scan.ts';
import { goYamlNumbers } from './yaml-numbers.ts';
import { decodeKubernetesProtobuf, protobufMediaType, type ExpectedKind } from './protobuf/index.ts';

export type Encoding = 'json' | 'yaml';
export type View = 'object' | 'Table' | 'PartialObjectMetadata' | 'PartialObjectMetadataList';

export interface Representation {
  encoding: Encoding;
  view: View;
  /** meta.k8s.io version of the Table/PartialObjectMetadata view (v1 or v1beta1). */
  viewVersion: string;
}

interface MediaRange {
  type: string;
  params: Record<string, string>;
}

function parseAccept(header: string | undefined): MediaRange[] {
  if (!header) return [{ type: '*/*', params: {} }];
  return header.split(',').map((part) => {
    const [type, ...rest] = part.split(';').map((s) => s.trim());
    const params: Record<string, string> = {};
    for (const p of rest) {
      const eq = p.indexOf('=');
      if (eq > 0) params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim().replace(/^"|"$/g, '');
    }
    return { type: type.toLowerCase(), params };
  }).filter((m) => m.type && m.params.q !== '0');
}

/**
 * The first acceptable representation. `views` are the views this request can produce
 * (a list can be a Table or a PartialObjectMetadataList; a single object a Table or
 * PartialObjectMetadata). A range asking for an unsupported view or protobuf is skipped.
 */
export function negotiate(accept: string | undefined, views: View[]): Representation {
  for (const m of parseAccept(accept)) {
    const encoding = encodingOf(m.type);
    if (!encoding) continue;
    const as = m.params.as;
    if (!as) return { encoding, view: 'object', viewVersion: 'v1' };
    if (m.params.g !== 'meta.k8s.io') continue;
    const version = m.params.v ?? '';
    if (version !== 'v1' && version !== 'v1beta1') continue;
    if (views.includes(as as View)) return { encoding, view: as as View, viewVersion: version };
  }
  throw errors.notAcceptable();
}

function encodingOf(type: string): Encoding | undefined {
  switch (type) {
    case 'application/json':
    case 'application/*':
    case '*/*':
      return 'json';
    case 'application/yaml':
      return 'yaml';
    default:
      return undefined;
  }
}

export function contentTypeOf(encoding: Encoding): string {
  return encoding === 'yaml' ? 'application/yaml' : 'application/json';
}

export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

/**
 * Parses a request body in one of the `accepted` media types: JSON, YAML (also apply patches)
 * or Kubernetes protobuf, which kubectl's typed commands send (`expected` names the kind a
 * protobuf envelope may leave out).
 */
export function decodeRequestBody(raw: Buffer | undefined, contentType: string | undefined, accepted: string[],
  expected?: ExpectedKind): unknown {
  const media = mediaTypeOf(contentType) || 'application/json';
  if (!accepted.includes(media)) throw errors.unsupportedMediaType(media, accepted);
  const body = parseBody(raw, media, expected);
  // Nothing deeper than the bound goes further: every later walk may recurse safely.
  if (exceedsNestingDepth(body)) {
    throw errors.badRequest(`couldn't get version/kind; json parse error: exceeded max depth (${maxNestingDepth} nested objects and arrays)`);
  }
  return body;
}

function parseBody(raw: Buffer | undefined, media: string, expected?: ExpectedKind): unknown {
  try {
    if (media === protobufMediaType) return decodeKubernetesProtobuf(raw ?? Buffer.alloc(0), expected);
  } catch (err) {
    // Protobuf messages nest (JSONSchemaProps, RawExtension): one nested past the stack is a bad body.
    if (err instanceof RangeError) throw errors.badRequest(`error decoding protobuf: exceeded max depth`);
    throw err;
  }
  const text = raw?.toString('utf8') ?? '';
  if (text.trim() === '') return undefined;
  if (media === 'application/yaml' || media === 'application/apply-patch+yaml') return parseYaml(text);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw jsonDecodeError(raw!, (err as Error).message, expected);
  }
  if (typeof body === 'object' && body !== null) {
    const { duplicates, numbers } = scanJsonText(text);
    if (duplicates.length > 0) duplicateFields.set(body, duplicates);
    if (numbers.length > 0) numberLiterals.set(body, numbers);
  }
  return body;
}

/**
 * A body that is not JSON, in kube's words: Go's syntax error, and for a typed body
 * transformDecodeError's "the object provided is unrecognized (must be of type Namespace):
 * couldn't get version/kind; json parse error: ... (<summary>)" (its meta factory fails
 * before any kind is known). Patch bodies get Go's error alone, as kube's patchers return it.
 */
function jsonDecodeError(raw: Buffer, fallback: string, expected?: ExpectedKind) {
  const syntax = goJsonSyntaxError(raw) ?? fallback;
  if (!expected) return errors.badRequest(syntax);
  return errors.badRequest(`the object provided is unrecognized (must be of type ${expected.kind}): ` +
    `couldn't get version/kind; json parse error: ${syntax} (${summarizeData(raw)})`);
}

/** goyaml's refusal of alias bombs, as sigs.k8s.io/yaml reports it. */
const yamlAliasLimit = 100;

function yamlError(message: string): StatusError {
  return errors.badRequest(`error converting YAML to JSON: yaml: ${message}`);
}

function parseYaml(text: string): unknown {
  let list: YAML.Document.Parsed[];
  try {
    const docs = YAML.parseAllDocuments(text, { uniqueKeys: false });
    list = Array.isArray(docs) ? docs : [docs as unknown as YAML.Document.Parsed];
  } catch (err) {
    // The parser recurses on flow collections: nesting past the stack is a bad body, not a crash.
    if (err instanceof RangeError) throw yamlError('exceeded max depth');
    throw err;
  }
  const errs = list.flatMap((d) => d.errors);
  if (errs.length > 0) {
    const first = errs[0].message.split('\n')[0];
    throw yamlError(/Maximum call stack/.test(first) ? 'exceeded max depth' : first);
  }
  const nonEmpty = list.filter((d) => d.contents !== null);
  if (nonEmpty.length > 1) throw yamlError('only one document is accepted per request');
  if (!nonEmpty[0]) return undefined;
  // Numbers as go-yaml resolves them, and the JSON text Go then decodes (server/yaml-numbers.ts).
  const numbers = goYamlNumbers(nonEmpty[0]);
  try {
    // goyaml decodes !!binary to a string of its bytes: never a typed array in an object.
    const body: unknown = nonEmpty[0].toJS({ maxAliasCount: yamlAliasLimit, reviver: (_key, value) => (value instanceof Uint8Array ? Buffer.from(value).toString('utf8') : value) });
    if (numbers.length > 0 && typeof body === 'object' && body !== null) numberLiterals.set(body, numbers);
    return body;
  } catch (err) {
    const message = (err as Error).message;
    if (/Excessive alias count/.test(message)) throw yamlError('document contains excessive aliasing');
    const anchor = /Unresolved alias.*: (.*)$/.exec(message);
    if (anchor) throw yamlError(`unknown anchor '${anchor[1]}' referenced`);
    if (err instanceof RangeError) throw yamlError('exceeded max depth');
    throw yamlError(message.split('\n')[0]);
  }
}

export function encodeYaml(value: unknown): string {
  return YAML.stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });
}
