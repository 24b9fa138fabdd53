// ObjectMeta and LabelSelector validation, as k8s.io/apimachinery/pkg/api/validation
// (ValidateObjectMeta, ValidateObjectMetaUpdate), pkg/apis/meta/v1/validation (labels, label
// selectors, managed fields) and the core API's finalizer-name rule. Field paths and messages
// are kube's; errors come out in kube's order (map entries in insertion order).
import { field, type FieldError } from '../../api/errors.ts';
import type { ManagedFieldsEntry, ObjectMeta, OwnerReference } from '../../api/types.ts';
import type { V1LabelSelector, V1LabelSelectorRequirement } from '../selectors/label-selector.ts';
import {
  isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue,
  isValidPathSegmentName, isValidPathSegmentPrefix,
} from './names.ts';

export type NameRule = 'subdomain' | 'label' | 'dns1035' | 'path-segment';

export interface ObjectMetaOptions {
  namespaced: boolean;
  /** NameIsDNSSubdomain (default for most kinds), NameIsDNSLabel, NameIsDNS1035Label, ValidatePathSegmentName. */
  nameRule: NameRule;
  /**
   * Custom resources skip the core API's rule that an unqualified finalizer must be one of
   * `kubernetes`, `orphan`, `foregroundDeletion` (CRDs use apimachinery's validation only).
   */
  customResource?: boolean;
}

export const totalAnnotationSizeLimitB = 256 * 1024;
const fieldImmutableErrorMsg = 'field is immutable';
const fieldManagerMaxLength = 128;
const maxSubresourceNameLength = 256;

// ---- names (ValidateNameFunc) ----

/** generic.go's maskTrailingDash: a generateName may end in '-', a suffix follows. */
function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? name.slice(0, -2) + 'a' : name;
}

export function validateName(rule: NameRule, name: string, prefix: boolean): string[] {
  if (rule === 'path-segment') return prefix ? isValidPathSegmentPrefix(name) : isValidPathSegmentName(name);
  const value = prefix ? maskTrailingDash(name) : name;
  if (rule === 'label') return isDNS1123Label(value);
  if (rule === 'dns1035') return isDNS1035Label(value);
  return isDNS1123Subdomain(value);
}

function nameErrors(meta: ObjectMeta, rule: NameRule): FieldError[] {
  const errs: FieldError[] = [];
  if (meta.generateName) {
    for (const msg of validateName(rule, meta.generateName, true)) errs.push(field.invalid('metadata.generateName', meta.generateName, msg));
  }
  if (!meta.name) {
    errs.push(field.required('metadata.name', 'name or generateName is required'));
  } else {
    for (const msg of validateName(rule, meta.name, false)) errs.push(field.invalid('metadata.name', meta.name, msg));
  }
  return errs;
}

function namespaceErrors(meta: ObjectMeta, namespaced: boolean): FieldError[] {
  if (!namespaced) return meta.namespace ? [field.forbidden('metadata.namespace', 'not allowed on this type')] : [];
  if (!meta.namespace) return [field.required('metadata.namespace', '')];
  return isDNS1123Label(meta.namespace).map((msg) => field.invalid('metadata.namespace', meta.namespace, msg));
}

// ---- labels and annotations ----

/** ValidateLabelName: a qualified name. */
export function validateLabelName(key: string, path: string): FieldError[] {
  return isQualifiedName(key).map((msg) => field.invalid(path, key, msg));
}

/** ValidateLabels: keys are qualified names, values label values; both reported at `path`. */
export function validateLabels(labels: Record<string, string> | null | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    errs.push(...validateLabelName(k, path));
    for (const msg of isValidLabelValue(String(v))) errs.push(field.invalid(path, v, msg));
  }
  return errs;
}

/** ValidateAnnotations: keys are qualified names in any case; keys and values ≤ 256 KiB in total. */
export function validateAnnotations(annotations: Record<string, string> | null | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let totalSize = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    for (const msg of isQualifiedName(k.toLowerCase())) errs.push(field.invalid(path, k, msg));
    totalSize += Buffer.byteLength(k) + Buffer.byteLength(String(v ?? ''));
  }
  if (totalSize > totalAnnotationSizeLimitB) errs.push(field.tooLong(path, '', totalAnnotationSizeLimitB));
  return errs;
}

// ---- ownerReferences, finalizers, managedFields ----

/** schema.FromAPIVersionAndKind's version: empty for "", "group/", or more than one '/'. */
function versionOf(apiVersion: string): string {
  const parts = apiVersion.split('/');
  if (parts.length === 1) return parts[0];
  return parts.length === 2 ? parts[1] : '';
}

function ownerReferenceErrors(ref: OwnerReference, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const apiVersion = ref.apiVersion ?? '';
  const version = versionOf(apiVersion);
  if (!version) errs.push(field.invalid(`${path}.apiVersion`, apiVersion, 'version must not be empty'));
  if (!ref.kind) errs.push(field.invalid(`${path}.kind`, ref.kind ?? '', 'kind must not be empty'));
  if (!ref.name) errs.push(field.invalid(`${path}.name`, ref.name ?? '', 'name must not be empty'));
  if (!ref.uid) errs.push(field.invalid(`${path}.uid`, ref.uid ?? '', 'uid must not be empty'));
  // BannedOwners: core/v1 Events may not own anything.
  if (apiVersion === 'v1' && ref.kind === 'Event') errs.push(field.invalid(path, ref, '/v1, Kind=Event is disallowed from being an owner'));
  return errs;
}

/** ValidateOwnerReferences: errors name the list (no index), as kube's do. */
export function validateOwnerReferences(refs: OwnerReference[] | null | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let firstController = '';
  for (const ref of refs ?? []) {
    errs.push(...ownerReferenceErrors(ref, path));
    if (ref.controller !== true) continue;
    const current = `${ref.kind}/${ref.name}`;
    if (!firstController) firstController = current;
    else errs.push(field.invalid(path, refs, `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`));
  }
  return errs;
}

const standardFinalizers = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

/** ValidateFinalizers: qualified names (reported on the list), not both orphan and foregroundDeletion. */
export function validateFinalizers(finalizers: string[] | null | undefined, path: string): FieldError[] {
  const list = finalizers ?? [];
  const errs = list.flatMap((f) => isQualifiedName(f).map((msg) => field.invalid(path, f, msg)));
  if (list.includes('orphan') && list.includes('foregroundDeletion')) {
    errs.push(field.invalid(path, list, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return errs;
}

/** The core API's validateKubeFinalizerName: an unqualified finalizer must be a standard one. */
function kubeFinalizerErrors(finalizers: string[] | null | undefined, path: string): FieldError[] {
  return (finalizers ?? []).flatMap((f, i) => (f.includes('/') || standardFinalizers.has(f)
    ? []
    : [field.invalid(`${path}[${i}]`, f, 'name is neither a standard finalizer name nor is it fully qualified')]));
}

/** ValidateManagedFields: operation, fieldsType, manager and subresource lengths. */
export function validateManagedFields(entries: ManagedFieldsEntry[] | null | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (entries ?? []).forEach((e, i) => {
    const p = `${path}[${i}]`;
    if (e.operation !== 'Apply' && e.operation !== 'Update') errs.push(field.invalid(`${p}.operation`, e.operation ?? '', 'must be `Apply` or `Update`'));
    if (e.fieldsType && e.fieldsType !== 'FieldsV1') errs.push(field.invalid(`${p}.fieldsType`, e.fieldsType, 'must be `FieldsV1`'));
    if (Buffer.byteLength(e.manager ?? '') > fieldManagerMaxLength) errs.push(field.tooLong(`${p}.manager`, '', fieldManagerMaxLength));
    if (Buffer.byteLength(e.subresource ?? '') > maxSubresourceNameLength) errs.push(field.tooLong(`${p}.subresource`, '', maxSubresourceNameLength));
  });
  return errs;
}

// ---- ObjectMeta ----

/**
 * ValidateObjectMeta on create (after generateName has produced a name), plus the core API's
 * finalizer-name rule for built-in kinds.
 */
export function validateObjectMeta(meta: ObjectMeta, opts: ObjectMetaOptions): FieldError[] {
  const errs = [
    ...nameErrors(meta, opts.nameRule),
    ...namespaceErrors(meta, opts.namespaced),
    ...(meta.generation !== undefined && meta.generation < 0
      ? [field.invalid('metadata.generation', meta.generation, 'must be greater than or equal to 0')] : []),
    ...validateLabels(meta.labels, 'metadata.labels'),
    ...validateAnnotations(meta.annotations, 'metadata.annotations'),
    ...validateOwnerReferences(meta.ownerReferences, 'metadata.ownerReferences'),
    ...validateFinalizers(meta.finalizers, 'metadata.finalizers'),
    ...validateManagedFields(meta.managedFields, 'metadata.managedFields'),
  ];
  if (!opts.customResource) errs.push(...kubeFinalizerErrors(meta.finalizers, 'metadata.finalizers'));
  return errs;
}

function immutable(path: string, value: unknown, old: unknown): FieldError[] {
  const same = (value ?? null) === (old ?? null);
  return same ? [] : [field.invalid(path, value ?? null, fieldImmutableErrorMsg)];
}

/** ValidateNoNewFinalizers: an object being deleted may lose finalizers but not gain any. */
function noNewFinalizers(meta: ObjectMeta, old: ObjectMeta): FieldError[] {
  if (!old.deletionTimestamp) return [];
  const before = new Set(old.finalizers ?? []);
  const added = [...new Set((meta.finalizers ?? []).filter((f) => !before.has(f)))].sort();
  if (added.length === 0) return [];
  const shown = `[]string{${added.map((f) => JSON.stringify(f)).join(', ')}}`;
  return [field.forbidden('metadata.finalizers', `no new finalizers can be added if the object is being deleted, found new finalizers ${shown}`)];
}

/**
 * The update-only half of ValidateObjectMetaUpdate: finalizers while deleting, generation, and
 * the immutable name, namespace, uid, creationTimestamp, deletionTimestamp and
 * deletionGracePeriodSeconds. The syntax checks kube repeats on update (labels, annotations,
 * ownerReferences, managedFields) are left to validateObjectMeta, which the generic store runs
 * on every update too; running both would report each problem twice. kube's "resourceVersion:
 * must be specified for an update" cannot fire here: the store has carried the stored version
 * over before validation, as kube-apiserver's store does for unconditional updates.
 */
export function validateObjectMetaUpdate(meta: ObjectMeta, old: ObjectMeta): FieldError[] {
  const errs = [...noNewFinalizers(meta, old)];
  if ((meta.generation ?? 0) < (old.generation ?? 0)) {
    errs.push(field.invalid('metadata.generation', meta.generation ?? 0, 'must not be decremented'));
  }
  errs.push(
    ...immutable('metadata.name', meta.name ?? '', old.name ?? ''),
    ...immutable('metadata.namespace', meta.namespace ?? '', old.namespace ?? ''),
    ...immutable('metadata.uid', meta.uid ?? '', old.uid ?? ''),
    ...immutable('metadata.creationTimestamp', meta.creationTimestamp, old.creationTimestamp),
    ...immutable('metadata.deletionTimestamp', meta.deletionTimestamp, old.deletionTimestamp),
    ...immutable('metadata.deletionGracePeriodSeconds', meta.deletionGracePeriodSeconds, old.deletionGracePeriodSeconds),
  );
  return errs;
}

// ---- spec.selector ----

function selectorRequirementErrors(req: V1LabelSelectorRequirement, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) errs.push(field.required(`${path}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) errs.push(field.forbidden(`${path}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    default:
      errs.push(field.invalid(`${path}.operator`, req.operator ?? '', 'not a valid selector operator'));
  }
  errs.push(...validateLabelName(req.key ?? '', `${path}.key`));
  values.forEach((v, i) => {
    for (const msg of isValidLabelValue(v)) errs.push(field.invalid(`${path}.values[${i}]`, v, msg));
  });
  return errs;
}

/** metav1 validation.ValidateLabelSelector (no options): matchLabels and each matchExpressions entry. */
export function validateLabelSelector(sel: V1LabelSelector | null | undefined, path: string): FieldError[] {
  if (!sel) return [];
  return [
    ...validateLabels(sel.matchLabels, `${path}.matchLabels`),
    ...(sel.matchExpressions ?? []).flatMap((expr, i) => selectorRequirementErrors(expr, `${path}.matchExpressions[${i}]`)),
  ];
}
