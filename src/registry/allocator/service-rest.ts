// The Service store's hooks, as kube-apiserver's service REST (pkg/registry/core/service/storage):
// beginCreate and beginUpdate allocate through this server's ServiceAllocators, afterDelete
// releases and removes the Service's Endpoints. The allocators live per registry and are
// rebuilt from the stored Services before their first use, so a restarted server never hands
// out an address or port an existing Service holds. JavaScript runs one allocation at a time
// and each one reserves synchronously, so concurrent creates never get the same address.
import { isStatusError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/types.ts';
import { resourcePrefix } from '../catalog.ts';
import type { Registry } from '../registry.ts';
import type { StoreHooks } from '../types.ts';
import { ServiceAllocators, defaultServiceNetwork } from './service-allocators.ts';

export function serviceStoreHooks(registry: Registry): StoreHooks {
  let ready: Promise<ServiceAllocators> | undefined;
  const allocators = () => (ready ??= rebuild(registry));
  return {
    async beginCreate(svc, { dryRun }) {
      return (await allocators()).allocateCreate(svc, dryRun);
    },
    async beginUpdate(svc, old, { dryRun }) {
      return (await allocators()).allocateUpdate(svc, old, dryRun);
    },
    async afterDelete(svc) {
      (await allocators()).release(svc);
      await deleteEndpoints(registry, svc);
    },
  };
}

/** A fresh allocator marked with every stored Service's addresses and ports (kube's repair loops at start-up). */
async function rebuild(registry: Registry): Promise<ServiceAllocators> {
  const allocators = new ServiceAllocators(registry.serviceNetwork ?? defaultServiceNetwork);
  const { items } = await registry.storage.list(resourcePrefix({ group: '', plural: 'services' }));
  // What cannot be restored (out of a changed range, or held twice) stays with its Service
  // and is simply not tracked, as kube's repair loop leaves it with a warning event.
  for (const { object } of items) allocators.restore(object);
  return allocators;
}

/**
 * kube's service REST deletes the Endpoints of the same name right away, so that a Service
 * recreated under that name never briefly routes to the old one's pods.
 */
async function deleteEndpoints(registry: Registry, svc: KubeObject): Promise<void> {
  const endpoints = registry.catalog.lookup('', 'v1', 'endpoints');
  if (!endpoints) return;
  try {
    await registry.store(endpoints).delete(svc.metadata.namespace, svc.metadata.name!);
  } catch (err) {
    // The Service is gone either way; the endpoints controller removes leftovers (as kube only logs this failure).
    if (!isStatusError(err)) throw err;
  }
}
