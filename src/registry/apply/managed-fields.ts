// metadata.managedFields on writes, as k8s.io/apiserver's field manager keeps them
// (k8s.io/apimachinery/pkg/util/managedfields/internal): entries are keyed by a manager
// identifier, the JSON of {manager, operation, apiVersion (Update only), subresource}; an
// Update owns the fields it changed and takes them from everyone else; apiVersion, kind and
// the system metadata fields are never owned; more than 10 Update entries fold the oldest
// into `ancient-changes`; entries are written Apply first, then by time, manager, version.
import type { KubeObject, ManagedFieldsEntry } from '../../api/types.ts';
import { loadDefinitions } from '../validation/schema.ts';
import { FieldSet, type Path } from './fieldset.ts';
import { objectType, type SchemaType } from './schema-types.ts';
import { compare } from './typed.ts';

export interface VersionedSet {
  set: FieldSet;
  apiVersion: string;
  applied: boolean;
}

/** Managed fields decoded: sets and times by manager identifier. */
export interface Managed {
  fields: Map<string, VersionedSet>;
  times: Map<string, string | undefined>;
}

/** One entry of metadata.managedFields, decoded (see managersOf). */
export interface ManagerEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  subresource?: string;
  time?: string;
  fields: FieldSet;
}

export const beforeFirstApplyManager = 'before-first-apply';
export const ancientChangesManager = 'ancient-changes';
export const maxUpdateManagers = 10;
export const fieldManagerMaxLength = 128;

/** Fields no manager owns (stripMetaManager). */
const strippedFields = FieldSet.of(
  ...[['apiVersion'], ['kind'], ['metadata'], ['metadata', 'name'], ['metadata', 'namespace'],
    ['metadata', 'creationTimestamp'], ['metadata', 'selfLink'], ['metadata', 'uid'],
    ['metadata', 'clusterName'], ['metadata', 'generation'], ['metadata', 'managedFields'],
    ['metadata', 'resourceVersion']].map((names): Path => names.map((field) => ({ field }))),
);

// ---- manager identifiers, decoding and encoding ----

/** BuildManagerIdentifier: the entry without fields, time and (for appliers) apiVersion, as Go's JSON. */
export function managerIdentifier(e: { manager?: string; operation?: string; apiVersion?: string; subresource?: string }): string {
  const id: Record<string, string> = {};
  if (e.manager) id.manager = e.manager;
  if (e.operation) id.operation = e.operation;
  if (e.apiVersion && e.operation !== 'Apply') id.apiVersion = e.apiVersion;
  if (e.subresource) id.subresource = e.subresource;
  return JSON.stringify(id);
}

type ManagerIdentifier = { manager?: string; operation?: 'Apply' | 'Update'; apiVersion?: string; subresource?: string };

export function parseIdentifier(id: string): ManagerIdentifier {
  // The same few identifiers come back on every write: parse each once (callers only read it).
  let parsed = parsedIdentifiers.get(id);
  if (!parsed) {
    if (parsedIdentifiers.size >= 1024) parsedIdentifiers.clear();
    parsed = Object.freeze(JSON.parse(id) as ManagerIdentifier);
    parsedIdentifiers.set(id, parsed);
  }
  return parsed;
}

const parsedIdentifiers = new Map<string, ManagerIdentifier>();

/** DecodeManagedFields; throws an Error (kube's wording) on an invalid entry. */
export function decodeManagedFields(entries: ManagedFieldsEntry[] | undefined): Managed {
  const managed: Managed = { fields: new Map(), times: new Map() };
  (entries ?? []).forEach((e, i) => {
    if (e.operation !== 'Apply' && e.operation !== 'Update') throw new Error('operation must be `Apply` or `Update`');
    if (!e.apiVersion) throw new Error('apiVersion must not be empty');
    if (!e.fieldsType) throw new Error(`missing fieldsType in managed fields entry ${i}`);
    if (e.fieldsType !== 'FieldsV1') throw new Error(`invalid fieldsType ${JSON.stringify(e.fieldsType)} in managed fields entry ${i}`);
    const id = managerIdentifier(e);
    const set = FieldSet.fromFieldsV1(e.fieldsV1 ?? {});
    managed.fields.set(id, { set, apiVersion: e.apiVersion, applied: e.operation === 'Apply' });
    managed.times.set(id, e.time);
  });
  return managed;
}

/** encodeManagedFields + sortEncodedManagedFields; undefined when there is nothing to record. */
export function encodeManagedFields(managed: Managed): ManagedFieldsEntry[] | undefined {
  if (managed.fields.size === 0) return undefined;
  const out: ManagedFieldsEntry[] = [];
  for (const [id, vs] of managed.fields) {
    const parsed = parseIdentifier(id);
    const entry: ManagedFieldsEntry = {};
    if (parsed.manager) entry.manager = parsed.manager;
    entry.operation = vs.applied ? 'Apply' : parsed.operation ?? 'Update';
    entry.apiVersion = vs.apiVersion;
    const time = managed.times.get(id);
    if (time) entry.time = time;
    entry.fieldsType = 'FieldsV1';
    entry.fieldsV1 = vs.set.toFieldsV1();
    if (parsed.subresource) entry.subresource = parsed.subresource;
    out.push(entry);
  }
  const seconds = (t?: string) => (t ? Math.floor(Date.parse(t) / 1000) : 0);
  const cmp = (a = '', b = '') => (a < b ? -1 : a > b ? 1 : 0);
  return out.sort((p, q) =>
    cmp(p.operation, q.operation) || seconds(p.time) - seconds(q.time) || cmp(p.manager, q.manager) ||
    cmp(p.apiVersion, q.apiVersion) || cmp(p.subresource, q.subresource));
}

/** The managers of an object and what each owns. Entries that fail to decode are skipped. */
export function managersOf(obj: KubeObject): ManagerEntry[] {
  const out: ManagerEntry[] = [];
  for (const e of obj.metadata?.managedFields ?? []) {
    try {
      const fields = FieldSet.fromFieldsV1(e.fieldsV1 ?? {});
      out.push({
        manager: e.manager ?? '', operation: e.operation ?? 'Update', apiVersion: e.apiVersion ?? '',
        subresource: e.subresource || undefined, time: e.time, fields,
      });
    } catch {
      // skip, as a client that cannot read an entry would
    }
  }
  return out;
}

/** metav1.Time as JSON: RFC 3339 in UTC, whole seconds. */
export function formatTime(time: Date | string): string {
  const d = typeof time === 'string' ? new Date(time) : time;
  const second = Math.floor(d.getTime() / 1000);
  // Every write in the same second stamps the same text: format it once per second.
  if (second !== lastFormatted.second) {
    lastFormatted.second = second;
    lastFormatted.text = new Date(second * 1000).toISOString().replace('.000Z', 'Z');
  }
  return lastFormatted.text;
}

const lastFormatted = { second: NaN, text: '' };

/**
 * The manager name kube-apiserver uses when a request names no fieldManager: the User-Agent
 * up to its first '/', without unprintable characters, at most 128 bytes (prefixFromUserAgent).
 */
export function managerFromUserAgent(userAgent: string | undefined): string {
  const key = userAgent ?? '';
  let manager = managersByUserAgent.get(key);
  if (manager === undefined) {
    // A few clients send nearly every request: remember their names, within a bound.
    if (managersByUserAgent.size >= 256) managersByUserAgent.clear();
    manager = managerFromPrefix(key.split('/')[0]);
    managersByUserAgent.set(key, manager);
  }
  return manager;
}

const managersByUserAgent = new Map<string, string>();

function managerFromPrefix(prefix: string): string {
  let out = '';
  let bytes = 0;
  for (const ch of prefix) {
    if (!/[\p{L}\p{M}\p{N}\p{P}\p{S} ]/u.test(ch)) continue;
    const len = Buffer.byteLength(ch);
    if (bytes + len > fieldManagerMaxLength) break;
    out += ch;
    bytes += len;
  }
  return out;
}

// ---- the Update operation ----

export interface UpdateManagedFieldsOptions {
  /** The stored object; undefined on create. */
  old: KubeObject | undefined;
  /** The object about to be stored, with the managedFields the client sent (if any). */
  next: KubeObject;
  /** The fieldManager, or managerFromUserAgent(User-Agent) when the request names none. */
  manager: string;
  operation?: 'Update';
  /** The group/version of the request, e.g. 'apps/v1'. */
  apiVersion: string;
  /** 'status', 'scale', ... for writes through a subresource. */
  subresource?: string;
  time: Date | string;
  /** The kind's OpenAPI definition, e.g. 'io.k8s.api.apps.v1.Deployment'. */
  definition: string;
  /** Fields this endpoint resets, which the manager never owns (see resetFieldsFor). */
  resetFields?: FieldSet;
}

/**
 * The metadata.managedFields to store for a create, update or non-apply patch (FieldManager.Update).
 * Returns undefined when the object is to have none (cleared by the client, or never tracked).
 */
export function updateManagedFields(opts: UpdateManagedFieldsOptions): ManagedFieldsEntry[] | undefined {
  const type = objectType(opts.definition);
  const managed = decodeLiveOrNew(opts.old, opts.next, !!opts.subresource);
  // skipNonAppliedManager: an existing object without managed fields stays untracked until an apply.
  if (managed.fields.size === 0 && opts.old?.metadata?.uid) return undefined;
  const live = withoutManagedFields(opts.old) ?? zeroObject(opts.definition);
  const next = withoutManagedFields(opts.next);
  const id = managerIdentifier({ manager: opts.manager || 'unknown', operation: 'Update', apiVersion: opts.apiVersion, subresource: opts.subresource });
  recordUpdate(managed, { live, next, id, apiVersion: opts.apiVersion, time: formatTime(opts.time), type, resetFields: opts.resetFields });
  capUpdateManagers(managed);
  return encodeManagedFields(managed);
}

interface RecordUpdate {
  live: unknown;
  next: unknown;
  id: string;
  apiVersion: string;
  time: string;
  type: SchemaType;
  resetFields?: FieldSet;
}

/**
 * managedFieldsUpdater + stripMeta + Updater.Update: the changed fields go to the manager
 * (merged with what it owned), and leave every other manager. A no-op keeps the old time.
 */
export function recordUpdate(managed: Managed, u: RecordUpdate): void {
  const c = compare(u.live, u.next, u.type);
  const changed = c.modified.union(c.added);
  for (const [other, vs] of managed.fields) {
    const set = vs.set.difference(changed).difference(c.removed);
    if (set.isEmpty()) managed.fields.delete(other);
    else managed.fields.set(other, { ...vs, set });
  }
  let own = changed;
  if (u.resetFields) own = own.recursiveDifference(u.resetFields);
  own = own.difference(strippedFields);
  if (own.isEmpty()) return;
  const previous = managed.fields.get(u.id);
  managed.fields.set(u.id, { set: previous ? own.union(previous.set) : own, apiVersion: u.apiVersion, applied: false });
  managed.times.set(u.id, u.time);
}

/** stripMetaManager: the manager never owns apiVersion, kind and the system metadata fields. */
export function stripManagedSet(managed: Managed, id: string): void {
  const vs = managed.fields.get(id);
  if (!vs) return;
  const set = vs.set.difference(strippedFields);
  if (set.isEmpty()) managed.fields.delete(id);
  else managed.fields.set(id, { ...vs, set });
}

/** decodeLiveOrNew: the client's managedFields win when valid and non-empty; `[]` or `[{}]` resets them. */
function decodeLiveOrNew(old: KubeObject | undefined, next: KubeObject, ignoreNew: boolean): Managed {
  const empty = (): Managed => ({ fields: new Map(), times: new Map() });
  const fromLive = () => {
    try {
      return decodeManagedFields(old?.metadata?.managedFields);
    } catch {
      return empty();
    }
  };
  if (ignoreNew) return fromLive();
  const sent = next.metadata?.managedFields;
  if (sent !== undefined && sent !== null) {
    if (sent.length === 0) return empty();
    if (sent.length === 1 && Object.keys(sent[0] ?? {}).length === 0) return empty();
  }
  try {
    const managed = decodeManagedFields(sent ?? undefined);
    if (managed.fields.size > 0) return managed;
  } catch {
    // fall back to the live object's, so that clients unaware of managedFields cannot drop them
  }
  return fromLive();
}

/** capManagersManager: at most 10 Update entries; the oldest fold into `ancient-changes` per version. */
export function capUpdateManagers(managed: Managed, max = maxUpdateManagers): void {
  const updaters = [...managed.fields].filter(([, vs]) => !vs.applied).map(([id]) => id);
  if (updaters.length <= max) return;
  const seconds = (id: string) => {
    const t = managed.times.get(id);
    return t ? Math.floor(Date.parse(t) / 1000) : 0;
  };
  updaters.sort((a, b) => seconds(a) - seconds(b) || (a < b ? -1 : a > b ? 1 : 0));
  const firstOfVersion = new Map<string, string>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > max; i++) {
    const id = updaters[i];
    const vs = managed.fields.get(id)!;
    const bucket = managerIdentifier({ manager: ancientChangesManager, operation: 'Update', apiVersion: vs.apiVersion });
    const first = firstOfVersion.get(vs.apiVersion);
    if (first === undefined) {
      firstOfVersion.set(vs.apiVersion, id);
      continue;
    }
    if (!managed.fields.has(bucket)) {
      managed.fields.set(bucket, managed.fields.get(first)!);
      managed.fields.delete(first);
    }
    managed.fields.set(bucket, { set: vs.set.union(managed.fields.get(bucket)!.set), apiVersion: vs.apiVersion, applied: false });
    managed.fields.delete(id);
    length--;
    managed.times.set(bucket, managed.times.get(id));
  }
}

/** The object as compared for ownership: a shallow view without managedFields (compare only reads it). */
function withoutManagedFields(obj: KubeObject | undefined): KubeObject | undefined {
  if (!obj) return undefined;
  if (!obj.metadata || typeof obj.metadata !== 'object') return obj;
  const { managedFields: _dropped, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

// ---- the empty object a create is compared against ----

/** Struct fields that are Go values, not pointers, in the kinds' types (present in an empty object). */
const valueStructFields = new Set(['metadata', 'spec', 'status', 'template', 'strategy', 'updateStrategy']);
const zeroObjects = new Map<string, Record<string, unknown>>();

/**
 * The kind's empty object as Go's unstructured converter renders `New()`: struct values are `{}`
 * and required (non-omitempty) fields are null. Comparing a created object against it, and
 * not against nothing, is why kube records no `.` for spec, template, containers and the like.
 */
export function zeroObject(definition: string): Readonly<Record<string, unknown>> {
  let zero = zeroObjects.get(definition);
  if (!zero) {
    // Built once per kind and shared by every create (frozen: the comparisons only read it).
    zero = deepFreeze(zeroStruct(definition, 0) ?? {});
    zeroObjects.set(definition, zero);
  }
  return zero;
}

function deepFreeze<T extends Record<string, unknown>>(obj: T): T {
  for (const value of Object.values(obj)) {
    if (value && typeof value === 'object') deepFreeze(value as Record<string, unknown>);
  }
  return Object.freeze(obj);
}

function zeroStruct(definition: string, depth: number): Record<string, unknown> | undefined {
  const def = loadDefinitions()[definition];
  if (!def?.properties || depth > 4) return undefined;
  const out: Record<string, unknown> = {};
  const required = new Set(def.required ?? []);
  for (const [name, prop] of Object.entries(def.properties)) {
    const ref = typeof prop.$ref === 'string' ? prop.$ref.replace('#/definitions/', '') : undefined;
    const struct = ref && loadDefinitions()[ref]?.properties ? ref : undefined;
    if (struct && (valueStructFields.has(name) || required.has(name))) out[name] = zeroStruct(struct, depth + 1) ?? {};
    else if (required.has(name)) out[name] = null;
  }
  return out;
}

// ---- reset fields ----

/**
 * The fields a write through this endpoint does not own (the strategies' GetResetFields):
 * the main resource of a kind with a status subresource resets `status`; `/status` resets
 * everything but status.
 */
export function resetFieldsFor(opts: { definition: string; subresource?: string; hasStatusSubresource: boolean }): FieldSet | undefined {
  if (opts.subresource === 'status') {
    const props = Object.keys(loadDefinitions()[opts.definition]?.properties ?? {});
    return FieldSet.of(...props.filter((p) => !['status', 'apiVersion', 'kind', 'metadata'].includes(p)).map((field): Path => [{ field }]));
  }
  if (!opts.subresource && opts.hasStatusSubresource) return FieldSet.of([{ field: 'status' }]);
  return undefined;
}

// ---- no-op writes ----

/**
 * IgnoreManagedFieldsTimestampsTransformer: when a write changes nothing but managedFields
 * times, keep the old times, so the write is a no-op (no new resourceVersion).
 */
export function ignoreManagedFieldsTimestamps(next: KubeObject, old: KubeObject): KubeObject {
  const newMF = next.metadata?.managedFields ?? [];
  const oldMF = old.metadata?.managedFields ?? [];
  if (newMF.length !== oldMF.length || newMF.length === 0) return next;
  const sansTime = (e: ManagedFieldsEntry) => JSON.stringify({ ...e, time: undefined });
  const restored = newMF.map((e) => oldMF.find((o) => sansTime(o) === sansTime(e)));
  if (restored.some((e) => e === undefined)) return next;
  const candidate = { ...next, metadata: { ...next.metadata, managedFields: restored as ManagedFieldsEntry[] } };
  return deepEqualJson(candidate, old) ? candidate : next;
}

function deepEqualJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqualJson(x, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(b)) {
    const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
    const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqualJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}
