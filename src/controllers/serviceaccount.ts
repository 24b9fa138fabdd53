// The ServiceAccounts controller (kube-controller-manager's `serviceaccount-controller`):
// every active namespace has a `default` ServiceAccount, created when the namespace appears
// and again whenever it is deleted. A namespace that is Terminating is left alone, as kube's
// syncNamespace does (the NamespaceLifecycle admission would refuse the create anyway).
import type { KubeObject } from '../api/types.ts';
import { isAlreadyExists, isNotFound, resources, type ApiError } from '../client/index.ts';
import type { ControllerDefinition } from './types.ts';

export const controllerName = 'serviceaccount-controller';

/** serviceAccountsToEnsure: the accounts every namespace gets. */
export const serviceAccountsToEnsure = ['default'];

/** The cause a create in a terminating namespace fails with (v1.NamespaceTerminatingCause). */
const namespaceTerminatingCause = 'NamespaceTerminating';

export const serviceAccountController: ControllerDefinition = {
  name: controllerName,
  workers: (o) => o.concurrentServiceAccountSyncs,
  setup(ctx, queue) {
    const namespaces = ctx.factory.informerFor(resources.namespaces);
    const serviceAccounts = ctx.factory.informerFor(resources.serviceAccounts);
    namespaces.addEventHandler({
      onAdd: (ns) => queue.add(ns.metadata.name!),
      onUpdate: (_old, ns) => queue.add(ns.metadata.name!),
    });
    serviceAccounts.addEventHandler({
      // A deleted account we ensure: its namespace is synced again (serviceAccountDeleted).
      onDelete: (sa) => {
        if (serviceAccountsToEnsure.includes(sa.metadata.name!)) queue.add(sa.metadata.namespace!);
      },
    });

    async function syncNamespace(name: string): Promise<void> {
      const ns = namespaces.store.get(name);
      if (!ns || ns.status?.phase !== 'Active' || ns.metadata.deletionTimestamp) return;
      for (const account of serviceAccountsToEnsure) {
        if (serviceAccounts.store.get(`${name}/${account}`)) continue;
        const sa: KubeObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: account, namespace: name } };
        try {
          await ctx.client.create(resources.serviceAccounts, sa);
          ctx.log.debug({ namespace: name, serviceAccount: account }, `${controllerName}: created`);
        } catch (err) {
          // Already there (the cache lagged), the namespace went, or it started terminating: done.
          if (isAlreadyExists(err) || isNotFound(err) || isNamespaceTerminating(err)) continue;
          throw err;
        }
      }
    }

    return { reconcile: (name) => syncNamespace(name) };
  },
};

/** HasStatusCause(err, NamespaceTerminatingCause), or the NamespaceLifecycle message where the cause is missing. */
function isNamespaceTerminating(err: unknown): boolean {
  const apiErr = err as ApiError;
  if (apiErr?.code !== 403) return false;
  const causes = apiErr.status?.details?.causes ?? [];
  return causes.some((c) => c.reason === namespaceTerminatingCause) || /because it is being terminated/.test(apiErr.message);
}
