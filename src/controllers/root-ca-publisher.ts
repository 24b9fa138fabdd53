// The root CA certificate publisher (kube-controller-manager's
// `root-ca-certificate-publisher-controller`): every active namespace has a ConfigMap
// `kube-root-ca.crt` whose `ca.crt` is the CA that signed the API server's certificate, so
// that pods can verify `https://kubernetes.default.svc`. The CA is the one the controller
// manager trusts for the API server (its kubeconfig's certificate-authority, as kube's
// --root-ca-file defaults to); without one — a plain-HTTP server — there is nothing to publish.
import type { KubeObject } from '../api/types.ts';
import { isAlreadyExists, isConflict, isNotFound, resources } from '../client/index.ts';
import type { ControllerDefinition } from './types.ts';

export const controllerName = 'root-ca-certificate-publisher-controller';
export const rootCAConfigMapName = 'kube-root-ca.crt';
const description = 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

export const rootCAPublisherController: ControllerDefinition = {
  name: controllerName,
  workers: () => 1,
  setup(ctx, queue) {
    const ca = ctx.client.config.ca;
    const namespaces = ctx.factory.informerFor(resources.namespaces);
    // Only the one ConfigMap per namespace it publishes: a watch of every ConfigMap would make
    // this worker decode every ConfigMap written in the cluster to look at its name.
    const configMaps = ctx.factory.informerFor(resources.configMaps, { fieldSelector: `metadata.name=${rootCAConfigMapName}` });
    if (!ca) return { reconcile: async () => undefined };
    namespaces.addEventHandler({
      onAdd: (ns) => queue.add(ns.metadata.name!),
      onUpdate: (_old, ns) => queue.add(ns.metadata.name!),
    });
    const onConfigMap = (cm: KubeObject) => {
      if (cm.metadata.name === rootCAConfigMapName) queue.add(cm.metadata.namespace!);
    };
    configMaps.addEventHandler({ onUpdate: (_old, cm) => onConfigMap(cm), onDelete: onConfigMap });

    async function sync(namespace: string): Promise<void> {
      const ns = namespaces.store.get(namespace);
      if (!ns || ns.status?.phase !== 'Active' || ns.metadata.deletionTimestamp) return;
      const data = { 'ca.crt': ca! };
      const existing = configMaps.store.get(`${namespace}/${rootCAConfigMapName}`) as (KubeObject & { data?: Record<string, string> }) | undefined;
      try {
        if (!existing) {
          await ctx.client.create(resources.configMaps, {
            apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: rootCAConfigMapName, namespace, annotations: { 'kubernetes.io/description': description } }, data,
          });
        } else if (existing.data?.['ca.crt'] !== ca || Object.keys(existing.data ?? {}).length !== 1 || existing.metadata.annotations?.['kubernetes.io/description'] !== description) {
          // Someone changed it: put it back, as kube's publisher does.
          await ctx.client.update(resources.configMaps, {
            ...existing, data, metadata: { ...existing.metadata, annotations: { ...existing.metadata.annotations, 'kubernetes.io/description': description } },
          });
        }
      } catch (err) {
        if (isAlreadyExists(err) || isNotFound(err) || isConflict(err)) return; // the informer brings it back here
        if ((err as { code?: number }).code === 403 && /being terminated/.test(String((err as Error).message))) return;
        throw err;
      }
    }
    return { reconcile: (namespace) => sync(namespace) };
  },
};
