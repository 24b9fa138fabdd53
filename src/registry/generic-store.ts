// One store implements every write verb for every resource through a fixed pipeline, as
// k8s.io/apiserver's registry.Store does: decode → system metadata → generateName →
// namespace → prepare → validate → storage. Resources differ only by their ResourceDef.
import { errors, field, isStatusError, type FieldError } from '../api/errors.ts';
import { applyConfiguration, ignoreManagedFieldsTimestamps, managerFromUserAgent, resetFieldsFor, updateManagedFields } from './apply/index.ts';
import { groupVersion } from './types.ts';
import type { KubeObject } from '../api/types.ts';
import type { Storage, StoredObject } from '../storage/interface.ts';
import { isStorageError } from '../storage/interface.ts';
import { objectKey } from './catalog.ts';
import { decodeBody } from './decode.ts';
import { deepCopy, fillSystemFields, generateName, jsonEqual } from './object-meta.ts';
import { applyPatch, carryAppliedLiterals, patchedNumberLiterals, type PatchType } from './patch.ts';
import { fromScale, toScale } from './scale.ts';
import type { ResourceDef, StoreHooks, WriteTransaction } from './types.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './validation/metadata.ts';
import { requiredFieldErrors, type FieldValidationMode } from './validation/schema.ts';
import type { AdmissionChain } from './admission-chain.ts';
import { admissionAttributes } from './admission-attributes.ts';
import type { UserInfo } from '../api/authorization.ts';

export interface WriteOptions {
  dryRun?: boolean;
  fieldValidation?: FieldValidationMode;
  fieldManager?: string;
  /** Names the manager of managedFields entries when no fieldManager is given, as kube does. */
  userAgent?: string;
  /** Server-side apply: take ownership of conflicting fields. */
  force?: boolean;
  /** Who writes, for admission (the apiserver's loopback user when absent). */
  user?: UserInfo;
  /**
   * The body is an object the server built itself (its bootstrap objects), as kube's in-process
   * callers hand over typed objects: it is not decoded against the schema, which spares
   * compiling a validator per kind at start-up. Admission, validation and managedFields still run.
   */
  serverBuilt?: boolean;
}

export interface WriteResult {
  object: KubeObject;
  /** The stored JSON, when the result is a stored version (saves a serialisation). */
  json?: string;
  warnings: string[];
  created?: boolean;
}

export interface DeleteRequest {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
  /** Who deletes, for admission (the apiserver's loopback user when absent). */
  user?: UserInfo;
}

export interface DeleteResult {
  object: KubeObject;
  /** True when the object is gone; false when it was only marked (finalizers, graceful delete). */
  deleted: boolean;
}

export class GenericStore {
  constructor(
    readonly def: ResourceDef,
    private readonly storage: Storage,
    private readonly admission: AdmissionChain,
    private readonly hooks: StoreHooks = {},
  ) {}

  get gr() {
    return { group: this.def.group, resource: this.def.plural };
  }

  key(namespace: string | undefined, name: string): string {
    return objectKey(this.def, namespace, name);
  }

  async get(namespace: string | undefined, name: string): Promise<StoredObject> {
    const found = await this.storage.get(this.key(namespace, name));
    if (!found) throw errors.notFound(this.gr, name);
    return found;
  }

  // ---- create ----

  async create(namespace: string | undefined, body: unknown, opts: WriteOptions = {}): Promise<WriteResult> {
    const { object: obj, warnings } = opts.serverBuilt ? { object: body as KubeObject, warnings: [] } : decodeBody(this.def, body, { mode: opts.fieldValidation ?? 'Warn' });
    return this.createObject(namespace, obj, warnings, opts, true);
  }

  private async createObject(namespace: string | undefined, obj: KubeObject, warnings: string[], opts: WriteOptions,
    trackUpdate: boolean): Promise<WriteResult> {
    this.checkNamespaceOfBody(obj, namespace);
    if (obj.metadata.resourceVersion) {
      throw errors.badRequest('resourceVersion should not be set on objects to be created');
    }
    // Mutating admission sees the decoded, defaulted object before PrepareForCreate and name
    // generation, as in kube's create handler.
    this.def.strategy.defaults?.(obj);
    // The request's manager owns what it sent and its defaults, not what mutating admission or
    // PrepareForCreate add: kube's create handler updates managedFields before either runs.
    if (trackUpdate) this.trackManagedFields(undefined, obj, opts);
    const attrs = admissionAttributes({ operation: 'CREATE', def: this.def, object: obj, opts, warnings });
    await this.admission.admit(attrs);
    this.beforeCreate(obj, opts);
    const txn = await this.hooks.beginCreate?.(obj, { dryRun: !!opts.dryRun });
    try {
      const result = await this.validateAndStore(obj, warnings, opts, () => this.admission.validate(attrs));
      txn?.commit();
      return result;
    } catch (err) {
      txn?.revert();
      throw err;
    }
  }

  private async validateAndStore(obj: KubeObject, warnings: string[], opts: WriteOptions, validateAdmission: () => Promise<void>): Promise<WriteResult> {
    this.validateOrThrow(obj, this.validateCreate(obj));
    await validateAdmission();
    warnings.push(...(this.def.strategy.warnings?.(obj) ?? []));
    if (opts.dryRun) return { object: obj, warnings };
    try {
      const stored = await this.storage.create(this.key(obj.metadata.namespace, obj.metadata.name!), obj);
      return { object: stored.object, json: stored.json, warnings, created: true };
    } catch (err) {
      if (isStorageError(err, 'KeyExists')) throw errors.alreadyExists(this.gr, obj.metadata.name!);
      throw err;
    }
  }

  private beforeCreate(obj: KubeObject, opts: WriteOptions): void {
    const meta = obj.metadata;
    fillSystemFields(obj);
    dropEmptyMetadataLists(obj);
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    if (!meta.name && meta.generateName) meta.name = generateName(meta.generateName);
    this.def.strategy.defaults?.(obj);
    this.def.strategy.prepareForCreate?.(obj, { user: opts.user });
    if (this.def.strategy.bumpsGeneration) meta.generation = 1;
    else delete meta.generation;
  }

  private managerOf(opts: WriteOptions): string {
    return opts.fieldManager || managerFromUserAgent(opts.userAgent);
  }

  private resetFields(subresource?: string) {
    return resetFieldsFor({ definition: this.def.schema, subresource, hasStatusSubresource: this.def.subresources.includes('status') });
  }

  /** metadata.managedFields after an Update operation by this request's manager (kube's field manager). */
  private trackManagedFields(old: KubeObject | undefined, obj: KubeObject, opts: WriteOptions, subresource?: string): void {
    const managedFields = updateManagedFields({
      old, next: obj, manager: this.managerOf(opts), operation: 'Update', apiVersion: groupVersion(this.def),
      subresource, time: new Date(), definition: this.def.schema, resetFields: this.resetFields(subresource),
    });
    if (managedFields) obj.metadata.managedFields = managedFields;
    else delete obj.metadata.managedFields;
  }

  private validateCreate(obj: KubeObject): FieldError[] {
    return [
      ...validateObjectMeta(obj.metadata, { namespaced: this.def.namespaced, nameRule: this.def.nameRule ?? 'subdomain' }),
      ...requiredFieldErrors(this.def.schema, obj).filter((e) => !this.def.nullableFields?.includes(e.field)),
      ...(this.def.strategy.validate?.(obj) ?? []),
    ];
  }

  // ---- update, patch (main resource and subresources) ----

  async update(namespace: string | undefined, name: string, body: unknown, opts: WriteOptions & { subresource?: string } = {}): Promise<WriteResult> {
    const decoded = opts.serverBuilt ? { object: body as KubeObject, warnings: [] } : decodeBody(this.def, body, { mode: opts.fieldValidation ?? 'Warn', subresource: opts.subresource });
    const incoming = decoded.object;
    if (incoming.metadata.name && incoming.metadata.name !== name) {
      throw errors.badRequest(`the name of the object (${incoming.metadata.name}) does not match the name on the URL (${name})`);
    }
    incoming.metadata.name = name;
    this.checkNamespaceOfBody(incoming, namespace);
    const result = await this.guaranteedUpdate(namespace, name, opts, (current) => {
      const desired = opts.subresource === 'scale' ? fromScale(this.def, current, incoming) : deepCopy(incoming);
      return desired;
    }, opts.subresource);
    result.warnings.unshift(...decoded.warnings);
    return result;
  }

  async patch(namespace: string | undefined, name: string, type: PatchType, patch: unknown, opts: WriteOptions & { subresource?: string } = {}): Promise<WriteResult> {
    const warnings: string[] = [];
    const result = await this.guaranteedUpdate(namespace, name, opts, (current) => {
      const base = opts.subresource === 'scale' ? toScale(this.def, current.object) : current.object;
      const definition = opts.subresource === 'scale' ? 'io.k8s.api.autoscaling.v1.Scale' : this.def.schema;
      const patched = applyPatch(type, deepCopy(base), patch, definition, opts.fieldValidation);
      // A patch may not move the object: name and namespace come from the URL.
      // kube reports a patched object it cannot decode against the patch (see patch-errors.ts).
      const context = type === 'strategic' ? { type, patch } : {
        type: type as 'json' | 'merge', patch, patchedJson: JSON.stringify(patched),
        numbers: patchedNumberLiterals(type as 'json' | 'merge', patch, patched),
      };
      const decoded = opts.serverBuilt ? { object: patched as KubeObject, warnings: [] } : decodeBody(this.def, patched, { mode: opts.fieldValidation ?? 'Warn', subresource: opts.subresource, patch: context });
      warnings.splice(0, warnings.length, ...decoded.warnings);
      const obj = decoded.object;
      if (obj.metadata.name !== undefined && obj.metadata.name !== name) {
        throw errors.badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
      }
      obj.metadata.name = name;
      if (this.def.namespaced) obj.metadata.namespace = namespace;
      return opts.subresource === 'scale' ? fromScale(this.def, current, obj) : obj;
    }, opts.subresource);
    result.warnings.unshift(...warnings);
    return result;
  }

  /** Server-side apply (application/apply-patch+yaml): merge by ownership, create when missing. */
  async apply(namespace: string | undefined, name: string, applied: unknown, opts: WriteOptions & { subresource?: string } = {}): Promise<WriteResult> {
    if (!opts.fieldManager) {
      throw errors.invalid('PatchOptions', 'meta.k8s.io', '', [field.required('fieldManager', 'is required for apply patch')]);
    }
    const applyWith = (live: KubeObject | undefined) => {
      const res = applyConfiguration({
        live, applied, manager: opts.fieldManager!, force: opts.force, apiVersion: groupVersion(this.def), kind: this.def.kind,
        definition: this.def.schema, subresource: opts.subresource, time: new Date(), resetFields: this.resetFields(opts.subresource),
      });
      carryAppliedLiterals(applied, res.object);
      const decoded = decodeBody(this.def, res.object, { mode: opts.fieldValidation ?? 'Warn' });
      const obj = decoded.object;
      if (obj.metadata.name !== undefined && obj.metadata.name !== name) {
        throw errors.badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
      }
      obj.metadata.name = name;
      if (res.managedFields) obj.metadata.managedFields = res.managedFields;
      else delete obj.metadata.managedFields;
      return decoded;
    };
    const warnings: string[] = [];
    try {
      const result = await this.guaranteedUpdate(namespace, name, opts, (current) => {
        const decoded = applyWith(current.object);
        warnings.splice(0, warnings.length, ...decoded.warnings);
        return decoded.object;
      }, opts.subresource, false);
      result.warnings.unshift(...warnings);
      return result;
    } catch (err) {
      if (!isStatusError(err, 'NotFound') || opts.subresource) throw err;
      const decoded = applyWith(undefined);
      return this.createObject(namespace, decoded.object, decoded.warnings, opts, false);
    }
  }

  /**
   * The shared update pipeline: `desiredFrom(current)` yields what the client wants; system
   * fields are carried over, the strategy prepares and validates, and the write is a
   * compare-and-swap on the version the client saw (its resourceVersion, when given).
   */
  private async guaranteedUpdate(
    namespace: string | undefined,
    name: string,
    opts: WriteOptions,
    desiredFrom: (current: StoredObject) => KubeObject,
    subresource?: string,
    trackUpdate = true,
  ): Promise<WriteResult> {
    const key = this.key(namespace, name);
    const warnings: string[] = [];
    let dryRunResult: KubeObject | undefined;
    let deleteNow = false;
    let txn: WriteTransaction | undefined;
    const tryUpdate = async (current: StoredObject): Promise<KubeObject> => {
      const old = current.object;
      let obj = desiredFrom(current);
      const rv = obj.metadata.resourceVersion;
      if (rv && rv !== old.metadata.resourceVersion) throw errors.optimisticLock(this.gr, name);
      // Mutating admission sees the defaulted object before PrepareForUpdate, as kube's update handler.
      if (!subresource) this.def.strategy.defaults?.(obj);
      // As on create: managedFields first (kube's update and patch handlers run the field
      // manager before mutating admission), so admission's changes stay unowned.
      if (trackUpdate) this.trackManagedFields(old, obj, opts, subresource);
      const admissionWarnings: string[] = [];
      const attrs = admissionAttributes({ operation: 'UPDATE', def: this.def, object: obj, oldObject: old, subresource, opts, warnings: admissionWarnings });
      await this.admission.admit(attrs);
      this.prepareUpdate(obj, old, subresource);
      obj = ignoreManagedFieldsTimestamps(obj, old);
      if (!subresource && this.hooks.beginUpdate) {
        txn?.revert(); // a retry after a concurrent write: undo the previous attempt first
        txn = await this.hooks.beginUpdate(obj, old, { dryRun: !!opts.dryRun });
      }
      this.validateOrThrow(obj, this.validateUpdate(obj, old, subresource));
      attrs.object = obj;
      await this.admission.validate(attrs);
      warnings.splice(0, warnings.length, ...admissionWarnings, ...(this.def.strategy.warnings?.(obj, old) ?? []));
      // Removing the last finalizer of an object being deleted completes its deletion.
      deleteNow = !!obj.metadata.deletionTimestamp && !(obj.metadata.finalizers?.length) && !this.isGracefulPending(obj);
      if (opts.dryRun) {
        dryRunResult = obj;
        return old; // a no-op for storage
      }
      return obj;
    };
    let stored: StoredObject;
    try {
      stored = await this.storage.guaranteedUpdate(key, tryUpdate);
      txn?.commit();
    } catch (err) {
      txn?.revert();
      if (isStorageError(err, 'NotFound')) throw errors.notFound(this.gr, name);
      throw err;
    }
    if (dryRunResult) return { object: subresource === 'scale' ? toScale(this.def, dryRunResult) : dryRunResult, warnings };
    if (deleteNow) {
      const gone = await this.removeFromStorage(key, name, stored);
      return { object: gone.object, json: gone.json, warnings };
    }
    if (subresource === 'scale') return { object: toScale(this.def, stored.object), warnings };
    return { object: stored.object, json: stored.json, warnings };
  }

  private prepareUpdate(obj: KubeObject, old: KubeObject, subresource?: string): void {
    const strategy = this.def.strategy;
    const meta = obj.metadata;
    const oldMeta = old.metadata;
    // Use the existing UID if none is provided; a different one fails validation as immutable
    // (kube's BeforeUpdate): the garbage collector's patches rely on it as a precondition.
    if (!meta.uid) meta.uid = oldMeta.uid;
    dropEmptyMetadataLists(obj);
    meta.creationTimestamp = oldMeta.creationTimestamp;
    meta.deletionTimestamp = oldMeta.deletionTimestamp;
    meta.deletionGracePeriodSeconds = oldMeta.deletionGracePeriodSeconds;
    if (oldMeta.deletionTimestamp === undefined) delete meta.deletionTimestamp;
    if (oldMeta.deletionGracePeriodSeconds === undefined) delete meta.deletionGracePeriodSeconds;
    meta.resourceVersion = oldMeta.resourceVersion;
    if (subresource === 'finalize') {
      // Only spec.finalizers change through /finalize (kube's namespace finalize REST).
      const finalizers = obj.spec?.finalizers;
      const next = deepCopy(old);
      next.spec = { ...(next.spec ?? {}) };
      if (finalizers === undefined) delete next.spec.finalizers;
      else next.spec.finalizers = finalizers;
      Object.keys(obj).forEach((k) => delete obj[k]);
      Object.assign(obj, next);
      return;
    }
    if (subresource === 'ephemeralcontainers' && strategy.ephemeralContainers) {
      const next = strategy.ephemeralContainers.prepareForUpdate(obj, old);
      Object.keys(obj).forEach((k) => delete obj[k]);
      Object.assign(obj, next);
      strategy.defaults?.(obj);
      return;
    }
    if (subresource === 'status' || subresource === 'approval') {
      // Only status changes through /status (ResetObjectMetaForStatus + the kinds' status
      // strategies); /approval (CSRs) narrows that further in its own strategy.
      const status = obj.status;
      const next = deepCopy(old);
      next.status = status;
      if (meta.managedFields) next.metadata.managedFields = meta.managedFields;
      Object.keys(obj).forEach((k) => delete obj[k]);
      Object.assign(obj, next);
      strategy[subresource]?.prepareForUpdate?.(obj, old, meta);
      return;
    }
    if (this.def.subresources.includes('status')) {
      if (old.status === undefined) delete obj.status;
      else obj.status = deepCopy(old.status);
    }
    strategy.defaults?.(obj);
    strategy.prepareForUpdate?.(obj, old);
    if (strategy.bumpsGeneration) {
      const gen = oldMeta.generation ?? 1;
      meta.generation = strategy.bumpsGeneration(obj, old) ? gen + 1 : gen;
    } else {
      delete meta.generation;
    }
  }

  private validateUpdate(obj: KubeObject, old: KubeObject, subresource?: string): FieldError[] {
    const metaErrors = validateObjectMetaUpdate(obj.metadata, old.metadata);
    if (subresource === 'status' || subresource === 'approval') {
      return [...metaErrors, ...(this.def.strategy[subresource]?.validateUpdate?.(obj, old) ?? [])];
    }
    if (subresource === 'finalize') return [...metaErrors, ...(this.def.strategy.validate?.(obj) ?? [])];
    if (subresource === 'ephemeralcontainers') {
      return [...metaErrors, ...(this.def.strategy.ephemeralContainers?.validateUpdate(obj, old) ?? [])];
    }
    return [
      ...this.validateCreate(obj),
      ...metaErrors,
      ...(this.def.strategy.validateUpdate?.(obj, old) ?? []),
    ];
  }

  // ---- delete ----

  async delete(namespace: string | undefined, name: string, req: DeleteRequest = {}): Promise<DeleteResult> {
    const key = this.key(namespace, name);
    const current = await this.storage.get(key);
    if (!current) throw errors.notFound(this.gr, name);
    const attrs = admissionAttributes({ operation: 'DELETE', def: this.def, name, namespace, oldObject: current.object, deleteRequest: req });
    await this.admission.admit(attrs);
    await this.admission.validate(attrs);
    this.checkPreconditions(current.object, name, req.preconditions);
    const graceful = this.def.strategy.gracefulDelete?.(current.object, req.gracePeriodSeconds) ?? { graceful: false };
    const finalizers = this.finalizersAfterDelete(current.object, req);
    const mustWait = graceful.graceful || finalizers.length > 0;
    if (req.dryRun) {
      return { object: mustWait ? this.markDeleting(deepCopy(current.object), finalizers, graceful.gracePeriodSeconds) : current.object, deleted: !mustWait };
    }
    if (!mustWait) {
      const gone = await this.removeFromStorage(key, name, current, req.preconditions);
      return { object: gone.object, deleted: true };
    }
    // The finalizers are worked out again from the version being replaced, as kube's
    // updateForGracefulDeletionAndFinalizers does inside GuaranteedUpdate: a finalizer removed
    // since `current` was read (a Job controller dropping its tracking finalizer while a
    // kubelet deletes the pod) must stay removed, and with none left the object goes now.
    let deleteNow = false;
    const stored = await this.storage.guaranteedUpdate(key, (cur) => {
      this.checkPreconditions(cur.object, name, req.preconditions);
      const latestFinalizers = this.finalizersAfterDelete(cur.object, req);
      deleteNow = !graceful.graceful && latestFinalizers.length === 0;
      if (deleteNow) return cur.object;
      const obj = deepCopy(cur.object);
      // Nothing to change unless the finalizers differ or a shorter grace period comes (a
      // kubelet's grace-0 delete of a pod held by a finalizer must still shorten it).
      const shortens = graceful.gracePeriodSeconds !== undefined && graceful.gracePeriodSeconds < (cur.object.metadata.deletionGracePeriodSeconds ?? 0);
      if (cur.object.metadata.deletionTimestamp && jsonEqual(cur.object.metadata.finalizers ?? [], latestFinalizers) && !shortens) return cur.object;
      return this.markDeleting(obj, latestFinalizers, graceful.gracePeriodSeconds);
    }, { cachedExisting: current }).catch((err) => {
      if (isStorageError(err, 'NotFound')) throw errors.notFound(this.gr, name);
      throw err;
    });
    if (deleteNow) {
      const gone = await this.removeFromStorage(key, name, stored, req.preconditions);
      return { object: gone.object, deleted: true };
    }
    return { object: stored.object, deleted: false };
  }

  async removeFromStorage(key: string, name: string, cachedExisting?: StoredObject, preconditions?: DeleteRequest['preconditions']): Promise<StoredObject> {
    let gone: StoredObject;
    try {
      gone = await this.storage.delete(key, {
        cachedExisting,
        precondition: (cur) => this.checkPreconditions(cur.object, name, preconditions),
      });
    } catch (err) {
      if (isStorageError(err, 'NotFound')) throw errors.notFound(this.gr, name);
      throw err;
    }
    await this.hooks.afterDelete?.(gone.object);
    return gone;
  }

  private markDeleting(obj: KubeObject, finalizers: string[], gracePeriodSeconds?: number): KubeObject {
    const meta = obj.metadata;
    if (!meta.deletionTimestamp) {
      const grace = gracePeriodSeconds ?? 0;
      meta.deletionTimestamp = new Date(Math.floor(Date.now() / 1000) * 1000 + grace * 1000).toISOString().replace('.000Z', 'Z');
      meta.deletionGracePeriodSeconds = grace;
    } else if (gracePeriodSeconds !== undefined && gracePeriodSeconds < (meta.deletionGracePeriodSeconds ?? 0)) {
      // A shorter grace period replaces a longer one, as kube's BeforeDelete allows.
      meta.deletionTimestamp = new Date(Math.floor(Date.now() / 1000) * 1000 + gracePeriodSeconds * 1000).toISOString().replace('.000Z', 'Z');
      meta.deletionGracePeriodSeconds = gracePeriodSeconds;
    }
    if (finalizers.length) meta.finalizers = finalizers;
    else delete meta.finalizers;
    this.def.strategy.markDeleting?.(obj);
    return obj;
  }

  /**
   * The object's finalizers once the request's propagation policy is applied (kube's
   * deletionFinalizersForGarbageCollection): an explicit policy wins, then an `orphan` or
   * `foregroundDeletion` finalizer already present, then the resource's default policy
   * (OrphanDependents for core/v1 ReplicationControllers and batch/v1 Jobs; none for events).
   */
  private finalizersAfterDelete(obj: KubeObject, req: DeleteRequest): string[] {
    const existing = obj.metadata.finalizers ?? [];
    const gcPolicy = this.def.defaultGarbageCollectionPolicy ?? 'DeleteDependents';
    const others = existing.filter((f) => f !== 'orphan' && f !== 'foregroundDeletion');
    if (gcPolicy === 'Unsupported') return others;
    let policy = req.propagationPolicy;
    if (!policy && req.orphanDependents !== undefined) policy = req.orphanDependents ? 'Orphan' : 'Background';
    if (policy === undefined) {
      if (existing.includes('orphan') || existing.includes('foregroundDeletion')) return existing;
      if (gcPolicy === 'OrphanDependents') policy = 'Orphan';
    }
    if (policy === 'Orphan') others.push('orphan');
    if (policy === 'Foreground') others.push('foregroundDeletion');
    return others;
  }

  private isGracefulPending(obj: KubeObject): boolean {
    return this.def.strategy.holdsDeletion?.(obj) ?? false;
  }

  private checkPreconditions(obj: KubeObject, name: string, pre?: DeleteRequest['preconditions']): void {
    if (pre?.uid && pre.uid !== obj.metadata.uid) {
      throw errors.conflict(this.gr, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid}`);
    }
    if (pre?.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion) {
      throw errors.conflict(this.gr, name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion}`);
    }
  }

  // ---- shared checks ----

  private checkNamespaceOfBody(obj: KubeObject, namespace: string | undefined): void {
    if (!this.def.namespaced) {
      delete obj.metadata.namespace;
      return;
    }
    if (obj.metadata.namespace && obj.metadata.namespace !== namespace) {
      throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    obj.metadata.namespace = namespace;
  }

  private validateOrThrow(obj: KubeObject, fieldErrors: FieldError[]): void {
    if (fieldErrors.length === 0) return;
    const name = obj.metadata.name ?? obj.metadata.generateName ?? '';
    throw errors.invalid(this.def.kind, this.def.group, name, fieldErrors);
  }
}

/**
 * ObjectMeta's ownerReferences and finalizers are `omitempty`: an empty list (e.g. after the
 * garbage collector's patch removed the last reference) is stored and served as absent, as
 * kube-apiserver's Go types serialize it.
 */
function dropEmptyMetadataLists(obj: KubeObject): void {
  if (obj.metadata.ownerReferences?.length === 0) delete obj.metadata.ownerReferences;
  if (obj.metadata.finalizers?.length === 0) delete obj.metadata.finalizers;
}
