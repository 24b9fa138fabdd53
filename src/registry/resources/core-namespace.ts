// core/v1 Namespace: pkg/registry/core/namespace/strategy.go (phase Active and the
// "kubernetes" finalizer on create, kubernetes.io/metadata.name label) and its delete, which
// only marks the namespace while spec.finalizers remain (the namespace controller empties it).
import { field, type FieldError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/types.ts';
import { deepCopy } from '../object-meta.ts';
import { allVerbs, type ResourceDef } from '../types.ts';
import { ageColumn, column } from './core-columns.ts';
import { isQualifiedName } from './core-validation.ts';
import { arrayOf } from './podspec.ts';

export const namespaceNameLabel = 'kubernetes.io/metadata.name';

/** SetDefaults_Namespace and the strategy's Canonicalize: the name label always equals the name. */
function defaultNamespace(ns: KubeObject): void {
  const name = ns.metadata.name;
  if (name) ns.metadata.labels = { ...(ns.metadata.labels ?? {}), [namespaceNameLabel]: name };
}

function prepareForCreate(ns: KubeObject): void {
  ns.status = { phase: 'Active' };
  ns.spec ??= {};
  const finalizers = arrayOf(ns.spec.finalizers);
  ns.spec.finalizers = finalizers.includes('kubernetes') ? finalizers : [...finalizers, 'kubernetes'];
}

/**
 * spec.finalizers change only through /finalize in kube, which kubelite does not serve yet:
 * until it does, a namespace already being deleted may drop them with a plain update.
 */
function prepareForUpdate(ns: KubeObject, old: KubeObject): void {
  if (old.metadata.deletionTimestamp) return;
  ns.spec ??= {};
  if (old.spec?.finalizers === undefined) delete ns.spec.finalizers;
  else ns.spec.finalizers = deepCopy(old.spec.finalizers);
}

function validateNamespace(ns: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  arrayOf(ns.spec?.finalizers).forEach((f, i) => {
    const p = `spec.finalizers[${i}]`;
    const msgs = isQualifiedName(String(f));
    if (msgs.length) errs.push(...msgs.map((m) => field.invalid(p, f, m)));
    else if (f !== 'kubernetes' && !String(f).includes('/')) {
      errs.push(field.invalid(p, f, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  });
  return errs;
}

export const namespaceResource: ResourceDef = {
  group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', singular: 'namespace',
  shortNames: ['ns'], categories: [], namespaced: false, verbs: allVerbs, subresources: ['finalize', 'status'],
  schema: 'io.k8s.api.core.v1.Namespace',
  nameRule: 'label',
  columns: [
    column('Status', 'string', 'The status of the namespace', (o) => o.status?.phase ?? ''),
    ageColumn,
  ],
  selectableFields: { 'status.phase': (o) => o.status?.phase ?? '' },
  strategy: {
    defaults: defaultNamespace,
    prepareForCreate,
    prepareForUpdate,
    validate: validateNamespace,
    status: {
      // SetDefaults_NamespaceStatus applies to a decoded status update too.
      prepareForUpdate: (ns) => {
        if (!ns.status?.phase) ns.status = { ...(ns.status ?? {}), phase: 'Active' };
      },
    },
    gracefulDelete: (ns) => ({ graceful: arrayOf(ns.spec?.finalizers).length > 0 }),
    // As kube's namespace REST Delete: the phase turns Terminating, and the namespace stays
    // until its spec.finalizers are emptied (by the namespace controller).
    markDeleting: (ns) => {
      ns.status = { ...(ns.status ?? {}), phase: 'Terminating' };
    },
    holdsDeletion: (ns) => arrayOf(ns.spec?.finalizers).length > 0,
  },
};
