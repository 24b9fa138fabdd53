// Server-side apply (PATCH with application/apply-patch+yaml), as k8s.io/apiserver's field
// manager runs structured-merge-diff's Updater.Apply: the configuration is merged into the
// live object by the schema's list and map types; the applier owns exactly the fields of its
// configuration; fields it owned before and dropped are removed unless someone else owns
// them; changing a field another manager owns is a conflict unless forced, and a forced
// apply takes the field over. kubectl's own manager ("kubectl") may take over fields that
// client-side apply recorded in the last-applied annotation without forcing.
import { StatusError, errors } from '../../api/errors.ts';
import type { KubeObject, ManagedFieldsEntry, StatusCause } from '../../api/types.ts';
import { FieldSet, goJson, pathString, type Path } from './fieldset.ts';
import {
  beforeFirstApplyManager, capUpdateManagers, decodeManagedFields, encodeManagedFields, formatTime,
  managerIdentifier, parseIdentifier, recordUpdate, stripManagedSet, zeroObject, type Managed,
} from './managed-fields.ts';
import { objectType, type SchemaType } from './schema-types.ts';
import { compare, ensureNamedFieldsAreMembers, isMap, merge, removeItems, toFieldSet } from './typed.ts';

export const lastAppliedAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';
/** The manager `kubectl apply --server-side` uses; only it upgrades from client-side apply. */
const kubectlManager = 'kubectl';

export interface ApplyOptions {
  /** The stored object; undefined when the apply creates it. */
  live: KubeObject | undefined;
  /** The request body, parsed from YAML or JSON. */
  applied: unknown;
  manager: string;
  force?: boolean;
  /** The group/version and kind of the endpoint, e.g. 'apps/v1' and 'Deployment'. */
  apiVersion: string;
  kind: string;
  /** The kind's OpenAPI definition, e.g. 'io.k8s.api.apps.v1.Deployment'. */
  definition: string;
  subresource?: string;
  time: Date | string;
  /** Fields this endpoint resets, which no applier owns (see resetFieldsFor). */
  resetFields?: FieldSet;
}

export interface ApplyResult {
  /** The object to store (or create), its metadata.managedFields already set. */
  object: KubeObject;
  managedFields: ManagedFieldsEntry[] | undefined;
}

interface Conflict {
  manager: string;
  path: Path;
}

class ConflictsError extends Error {
  constructor(readonly conflicts: Conflict[]) {
    super('apply conflicts');
  }
}

/** Applies `opts.applied` to `opts.live`; throws a StatusError (400, 409 Conflict, 500) as kube-apiserver does. */
export function applyConfiguration(opts: ApplyOptions): ApplyResult {
  const config = opts.applied;
  if (!isMap(config)) throw errors.badRequest('error decoding YAML: the apply configuration must be an object');
  checkKind(config, opts);
  if (isMap(config.metadata) && Array.isArray(config.metadata.managedFields)) {
    throw errors.badRequest('metadata.managedFields must be nil');
  }
  const type = objectType(opts.definition);
  const typeErrors = { errors: [] as string[] };
  toFieldSet(config, type, typeErrors);
  if (typeErrors.errors.length > 0) {
    // kube passes this on as a 500; it is the configuration's fault, so kubelite answers 400 (issue 16).
    throw errors.badRequest(`failed to create typed patch object (${objectGVKNN(config, opts)}): ${renderErrors(typeErrors.errors)}`);
  }

  let managed: Managed;
  try {
    managed = decodeManagedFields(opts.live?.metadata?.managedFields);
  } catch (err) {
    throw new StatusError(500, '', `failed to decode managed fields: ${(err as Error).message}`);
  }
  const time = formatTime(opts.time);
  const live = stripManagedFields(opts.live);
  // skipNonAppliedManager: fields set before anyone applied belong to `before-first-apply`.
  if (managed.fields.size === 0 && live) {
    const id = managerIdentifier({ manager: beforeFirstApplyManager, operation: 'Update', apiVersion: opts.apiVersion, subresource: opts.subresource });
    recordUpdate(managed, { live: zeroObject(opts.definition), next: live, id, apiVersion: opts.apiVersion, time, type, resetFields: opts.resetFields });
    capUpdateManagers(managed);
  }

  const run = (force: boolean) => {
    const copy: Managed = { fields: new Map(managed.fields), times: new Map(managed.times) };
    const object = applyWithManaged(live ?? {}, config, copy, { ...opts, type, time }, force);
    return { object, managed: copy };
  };
  let result: { object: Record<string, unknown>; managed: Managed };
  try {
    result = run(!!opts.force);
  } catch (err) {
    if (!(err instanceof ConflictsError)) throw err;
    let remaining = err.conflicts;
    if (opts.manager === kubectlManager && live) {
      const allowed = conflictsAllowedByLastApplied(live, type, opts.apiVersion);
      if (allowed) remaining = remaining.filter((c) => !allowed.has(c.path));
    }
    if (remaining.length > 0) throw conflictError(remaining);
    result = run(true);
  }

  const object = result.object as KubeObject;
  if (opts.manager === kubectlManager) syncLastApplied(object, config);
  const managedFields = encodeManagedFields(result.managed);
  object.metadata ??= {};
  if (managedFields) object.metadata.managedFields = managedFields;
  else delete object.metadata.managedFields;
  return { object, managedFields };
}

/** versionCheckManager: the body must be of the endpoint's group, version and kind. */
function checkKind(config: Record<string, unknown>, opts: ApplyOptions): void {
  const apiVersion = typeof config.apiVersion === 'string' ? config.apiVersion : '';
  const kind = typeof config.kind === 'string' ? config.kind : '';
  if (apiVersion !== opts.apiVersion || kind !== opts.kind) {
    throw errors.badRequest(`invalid object type: ${gvkString(apiVersion, kind)}`);
  }
}

/** schema.GroupVersionKind's String(): `apps/v1, Kind=Deployment`, `/v1, Kind=Pod`. */
function gvkString(apiVersion: string, kind: string): string {
  const parts = apiVersion.split('/');
  const [group, version] = parts.length === 1 ? ['', parts[0]] : parts.length === 2 ? parts : ['', ''];
  return `${group}/${version}, Kind=${kind}`;
}

function objectGVKNN(config: Record<string, unknown>, opts: ApplyOptions): string {
  const meta = isMap(config.metadata) ? config.metadata : {};
  const ns = typeof meta.namespace === 'string' ? meta.namespace : '';
  const name = typeof meta.name === 'string' ? meta.name : '';
  return `${ns}/${name}; ${gvkString(opts.apiVersion, opts.kind)}`;
}

/** ValidationErrors.Error(): one error as is, several under `errors:`. */
function renderErrors(errs: string[]): string {
  return errs.length === 1 ? errs[0] : ['errors:', ...errs.map((e) => `  ${e}`)].join('\n');
}

function stripManagedFields(obj: KubeObject | undefined): Record<string, unknown> | undefined {
  if (!obj) return undefined;
  const copy = JSON.parse(JSON.stringify(obj)) as KubeObject;
  if (copy.metadata) delete copy.metadata.managedFields;
  return copy;
}

interface ApplyContext extends ApplyOptions {
  type: SchemaType;
  time: string;
}

/** Updater.Apply (+ stripMeta and the time of managedFieldsUpdater); mutates `managed`. */
function applyWithManaged(live: Record<string, unknown>, config: Record<string, unknown>, managed: Managed, ctx: ApplyContext, force: boolean): Record<string, unknown> {
  const id = managerIdentifier({ manager: ctx.manager, operation: 'Apply', subresource: ctx.subresource });
  let merged = (merge(live, config, ctx.type) ?? {}) as Record<string, unknown>;
  const lastSet = managed.fields.get(id)?.set;
  let set = toFieldSet(config, ctx.type);
  if (ctx.resetFields) set = set.recursiveDifference(ctx.resetFields);
  managed.fields.set(id, { set, apiVersion: ctx.apiVersion, applied: true });
  merged = prune(merged, managed, lastSet, ctx.type);
  takeOwnership(live, merged, managed, id, ctx.type, force);
  stripManagedSet(managed, id);
  managed.times.set(id, ctx.time);
  return merged;
}

/**
 * Removes what the applier owned last time and no longer applies, unless another manager
 * (or the new configuration) owns it; fields nobody owned stay (Updater.prune).
 */
function prune(merged: Record<string, unknown>, managed: Managed, lastSet: FieldSet | undefined, type: SchemaType): Record<string, unknown> {
  if (!lastSet || lastSet.isEmpty()) return merged;
  const ensure = (s: FieldSet) => ensureNamedFieldsAreMembers(s, type);
  const asObject = (v: unknown) => (v ?? {}) as Record<string, unknown>;
  let pruned = asObject(removeItems(merged, ensure(lastSet), type));
  // addBackOwnedItems
  let owned = new FieldSet();
  for (const vs of managed.fields.values()) owned = owned.union(vs.set);
  const mergedSet = ensure(toFieldSet(merged, type));
  pruned = asObject(removeItems(merged, mergedSet.difference(ensure(toFieldSet(pruned, type)).union(ensure(owned))), type));
  // addBackDanglingItems: only what the applier itself owned may go.
  const prunedSet = ensure(toFieldSet(pruned, type));
  return asObject(removeItems(merged, mergedSet.difference(prunedSet).intersection(ensure(lastSet)), type));
}

/**
 * Updater.update for an apply: other managers' fields that the apply changed are conflicts;
 * forced, they leave those managers, as do fields the apply removed.
 */
function takeOwnership(live: unknown, merged: unknown, managed: Managed, id: string, type: SchemaType, force: boolean): void {
  const c = compare(live, merged, type);
  const changed = c.modified.union(c.added);
  const conflicts: Conflict[] = [];
  const taken = new Map<string, FieldSet>();
  for (const [other, vs] of managed.fields) {
    if (other === id) continue;
    const conflictSet = vs.set.intersection(changed);
    if (!conflictSet.isEmpty()) {
      taken.set(other, conflictSet);
      for (const path of conflictSet.paths()) conflicts.push({ manager: other, path });
    }
  }
  if (!force && conflicts.length > 0) throw new ConflictsError(conflicts);
  for (const [other, vs] of managed.fields) {
    if (other === id) continue;
    const set = vs.set.difference(taken.get(other) ?? new FieldSet()).difference(c.removed);
    if (set.isEmpty()) managed.fields.delete(other);
    else managed.fields.set(other, { ...vs, set });
  }
}

/** The 409 kube-apiserver answers (NewConflictError): one cause per conflicting field. */
export function conflictError(conflicts: Conflict[]): StatusError {
  const sorted = [...conflicts].sort((a, b) => (a.manager < b.manager ? -1 : a.manager > b.manager ? 1 : 0));
  const causes: StatusCause[] = sorted.map((c) => ({
    reason: 'FieldManagerConflict', message: `conflict with ${printManager(c.manager)}`, field: pathString(c.path),
  }));
  let message: string;
  if (sorted.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(sorted[0].manager)}: ${pathString(sorted[0].path)}`;
  } else {
    const lines: string[] = [];
    let current: string | undefined;
    for (const c of sorted) {
      if (c.manager !== current) {
        lines.push(`conflicts with ${printManager(c.manager)}:`);
        current = c.manager;
      }
      lines.push(`- ${pathString(c.path)}`);
    }
    message = `Apply failed with ${sorted.length} conflicts: ${lines.join('\n')}`;
  }
  return new StatusError(409, 'Conflict', message, { causes });
}

/** printManager: `"name"`, plus ` with subresource "status"`, plus ` using apps/v1` for updaters. */
function printManager(id: string): string {
  let parsed: ReturnType<typeof parseIdentifier>;
  try {
    parsed = parseIdentifier(id);
  } catch {
    return JSON.stringify(id);
  }
  let out = JSON.stringify(parsed.manager ?? '');
  if (parsed.subresource) out += ` with subresource ${JSON.stringify(parsed.subresource)}`;
  if (parsed.operation === 'Update') out += ` using ${parsed.apiVersion ?? ''}`;
  return out;
}

// ---- client-side apply interplay (lastAppliedManager, lastAppliedUpdater) ----

/**
 * The fields the last-applied annotation records with the values the live object still has:
 * kubectl's server-side apply may take them from client-side apply's manager without force.
 */
function conflictsAllowedByLastApplied(live: Record<string, unknown>, type: SchemaType, apiVersion: string): FieldSet | undefined {
  const meta = isMap(live.metadata) ? live.metadata : {};
  const raw = isMap(meta.annotations) ? meta.annotations[lastAppliedAnnotation] : undefined;
  if (typeof raw !== 'string' || raw === '') return undefined;
  let lastApplied: unknown;
  try {
    lastApplied = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!isMap(lastApplied) || lastApplied.apiVersion !== apiVersion) return undefined;
  const typeErrors = { errors: [] as string[] };
  const set = toFieldSet(lastApplied, type, typeErrors);
  if (typeErrors.errors.length > 0) return undefined;
  const c = compare(lastApplied, live, type);
  return set.difference(c.modified).difference(c.added).difference(c.removed);
}

/** Keeps the last-applied annotation, when there is one, in step with kubectl's server-side applies. */
function syncLastApplied(object: KubeObject, config: Record<string, unknown>): void {
  const annotations = object.metadata?.annotations;
  if (!annotations || annotations[lastAppliedAnnotation] === undefined) return;
  const copy = JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
  if (isMap(copy.metadata) && isMap(copy.metadata.annotations)) delete copy.metadata.annotations[lastAppliedAnnotation];
  annotations[lastAppliedAnnotation] = `${goJson(copy)}\n`;
}
