// The storage view one served version of a custom resource reads and writes through, as
// the CRD's storage codec does: objects are written in the storage version (conversion
// strategy None: only apiVersion changes), read back in the requested version, with the
// schema's defaults filled on read (a default added to the CRD shows on old objects too).
// Each stored version is converted once per served version and shared, like the stored JSON.
import { convertedStorage } from '../registry/converted-storage.ts';
import type { Storage } from '../storage/interface.ts';
import { applyDefaults, hasDefaults } from './prune.ts';
import type { JSONSchemaProps } from './types.ts';

export interface VersionedStorageOptions {
  /** The version objects are served in, e.g. cert-manager.io/v1alpha1. */
  apiVersion: string;
  /** The CRD's storage version, e.g. cert-manager.io/v1. */
  storageApiVersion: string;
  schema: JSONSchemaProps;
}

export function versionedStorage(inner: Storage, opts: VersionedStorageOptions): Storage {
  const defaults = hasDefaults(opts.schema);
  return convertedStorage(inner, {
    servedAsStored: (obj) => obj.apiVersion === opts.apiVersion && !defaults,
    toServed(obj) {
      obj.apiVersion = opts.apiVersion;
      if (defaults) applyDefaults(obj, opts.schema);
      return obj;
    },
    toStored: (obj) => (obj.apiVersion === opts.storageApiVersion ? obj : { ...obj, apiVersion: opts.storageApiVersion }),
  });
}
