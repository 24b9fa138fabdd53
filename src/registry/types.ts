// What a resource is to the generic store: a row of data (names, scope, verbs, table
// columns, selectable fields) and a small strategy, as k8s.io/apiserver's rest.RESTCreateStrategy
// and friends. No resource gets a handler of its own.
import type { FieldError } from '../api/errors.ts';
import type { KubeObject } from '../api/types.ts';
import type { Storage } from '../storage/interface.ts';
import type { UserInfo } from '../api/authorization.ts';
import type { Registry } from './registry.ts';
import type { CheckOptions, SchemaCheck } from './validation/schema.ts';

/** Subresources served by the generic machinery; see subresources.ts for what each one is. */
export type SubresourceName = 'status' | 'scale' | 'binding' | 'eviction' | 'log' | 'exec' | 'attach' | 'portforward' | 'proxy' | 'ephemeralcontainers' | 'finalize' | 'token' | 'approval';

export type Verb = 'create' | 'delete' | 'deletecollection' | 'get' | 'list' | 'patch' | 'update' | 'watch';

export const allVerbs: Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** One column of the Table that `kubectl get` prints (metav1.TableColumnDefinition + how to fill it). */
export interface TableColumn {
  name: string;
  /** OpenAPI type of the cell: string, integer, number, boolean, date. */
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: string;
  description: string;
  /** 0 = always shown; more (1 for built-ins, any for CRD printer columns) = only with `-o wide`. */
  priority: number;
  cell(obj: KubeObject, now: number): unknown;
}

/** Where `kubectl scale` and the scale subresource find replicas and the selector. */
export interface ScaleDef {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

export interface ResourceStrategy {
  /** Fill defaulted fields, as the kind's SetDefaults_* functions do. Runs on create and update. */
  defaults?(obj: KubeObject): void;
  /**
   * Clear or set fields the user may not set on create (e.g. status), as PrepareForCreate;
   * `ctx.user` is the requester (a CSR records who asked).
   */
  prepareForCreate?(obj: KubeObject, ctx?: { user?: UserInfo }): void;
  /** Carry over or reset fields on update (e.g. status from `old`), as PrepareForUpdate. */
  prepareForUpdate?(obj: KubeObject, old: KubeObject): void;
  /** Rules a JSON schema cannot express; names, label syntax and the schema are checked for every kind already. */
  validate?(obj: KubeObject): FieldError[];
  /** Update-only rules, e.g. immutable fields. `validate` runs too. */
  validateUpdate?(obj: KubeObject, old: KubeObject): FieldError[];
  /** Warnings returned in `Warning` headers. */
  warnings?(obj: KubeObject, old?: KubeObject): string[];
  /**
   * Present for kinds that track metadata.generation (set to 1 on create): says whether an
   * update bumps it (usually: spec changed). Absent: the kind keeps generation unset, as
   * ConfigMaps, Services and Pods (before 1.33) do.
   */
  bumpsGeneration?(obj: KubeObject, old: KubeObject): boolean;
  /** Strategy used for PUT/PATCH on the `status` subresource, when the kind has one. */
  status?: StatusStrategy;
  /** Strategy for `approval` (CertificateSigningRequests): status.conditions only, as kube's csrApprovalStrategy. */
  approval?: StatusStrategy;
  /** Strategy for PUT/PATCH on pods/ephemeralcontainers: which part of the request is taken, and its rules. */
  ephemeralContainers?: {
    prepareForUpdate(obj: KubeObject, old: KubeObject): KubeObject;
    validateUpdate(obj: KubeObject, old: KubeObject): FieldError[];
  };
  /**
   * Decides what a DELETE does beyond removing the object: returns true when the object must
   * only be marked (deletionTimestamp set) and left for a worker to finish (e.g. a pod bound
   * to a node waits for its kubelet, a namespace for the namespace controller).
   */
  gracefulDelete?(obj: KubeObject, gracePeriodSeconds: number | undefined): { graceful: boolean; gracePeriodSeconds?: number };
  /** Changes made to an object when it is marked for deletion (e.g. a namespace's status.phase Terminating). */
  markDeleting?(obj: KubeObject): void;
  /**
   * True while an object marked for deletion must stay although it has no finalizers left
   * (a pod in its grace period waits for its kubelet; a namespace for its spec.finalizers).
   */
  holdsDeletion?(obj: KubeObject): boolean;
}

/** A strategy for a subresource that writes (part of) status: the rest is kept from the stored object. */
export interface StatusStrategy {
  /** `sent` is the metadata of the request, for the kinds whose status writes may change some of it (a Deployment's annotations). */
  prepareForUpdate?(obj: KubeObject, old: KubeObject, sent: KubeObject['metadata']): void;
  validateUpdate?(obj: KubeObject, old: KubeObject): FieldError[];
}

export interface ResourceDef {
  group: string; // '' for core
  version: string;
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  categories: string[];
  namespaced: boolean;
  verbs: Verb[];
  subresources: SubresourceName[];
  /** The OpenAPI definition name in the spec, e.g. io.k8s.api.apps.v1.Deployment. */
  schema: string;
  /** Columns after NAME (and NAMESPACE with -A), which the server adds itself. */
  columns: TableColumn[];
  /** Field selectors beyond metadata.name and metadata.namespace, which every kind has. */
  selectableFields?: Record<string, (obj: KubeObject) => string | undefined>;
  scale?: ScaleDef;
  /** How metadata.name is checked: DNS-1123 subdomain (default), DNS-1123 label, or path segment only. */
  nameRule?: 'subdomain' | 'label' | 'path-segment';
  /**
   * Fields the published schema lists as required that kube stores as null when absent (a Go
   * slice without omitempty that no validation requires), e.g. an EndpointSlice's `endpoints`.
   */
  nullableFields?: string[];
  /** DELETE answers with the deleted object instead of a Success Status (kube does this for pods). */
  returnDeletedObject?: boolean;
  /** Side effects around this resource's writes, kept per registry (e.g. the Service IP and port allocators). */
  storeHooks?(registry: Registry): StoreHooks;
  /**
   * What a DELETE without a propagation policy does to dependents (kube's
   * DefaultGarbageCollectionPolicy): DeleteDependents (default, background), OrphanDependents
   * (adds the `orphan` finalizer), Unsupported (never adds `orphan`/`foregroundDeletion`).
   */
  defaultGarbageCollectionPolicy?: 'DeleteDependents' | 'OrphanDependents' | 'Unsupported';
  strategy: ResourceStrategy;
  /**
   * Present for resources of a group-version an extension API server serves behind an
   * APIService (src/server/aggregator/): requests are proxied there, never stored here.
   */
  aggregated?: { apiService: string };
  /** Present for custom resources served from a CRD (see src/apiextensions/). */
  custom?: CustomResourceHooks;
  /** A deprecated version's Warning, sent with every answer for it (kube's crdHandler and deprecation filter). */
  deprecationWarning?: string;
  /**
   * For a kind served in a version other than the one stored (autoscaling/v1
   * HorizontalPodAutoscalers are stored as v2; a custom resource's versions other than the
   * CRD's storage version, and any with schema defaults): the storage view converting to and
   * from the stored version, as kube-apiserver's storage codec does.
   */
  storageView?(inner: Storage): Storage;
}

/**
 * What a custom resource does differently from a built-in kind, as kube's crdHandler serves
 * it: bodies decode by the CRD's structural schema (pruning, defaulting) instead of a Go type,
 * objects are stored in the CRD's storage version (its `storageView`), and neither strategic merge patches nor
 * protobuf bodies are accepted.
 */
export interface CustomResourceHooks {
  /** Prunes unknown fields and fills defaults in place (the unstructured decoder's schema coercion). */
  decode(obj: KubeObject, opts: CheckOptions): SchemaCheck;
  /** The PATCH content types accepted. */
  patchTypes: string[];
  /** Throws when a create must be refused (the CRD is terminating). */
  admitCreate?(): void;
}

/** A write's effects outside storage (e.g. allocated addresses), settled once the write's fate is known. */
export interface WriteTransaction {
  commit(): void;
  revert(): void;
}

/**
 * Hooks around the generic store's writes, as k8s.io/apiserver's Store.BeginCreate,
 * BeginUpdate and AfterDelete. beginCreate/beginUpdate run after prepare and before
 * validation (throwing refuses the write); the transaction is committed when the write is
 * stored and reverted when it fails. afterDelete runs once the object has left storage.
 */
export interface StoreHooks {
  beginCreate?(obj: KubeObject, opts: { dryRun: boolean }): Promise<WriteTransaction | undefined>;
  beginUpdate?(obj: KubeObject, old: KubeObject, opts: { dryRun: boolean }): Promise<WriteTransaction | undefined>;
  afterDelete?(obj: KubeObject): Promise<void>;
}

export function groupVersion(def: Pick<ResourceDef, 'group' | 'version'>): string {
  return def.group ? `${def.group}/${def.version}` : def.version;
}
