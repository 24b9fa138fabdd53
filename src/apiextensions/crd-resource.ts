// customresourcedefinitions.apiextensions.k8s.io/v1: the table row and strategy, as
// apiextensions-apiserver's registry/customresourcedefinition (defaults, status on create,
// storedVersions, generation on spec changes, the cleanup finalizer added on DELETE).
import type { KubeObject } from '../api/types.ts';
import { jsonEqual } from '../registry/object-meta.ts';
import { allVerbs, type ResourceDef } from '../registry/types.ts';
import { validateCRD, validateCRDUpdate } from './crd-validation.ts';
import { cleanupFinalizer, crdDefinition, crdGroup, setCondition, storageVersionOf, type CustomResourceDefinition } from './types.ts';

const asCRD = (obj: KubeObject) => obj as CustomResourceDefinition;

/** SetDefaults_CustomResourceDefinition (v1): singular, listKind and conversion. */
function defaults(obj: KubeObject): void {
  const crd = asCRD(obj);
  const spec = crd.spec;
  if (!spec || typeof spec !== 'object') return;
  if (spec.names && typeof spec.names === 'object') {
    if (!spec.names.singular && spec.names.kind) spec.names.singular = spec.names.kind.toLowerCase();
    if (!spec.names.listKind && spec.names.kind) spec.names.listKind = `${spec.names.kind}List`;
  }
  spec.conversion ??= { strategy: 'None' };
}

/** The storage version joins status.storedVersions, as the CRD strategy keeps it. */
function recordStoredVersion(crd: CustomResourceDefinition): void {
  const storage = storageVersionOf(crd);
  if (!storage) return;
  crd.status ??= {};
  const stored = (crd.status.storedVersions ??= []);
  if (!stored.includes(storage)) stored.push(storage);
}

export const crdResource: ResourceDef = {
  group: crdGroup,
  version: 'v1',
  kind: 'CustomResourceDefinition',
  plural: 'customresourcedefinitions',
  singular: 'customresourcedefinition',
  shortNames: ['crd', 'crds'],
  categories: ['api-extensions'],
  namespaced: false,
  verbs: allVerbs,
  subresources: ['status'],
  schema: crdDefinition,
  // The default table convertor: Name and Created At.
  columns: [{
    name: 'Created At', type: 'date', description: 'CreationTimestamp is a timestamp representing the server time when this object was created. ' +
      'It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. ' +
      'It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. ' +
      'More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
    priority: 0,
    cell: (obj) => obj.metadata.creationTimestamp ?? null,
  }],
  strategy: {
    defaults,
    prepareForCreate(obj) {
      const crd = asCRD(obj);
      crd.status = { acceptedNames: { plural: '', kind: '' }, storedVersions: [] };
      recordStoredVersion(crd);
    },
    prepareForUpdate(obj) {
      recordStoredVersion(asCRD(obj));
    },
    validate: (obj) => validateCRD(asCRD(obj)),
    validateUpdate: (obj, old) => validateCRDUpdate(asCRD(obj), asCRD(old)),
    bumpsGeneration: (obj, old) => !jsonEqual(obj.spec, old.spec),
    // The first DELETE only marks the CRD: its custom resources are removed first (CRDFinalizer).
    gracefulDelete: (obj) => ({ graceful: !obj.metadata.deletionTimestamp, gracePeriodSeconds: 0 }),
    markDeleting(obj) {
      const meta = obj.metadata;
      const finalizers = meta.finalizers ?? [];
      if (!finalizers.includes(cleanupFinalizer)) meta.finalizers = [...finalizers, cleanupFinalizer];
      setCondition(asCRD(obj), {
        type: 'Terminating', status: 'True', reason: 'InstanceDeletionPending',
        message: 'CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon',
      });
    },
  },
};
