// The storage contract, shaped like k8s.io/apiserver/pkg/storage.Interface and etcd:
// one global revision (the resourceVersion), compare-and-swap updates, watch from a revision.
// Implemented by the LevelDB backend and by the watch cache that decorates it; one
// conformance suite (test/storage-conformance.ts) runs against both.
import type { KubeObject } from '../api/types.ts';

/** One object version as stored: the parsed object and its JSON, serialised once. */
export interface StoredObject {
  key: string;
  /** Parsed object, `metadata.resourceVersion` set. Shared: callers must not mutate it. */
  object: KubeObject;
  /** The object's JSON text, shared by every LIST and watcher that sends this version. */
  json: string;
  /** The revision of the write that produced this version. */
  revision: number;
}

export type StorageEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StorageEvent {
  type: StorageEventType;
  key: string;
  revision: number;
  /** For DELETED, the last state with `resourceVersion` set to the deletion's revision. */
  current: StoredObject;
  /** The version this event replaced (MODIFIED, DELETED), when known. */
  prev?: StoredObject;
}

export interface ListOptions {
  /** Only keys strictly greater than this (pagination). */
  startAfterKey?: string;
  /** At most this many items (after the predicate); 0 or unset means all. */
  limit?: number;
  /** Items for which this returns false are skipped (label/field selectors). */
  predicate?: (obj: KubeObject) => boolean;
  /**
   * What the predicate requires of labels, as far as an index can tell: every item it accepts
   * has, for each entry, the label `key` with one of `values`. A backend may use it to look at
   * fewer objects (the watch cache's label index); the predicate still decides.
   */
  labelValues?: readonly LabelValues[];
  /** Serve the state as of exactly this revision (continue tokens, resourceVersionMatch=Exact). */
  revision?: number;
}

/** A label selector's `key=value` or `key in (values)` requirement. */
export interface LabelValues {
  key: string;
  values: readonly string[];
}

export interface ListResult {
  items: StoredObject[];
  /** The revision the list reflects. */
  revision: number;
  /** The key of the last item returned when more matching items follow (`limit` hit). */
  continueAfterKey?: string;
  /** How many matching items follow, when known cheaply. */
  remaining?: number;
}

export interface UpdateOptions {
  /** A recent version of the object (from the watch cache) to try before reading storage. */
  cachedExisting?: StoredObject;
}

export interface DeleteOptions extends UpdateOptions {
  /** Called with the current version; throw (e.g. a Conflict StatusError) to refuse the delete. */
  precondition?: (current: StoredObject) => void;
}

/**
 * Called with the current version; returns the new object. It may be called again with a
 * newer version if another write landed in between (the compare-and-swap loop). It must not
 * mutate `current.object`. Throwing aborts the update with that error.
 */
export type TryUpdate = (current: StoredObject) => KubeObject | Promise<KubeObject>;

export interface WatchHandle {
  stop(): void;
}

export interface Storage {
  /** The revision of the latest durable write. */
  readonly revision: number;
  /** The oldest revision a watch may start from (events after it are still retained). */
  readonly compactedRevision: number;
  get(key: string): Promise<StoredObject | undefined>;
  /** Keys under `prefix` in key order. */
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  /** Fails with StorageError 'KeyExists' when the key is present. */
  create(key: string, obj: KubeObject): Promise<StoredObject>;
  /** Fails with StorageError 'NotFound' when the key is absent. */
  guaranteedUpdate(key: string, tryUpdate: TryUpdate, opts?: UpdateOptions): Promise<StoredObject>;
  /** Removes the key; resolves with the deleted object stamped with the deletion's revision. */
  delete(key: string, opts?: DeleteOptions): Promise<StoredObject>;
  /**
   * Delivers, in revision order and exactly once, every event under `prefix` with a revision
   * greater than `fromRevision`, then live events until stopped. Fails with StorageError
   * 'Compacted' when `fromRevision` is older than the retained history.
   */
  watch(prefix: string, fromRevision: number, onEvent: (ev: StorageEvent) => void): Promise<WatchHandle>;
  /** Drops history up to and including `revision`. */
  compact(revision: number): Promise<void>;
  close(): Promise<void>;
}

/** TooLarge: the object's encoding is past the store's request limit (etcd's "request is too large"). */
export type StorageErrorCode = 'KeyExists' | 'NotFound' | 'Conflict' | 'Compacted' | 'Closed' | 'TooLarge';

/** The few sentinel errors of storage; registry/ maps them to metav1.Status once. */
export class StorageError extends Error {
  constructor(readonly code: StorageErrorCode, readonly key: string, message?: string) {
    super(message ?? `${code}: ${key}`);
  }
}

export function isStorageError(err: unknown, code?: StorageErrorCode): err is StorageError {
  return err instanceof StorageError && (code === undefined || err.code === code);
}

/**
 * What the watch cache knows beyond the Storage contract, for readers above storage that must
 * not depend on the cache itself: apiserver_storage_objects, and admission's memoised lookups.
 */
export interface CachedStorage {
  /** Objects per resource bucket (the key prefix `/registry/<group>/<resource>/`). */
  objectCounts(): Map<string, number>;
  /** The revision of the last change under `prefix` (0: none since start): equal answers mean an unchanged LIST. */
  changedThrough(prefix: string): number;
}

export function isCachedStorage(storage: Storage): storage is Storage & CachedStorage {
  const s = storage as Partial<CachedStorage>;
  return typeof s.objectCounts === 'function' && typeof s.changedThrough === 'function';
}
