// Writing API objects to a reply in the negotiated representation. Stored versions go out as
// their shared JSON text; only YAML, tables and metadata views build new documents.
import type { FastifyReply } from 'fastify';
import type { KubeObject, Status } from '../api/types.ts';
import type { StatusError } from '../api/errors.ts';
import { encodeStatus } from '../api/status-json.ts';
import type { ListPage } from '../registry/list.ts';
import { partialObjectMetadata, toTable, type IncludeObject } from '../registry/table.ts';
import { groupVersion, type ResourceDef } from '../registry/types.ts';
import { contentTypeOf, encodeYaml, type Representation } from './negotiate.ts';
import { warningHeaderValues } from './warning-header.ts';

/** Adds `Warning: 299 - "..."` headers, after any already set (a deprecated version's comes first). */
export function sendWarnings(reply: FastifyReply, warnings: string[]): void {
  if (warnings.length === 0) return;
  const existing = reply.getHeader('Warning');
  const earlier = existing === undefined ? [] : Array.isArray(existing) ? existing.map(String) : [String(existing)];
  reply.header('Warning', [...earlier, ...warningHeaderValues(warnings)]);
}

/**
 * Sends text with exactly this Content-Type. A Buffer keeps Fastify from rewriting JSON
 * media types (it would add `charset=utf-8` and quote parameters, which kube never does).
 */
export function sendText(reply: FastifyReply, code: number, contentType: string, text: string): FastifyReply {
  return reply.code(code).header('content-type', contentType).send(Buffer.from(text));
}

function sendDocument(reply: FastifyReply, code: number, rep: Representation, doc: unknown, json?: string): FastifyReply {
  const text = rep.encoding === 'yaml' ? encodeYaml(doc) : json ?? JSON.stringify(doc);
  return sendText(reply, code, contentTypeOf(rep.encoding), text);
}

export function sendStatus(reply: FastifyReply, err: StatusError): FastifyReply {
  return sendText(reply, err.status.code, 'application/json', encodeStatus(err.status));
}

export function sendSuccess(reply: FastifyReply, rep: Representation, details: Status['details']): FastifyReply {
  // kube's Success Status for a DELETE carries no code in its body.
  const status: Omit<Status, 'code'> = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details };
  return sendDocument(reply, 200, rep, status, rep.encoding === 'json' ? encodeStatus(status) : undefined);
}

export interface ObjectResponse {
  code: number;
  def: ResourceDef;
  object: KubeObject;
  json?: string;
  includeObject: IncludeObject;
}

export function sendObject(reply: FastifyReply, rep: Representation, res: ObjectResponse): FastifyReply {
  switch (rep.view) {
    case 'Table':
      return sendDocument(reply, res.code, rep, toTable(res.def, [res.object], { includeObject: res.includeObject, version: rep.viewVersion }));
    case 'PartialObjectMetadata':
      return sendDocument(reply, res.code, rep, partialObjectMetadata(res.object, rep.viewVersion));
    default:
      return sendDocument(reply, res.code, rep, res.object, res.json);
  }
}

export function sendList(reply: FastifyReply, rep: Representation, def: ResourceDef, page: ListPage, includeObject: IncludeObject): FastifyReply {
  const metadata: Record<string, unknown> = { resourceVersion: page.resourceVersion };
  if (page.continue) metadata.continue = page.continue;
  if (page.remainingItemCount !== undefined) metadata.remainingItemCount = page.remainingItemCount;
  if (rep.view === 'Table') {
    return sendDocument(reply, 200, rep, toTable(def, page.items.map((i) => i.object), {
      includeObject, version: rep.viewVersion, ...metadata,
    }));
  }
  if (rep.view === 'PartialObjectMetadataList') {
    return sendDocument(reply, 200, rep, {
      kind: 'PartialObjectMetadataList', apiVersion: `meta.k8s.io/${rep.viewVersion}`, metadata,
      items: page.items.map((i) => partialObjectMetadata(i.object, rep.viewVersion)),
    });
  }
  const head = { kind: `${def.kind}List`, apiVersion: groupVersion(def), metadata };
  if (rep.encoding === 'yaml') return sendDocument(reply, 200, rep, { ...head, items: page.items.map((i) => i.object) });
  // Splice the stored JSON of each item into the list: no object is serialised again.
  const json = `${JSON.stringify(head).slice(0, -1)},"items":[${page.items.map((i) => i.json).join(',')}]}`;
  return sendDocument(reply, 200, rep, undefined, json);
}

export function sendObjectList(reply: FastifyReply, rep: Representation, def: ResourceDef, objects: KubeObject[]): FastifyReply {
  return sendDocument(reply, 200, rep, { kind: `${def.kind}List`, apiVersion: groupVersion(def), metadata: {}, items: objects });
}
