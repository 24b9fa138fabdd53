// /openapi/v2 and /openapi/v3, served as kube-apiserver's kube-openapi handlers serve them:
// - /openapi/v2: the v2 document as JSON, or as gnostic's protobuf (openapi.v2.Document, see
//   openapi-protobuf/) for `application/com.github.proto-openapi.spec.v2@v1.0+protobuf` (or
//   the `…v2.v1.0+protobuf` spelling), which kubectl's v2 field-validation verifier and its
//   client-side schema validation download. Negotiated as kube-openapi's handler does (the
//   first Accept clause, by q, that admits JSON or protobuf), both forms carry the JSON's
//   ETag, each is made once per document version, and gzipped when the client accepts it.
// - /openapi/v3: an index of group-version documents, each addressed with `?hash=<sha512>`;
//   /openapi/v3/<group-version>: one document. A hash-addressed request is immutable (cached
//   for a year), a stale hash is redirected (301) to the current one.
// Documents are read from schemas/ on first request and kept in memory with their ETags.
// registerOpenAPIV3/unregisterOpenAPIV3 add and remove documents at run time (for CRDs).
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { gzipSync } from 'node:zlib';
import { errors, type StatusError } from '../api/errors.ts';
import { v3FileName } from '../registry/validation/openapi-v3.ts';
import { readSchemaFile } from '../registry/validation/schema-files.ts';
import { encodeOpenAPIV2Document } from './openapi-protobuf/index.ts';

interface ServedDocument {
  bytes: Buffer;
  /** SHA-512 of the bytes in upper-case hex: kube-openapi's ETag and index hash. */
  hash: string;
  lastModified: Date;
  /** Other encodings of the same document (protobuf, gzip), made on first request. */
  encodings?: Map<string, Buffer>;
}

interface V3Entry {
  hash: string;
  lastModified: Date;
  load(): Buffer;
}

const jsonType = 'application/json';
/** The media type kube-openapi answers protobuf requests with (whichever spelling was asked). */
export const openAPIV2ProtobufType = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

function hashOf(bytes: Buffer): string {
  return createHash('sha512').update(bytes).digest('hex').toUpperCase();
}

function served(bytes: Buffer): ServedDocument {
  return { bytes, hash: hashOf(bytes), lastModified: new Date() };
}

// ---- documents ----

let v2: ServedDocument | undefined;
/** Definitions added at run time (custom resources), by owner (a CRD's name). */
const v2Extensions = new Map<string, { definitions: Record<string, unknown> }>();

function openAPIV2(): ServedDocument {
  if (v2) return v2;
  const bytes = readSchemaFile('openapi-v2.json');
  if (v2Extensions.size === 0) return (v2 = served(bytes));
  const doc = JSON.parse(bytes.toString('utf8')) as { definitions: Record<string, unknown> };
  for (const ext of v2Extensions.values()) Object.assign(doc.definitions, ext.definitions);
  return (v2 = served(Buffer.from(JSON.stringify(doc))));
}

/** Adds (or replaces) the v2 definitions an owner publishes, e.g. a CRD's served versions. */
export function registerOpenAPIV2(owner: string, ext: { definitions: Record<string, unknown> }): void {
  v2Extensions.set(owner, ext);
  v2 = undefined;
}

export function unregisterOpenAPIV2(owner: string): void {
  if (v2Extensions.delete(owner)) v2 = undefined;
}

/** One encoding of a served document, made once and kept with it. */
function encoding(doc: ServedDocument, name: string, make: () => Buffer): Buffer {
  doc.encodings ??= new Map();
  let bytes = doc.encodings.get(name);
  if (!bytes) doc.encodings.set(name, (bytes = make()));
  return bytes;
}

/** The v2 document as gnostic protobuf: the same document as the JSON, encoded once per version. */
function openAPIV2Protobuf(doc: ServedDocument): Buffer {
  return encoding(doc, 'protobuf', () => encodeOpenAPIV2Document(JSON.parse(doc.bytes.toString('utf8'))));
}

let v3: Map<string, V3Entry> | undefined;
let v3Index: ServedDocument | undefined;

/** The group-version documents: the generated ones (read lazily, file by file) plus any registered. */
function v3Entries(): Map<string, V3Entry> {
  if (v3) return v3;
  v3 = new Map();
  const started = new Date();
  const index = JSON.parse(readSchemaFile('openapi-v3/index.json').toString('utf8')) as { paths: Record<string, { serverRelativeURL: string }> };
  for (const [gv, { serverRelativeURL }] of Object.entries(index.paths)) {
    let bytes: Buffer | undefined;
    const file = `openapi-v3/${v3FileName(gv)}`;
    v3.set(gv, {
      hash: new URL(serverRelativeURL, 'http://x').searchParams.get('hash') ?? '',
      lastModified: started,
      load: () => (bytes ??= readSchemaFile(file)),
    });
  }
  return v3;
}

/** Publishes (or replaces) the v3 document of a group-version path such as `apis/example.com/v1`. */
export function registerOpenAPIV3(groupVersionPath: string, doc: object): void {
  const bytes = Buffer.from(JSON.stringify(doc));
  const hash = hashOf(bytes);
  v3Entries().set(groupVersionPath, { hash, lastModified: new Date(), load: () => bytes });
  v3Index = undefined;
}

/**
 * Publishes a group-version document built only when a client asks for it. `identity` stands
 * for its content (the hash clients cache by); a CRD serving thousands of versions then costs
 * nothing until read, instead of a document per version held in memory.
 */
export function registerOpenAPIV3Lazy(groupVersionPath: string, identity: string, make: () => object): void {
  const hash = hashOf(Buffer.from(identity));
  v3Entries().set(groupVersionPath, { hash, lastModified: new Date(), load: () => Buffer.from(JSON.stringify(make())) });
  v3Index = undefined;
}

/** Withdraws a group-version document; returns whether there was one. */
export function unregisterOpenAPIV3(groupVersionPath: string): boolean {
  const removed = v3Entries().delete(groupVersionPath);
  if (removed) v3Index = undefined;
  return removed;
}

/** The index, keys sorted as Go's encoding/json writes a map. */
function openAPIV3Index(): ServedDocument {
  if (v3Index) return v3Index;
  const paths: Record<string, { serverRelativeURL: string }> = {};
  const entries = v3Entries();
  for (const gv of [...entries.keys()].sort()) paths[gv] = { serverRelativeURL: serverRelativeURL(gv, entries.get(gv)!.hash) };
  return (v3Index = served(Buffer.from(JSON.stringify({ paths }))));
}

function serverRelativeURL(groupVersionPath: string, hash: string): string {
  return `/openapi/v3/${groupVersionPath}?hash=${hash}`;
}

// ---- HTTP ----

/** Whether any media range with q > 0 in Accept admits JSON (an absent header admits anything). */
export function acceptsJSON(accept: string | undefined): boolean {
  if (!accept || accept.trim() === '') return true;
  return accept.split(',').some((range) => {
    const [type, ...params] = range.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    if (q && Number(q.slice(2)) === 0) return false;
    return type === jsonType || type === 'application/*' || type === '*/*';
  });
}

type V2Format = 'json' | 'protobuf';

const v2Offers: Array<[type: string, subtype: string, format: V2Format]> = [
  ['application', 'json', 'json'],
  ['application', 'com.github.proto-openapi.spec.v2@v1.0+protobuf', 'protobuf'],
  ['application', 'com.github.proto-openapi.spec.v2.v1.0+protobuf', 'protobuf'],
];

/**
 * kube-openapi's negotiation for /openapi/v2: Accept's clauses sorted by q, then specificity
 * (goautoneg), and the first that matches an offer wins; no Accept means any. Clauses with
 * q=0 are not acceptable.
 */
export function negotiateOpenAPIV2(accept: string | undefined): V2Format | undefined {
  const clauses = (accept && accept.trim() !== '' ? accept : '*/*').split(',').map((range, i) => {
    const [mediaType = '', ...params] = range.split(';').map((s) => s.trim());
    const q = params.find((p) => p.toLowerCase().startsWith('q='));
    const [type = '', subtype = '*'] = (mediaType === '*' ? '*/*' : mediaType.toLowerCase()).split('/');
    return { type, subtype, q: q ? Number(q.slice(2)) : 1, i };
  }).filter((c) => c.q > 0);
  const specificity = (c: { type: string; subtype: string }) => (c.type === '*' ? 0 : 2) + (c.subtype === '*' ? 0 : 1);
  clauses.sort((a, b) => b.q - a.q || specificity(b) - specificity(a) || a.i - b.i);
  for (const c of clauses) {
    for (const [type, subtype, format] of v2Offers) {
      if ((c.type === type || c.type === '*') && (c.subtype === subtype || c.subtype === '*')) return format;
    }
  }
  return undefined;
}

/** Whether Accept-Encoding admits gzip (q > 0), as gziphandler checks it. */
function acceptsGzip(acceptEncoding: string | string[] | undefined): boolean {
  const header = Array.isArray(acceptEncoding) ? acceptEncoding.join(',') : acceptEncoding ?? '';
  return header.split(',').some((e) => {
    const [coding, ...params] = e.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    return coding === 'gzip' && !(q && !(Number(q.slice(2)) > 0));
  });
}

function sendError(reply: FastifyReply, err: StatusError): FastifyReply {
  return reply.code(err.code).type(jsonType).send(JSON.stringify(err.status));
}

/** If-None-Match against a strong ETag, as net/http's ServeContent checks it. */
function notModified(req: FastifyRequest, etag: string): boolean {
  const header = req.headers['if-none-match'];
  if (!header) return false;
  return header.split(',').some((t) => {
    const tag = t.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag;
  });
}

function sendDocument(req: FastifyRequest, reply: FastifyReply, doc: { hash: string; lastModified: Date }, body: () => Buffer,
  opts: { type?: string; gzipped?: () => Buffer } = {}): FastifyReply {
  const etag = `"${doc.hash}"`;
  reply.header('ETag', etag).header('Last-Modified', doc.lastModified.toUTCString());
  if (!reply.hasHeader('Cache-Control')) reply.header('Cache-Control', 'no-cache, private');
  if (notModified(req, etag)) return reply.code(304).send();
  reply.code(200).type(opts.type ?? jsonType);
  if (opts.gzipped && acceptsGzip(req.headers['accept-encoding'])) return reply.header('Content-Encoding', 'gzip').send(opts.gzipped());
  return reply.send(body());
}

const notAcceptable = (): StatusError => errors.notAcceptable('only the following media types are accepted: application/json');
const notAcceptableV2 = (): StatusError => errors.notAcceptable(`only the following media types are accepted: application/json, ${openAPIV2ProtobufType}`);

export async function openapiRoutes(app: FastifyInstance): Promise<void> {
  app.get('/openapi/v2', async (req, reply) => {
    // kube-openapi wraps this handler in gziphandler, which varies on Accept-Encoding too.
    reply.header('Vary', 'Accept, Accept-Encoding');
    const format = negotiateOpenAPIV2(req.headers.accept);
    if (!format) return sendError(reply, notAcceptableV2());
    const doc = openAPIV2();
    const body = format === 'json' ? () => doc.bytes : () => openAPIV2Protobuf(doc);
    return sendDocument(req, reply, doc, body, {
      type: format === 'json' ? jsonType : openAPIV2ProtobufType,
      gzipped: () => encoding(doc, `${format}+gzip`, () => gzipSync(body())),
    });
  });

  app.get('/openapi/v3', async (req, reply) => {
    const index = openAPIV3Index();
    return sendDocument(req, reply, index, () => index.bytes);
  });

  app.get('/openapi/v3/*', async (req, reply) => {
    const gv = (req.params as { '*': string })['*'];
    const entry = v3Entries().get(gv);
    if (!entry) return sendError(reply, errors.notFoundPath());
    reply.header('Vary', 'Accept');
    if (!acceptsJSON(req.headers.accept)) return sendError(reply, notAcceptable());
    const hash = (req.query as Record<string, string | string[] | undefined>).hash;
    if (typeof hash === 'string' && hash !== '') {
      // A stale hash moves to the current document; a current one may be cached for good.
      if (hash !== entry.hash) return reply.redirect(serverRelativeURL(gv, entry.hash), 301);
      const expires = new Date();
      expires.setUTCFullYear(expires.getUTCFullYear() + 1);
      reply.header('Cache-Control', 'public, immutable').header('Expires', expires.toUTCString());
    }
    return sendDocument(req, reply, entry, () => entry.load());
  });
}
