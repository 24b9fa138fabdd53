// How objects sit in etcd, as kube-apiserver's etcd3 store keeps them: the value is the
// object's JSON without `metadata.resourceVersion`, which is the key's mod revision and is
// stamped on every read. Revisions travel as decimal strings (int64 in the protocol).
import type { KubeObject } from '../api/types.ts';
import type { StoredObject } from './interface.ts';

/** The shape of an etcd KeyValue as the etcd3 client hands it over. */
export interface EtcdKeyValue {
  key: Buffer;
  value: Buffer;
  mod_revision: string;
  create_revision: string;
}

/** The bytes to put: the object without its resourceVersion. */
export function encodeObject(obj: KubeObject): string {
  const { resourceVersion: _rv, ...metadata } = obj.metadata ?? {};
  return JSON.stringify({ ...obj, metadata });
}

/** A stored version of `key` whose resourceVersion is `revision`. */
export function stamp(key: string, obj: KubeObject, revision: number): StoredObject {
  const object: KubeObject = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(revision) } };
  return { key, object, json: JSON.stringify(object), revision };
}

/** Decodes a KeyValue read back from etcd; `key` is the caller's key (the namespace prefix removed). */
export function decodeKeyValue(key: string, kv: EtcdKeyValue): StoredObject {
  return stamp(key, JSON.parse(kv.value.toString('utf8')) as KubeObject, Number(kv.mod_revision));
}

/** The end of etcd's range for every key starting with `prefix` (etcd's clientv3.GetPrefixRangeEnd). */
export function prefixRangeEnd(prefix: string): Buffer {
  const end = Buffer.from(prefix, 'utf8');
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] < 0xff) {
      end[i]++;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]); // every key
}

export function isCompactedError(err: unknown): boolean {
  return err instanceof Error && /required revision has been compacted/.test(err.message);
}

export function isFutureRevisionError(err: unknown): boolean {
  return err instanceof Error && /required revision is a future revision/.test(err.message);
}
