// Controller history, as kube's pkg/controller/history: the ControllerRevisions a StatefulSet
// or DaemonSet keeps of its pod template. A revision's data is the strategic merge patch that
// puts the template back (`{"spec":{"template":{...,"$patch":"replace"}}}`, encoded as Go's
// json.Marshal does: keys sorted, <>& escaped), so a rollback is one patch. Equal templates
// share one revision (a rollback renumbers it rather than copying it), revision numbers only
// grow, and history past revisionHistoryLimit is deleted oldest first, never a live revision.
import type { KubeObject, OwnerReference } from '../api/types.ts';
import { isAlreadyExists, isConflict, isInvalid, isNotFound, resources, type ApiClient, type ResourceDescriptor, type SharedInformer } from '../client/index.ts';

/** history.ControllerRevisionHashLabel: the hash of a revision's data (StatefulSet revisions). */
export const controllerRevisionHashLabel = 'controller.kubernetes.io/hash';

export interface ControllerRevision extends KubeObject {
  data?: unknown;
  revision: number;
}

/** apps/v1 controllerrevisions, typed. */
export const controllerRevisionsResource = resources.controllerRevisions as ResourceDescriptor<ControllerRevision>;

/** The owner a revision points back to with its controller reference. */
export interface OwnerKind {
  apiVersion: string;
  kind: string;
}

// ---- encoding and hashing ----

const htmlUnsafe: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

/** A JSON value as Go's json.Marshal writes a map[string]interface{}: keys sorted, HTML-safe. */
export function goJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => goJson(v === undefined ? null : v)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const members = Object.keys(obj).sort().filter((k) => obj[k] !== undefined).map((k) => `${goString(k)}:${goJson(obj[k])}`);
    return `{${members.join(',')}}`;
  }
  if (typeof value === 'string') return goString(value);
  return JSON.stringify(value ?? null);
}

function goString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => htmlUnsafe[c]);
}

/** rand.SafeEncodeString's alphabet: no vowels, no 0/1/3, so a hash never spells a word. */
const alphanums = 'bcdfghjklmnpqrstvwxz2456789';

export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += alphanums[s.charCodeAt(i) % alphanums.length];
  return out;
}

const fnvOffset = 0x811c9dc5;
const fnvPrime = 0x01000193;

/** FNV-1 (hash/fnv New32): multiply, then xor. */
function fnv1(hash: number, bytes: Uint8Array): number {
  for (const b of bytes) hash = (Math.imul(hash, fnvPrime) ^ b) >>> 0;
  return hash;
}

/** FNV-1a (hash/fnv New32a): xor, then multiply. */
function fnv1a(hash: number, bytes: Uint8Array): number {
  for (const b of bytes) hash = Math.imul(hash ^ b, fnvPrime) >>> 0;
  return hash;
}

const utf8 = new TextEncoder();

/** fnv.New32().Sum32() of the bytes. */
export const fnv32 = (bytes: Uint8Array) => fnv1(fnvOffset, bytes);
/** fnv.New32a().Sum32() of the bytes. */
export const fnv32a = (bytes: Uint8Array) => fnv1a(fnvOffset, bytes);

/**
 * HashControllerRevision: FNV-1 over the data's bytes, then over the decimal collision count
 * (the probe). For the same data bytes this is the very hash kube computes.
 */
export function hashControllerRevision(data: unknown, probe?: number): string {
  let hash = fnv1(fnvOffset, utf8.encode(goJson(data)));
  if (probe !== undefined) hash = fnv1(hash, utf8.encode(String(probe)));
  return safeEncodeString(String(hash));
}

/**
 * controller.ComputeHash (the DaemonSet's controller-revision-hash): FNV-1a over the pod
 * template, then the collision count as 8 little-endian bytes. kube feeds the hasher a dump of
 * the Go struct; the template's sorted JSON stands in for it, so the value is stable for a
 * template but not the string kube would print.
 */
export function computeHash(template: unknown, collisionCount?: number): string {
  let hash = fnv1a(fnvOffset, utf8.encode(goJson(template ?? {})));
  if (collisionCount !== undefined) {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setUint32(0, collisionCount >>> 0, true);
    hash = fnv1a(hash, bytes);
  }
  return safeEncodeString(String(hash));
}

// ---- revisions ----

/** ControllerRevisionName: `<prefix>-<hash>`, the prefix cut to 223 bytes so the name fits 253. */
export function controllerRevisionName(prefix: string, hash: string): string {
  return `${prefix.length > 223 ? prefix.slice(0, 223) : prefix}-${hash}`;
}

/** getPatch: the patch that restores spec.template, as both controllers record it. */
export function templatePatch(obj: KubeObject): Record<string, unknown> {
  const template = structuredClone(obj.spec?.template ?? {});
  return { spec: { template: { ...template, $patch: 'replace' } } };
}

/** applyRevision for the part that is recorded: the object with the revision's template. */
export function applyRevision<T extends KubeObject>(obj: T, revision: ControllerRevision): T {
  const patch = (revision.data as { spec?: { template?: Record<string, unknown> } } | undefined)?.spec?.template;
  if (!patch) return obj;
  const { $patch: _directive, ...template } = patch;
  return { ...obj, spec: { ...obj.spec, template: structuredClone(template) } };
}

export function controllerRefTo(owner: KubeObject, kind: OwnerKind): OwnerReference {
  return { apiVersion: kind.apiVersion, kind: kind.kind, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

/**
 * NewControllerRevision: labelled like the template plus the hash label, owned by `owner`, named
 * `<owner>-<hash of data and collision count>`.
 */
export function newControllerRevision(owner: KubeObject, kind: OwnerKind, opts: {
  templateLabels?: Record<string, string>; annotations?: Record<string, string>; data: unknown; revision: number; collisionCount?: number;
}): ControllerRevision {
  const hash = hashControllerRevision(opts.data, opts.collisionCount);
  return {
    apiVersion: 'apps/v1', kind: 'ControllerRevision',
    metadata: {
      name: controllerRevisionName(owner.metadata.name!, hash),
      namespace: owner.metadata.namespace,
      labels: { ...opts.templateLabels, [controllerRevisionHashLabel]: hash },
      ...(opts.annotations && Object.keys(opts.annotations).length ? { annotations: { ...opts.annotations } } : {}),
      ownerReferences: [controllerRefTo(owner, kind)],
    },
    data: opts.data,
    revision: opts.revision,
  };
}

/** SortControllerRevisions: by revision, then creation time, then name. */
export function sortControllerRevisions(revisions: ControllerRevision[]): ControllerRevision[] {
  const created = (r: ControllerRevision) => Date.parse(r.metadata.creationTimestamp ?? '') || 0;
  return [...revisions].sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0)
    || created(a) - created(b)
    || (a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0));
}

/** EqualRevision: the same recorded data. */
export function equalRevision(a: ControllerRevision | undefined, b: ControllerRevision | undefined): boolean {
  if (!a || !b) return a === b;
  return goJson(a.data) === goJson(b.data);
}

export function findEqualRevisions(revisions: ControllerRevision[], needle: ControllerRevision): ControllerRevision[] {
  return revisions.filter((r) => equalRevision(r, needle));
}

/** nextRevision: one more than the highest (revisions sorted), 1 for the first. */
export function nextRevision(sorted: ControllerRevision[]): number {
  return sorted.length ? (sorted[sorted.length - 1].revision ?? 0) + 1 : 1;
}

/**
 * truncateHistory's choice: of the revisions (sorted) that nothing uses — not the current or
 * update revision, not the revision of any pod — all but the newest `limit`, oldest first.
 */
export function revisionsToTruncate(sorted: ControllerRevision[], live: Set<string>, limit: number): ControllerRevision[] {
  const history = sorted.filter((r) => !live.has(r.metadata.name!));
  return history.length <= limit ? [] : history.slice(0, history.length - limit);
}

// ---- reading and writing revisions (realHistory) ----

/** What a controller reads and writes revisions with: the API and its shared informer. */
export class ControllerHistory {
  constructor(private readonly client: ApiClient, private readonly informer: SharedInformer<ControllerRevision>) {}

  /** ListControllerRevisions: in the owner's namespace, selected, owned by it or by no controller. */
  list(owner: KubeObject, selects: (labels: Record<string, string> | undefined) => boolean): ControllerRevision[] {
    return this.informer.store.byNamespace(owner.metadata.namespace!).filter((r) => {
      if (!selects(r.metadata.labels)) return false;
      const ref = r.metadata.ownerReferences?.find((o) => o.controller);
      return !ref || ref.uid === owner.metadata.uid;
    });
  }

  /**
   * CreateControllerRevision: a name taken by a revision with other data is a hash collision;
   * the collision count goes up and the name is computed again. Taken by equal data: that one.
   */
  async create(owner: KubeObject, revision: ControllerRevision, collisionCount: number): Promise<{ revision: ControllerRevision; collisionCount: number }> {
    const namespace = owner.metadata.namespace;
    for (let count = collisionCount; ; count++) {
      const candidate = structuredClone(revision);
      candidate.metadata.name = controllerRevisionName(owner.metadata.name!, hashControllerRevision(revision.data, count));
      try {
        return { revision: await this.client.create(resources.controllerRevisions, candidate, { namespace }) as ControllerRevision, collisionCount: count };
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
        const exists = await this.client.get(resources.controllerRevisions, candidate.metadata.name!, { namespace }) as ControllerRevision;
        if (goJson(exists.data) === goJson(candidate.data)) return { revision: exists, collisionCount: count };
      }
    }
  }

  /** UpdateControllerRevision: renumbers a revision (a rollback to it), retrying on conflict. */
  async updateRevision(revision: ControllerRevision, newRevision: number): Promise<ControllerRevision> {
    let current = revision;
    for (let attempt = 0; ; attempt++) {
      if (current.revision === newRevision) return current;
      try {
        return await this.client.update(resources.controllerRevisions, { ...current, revision: newRevision }) as ControllerRevision;
      } catch (err) {
        if (!isConflict(err) || attempt >= 4) throw err;
        current = await this.client.get(resources.controllerRevisions, current.metadata.name!, { namespace: current.metadata.namespace }) as ControllerRevision;
      }
    }
  }

  async delete(revision: ControllerRevision): Promise<void> {
    try {
      await this.client.delete(resources.controllerRevisions, revision.metadata.name!, { namespace: revision.metadata.namespace });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** AdoptControllerRevision: a controller reference added by strategic merge patch. */
  async adopt(owner: KubeObject, kind: OwnerKind, revision: ControllerRevision): Promise<ControllerRevision | undefined> {
    return this.patchOwners(revision, [controllerRefTo(owner, kind)]);
  }

  /** ReleaseControllerRevision: the owner's reference removed; gone or not owned is not an error. */
  async release(owner: KubeObject, revision: ControllerRevision): Promise<ControllerRevision | undefined> {
    try {
      return await this.patchOwners(revision, [{ $patch: 'delete', uid: owner.metadata.uid }]);
    } catch (err) {
      if (isInvalid(err)) return undefined;
      throw err;
    }
  }

  private async patchOwners(revision: ControllerRevision, ownerReferences: unknown[]): Promise<ControllerRevision | undefined> {
    const { name, namespace, uid } = revision.metadata;
    try {
      return await this.client.patch(resources.controllerRevisions, name!, 'strategic', { metadata: { ownerReferences, uid } }, { namespace }) as ControllerRevision;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}
