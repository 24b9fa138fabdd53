// kube-system/extension-apiserver-authentication: how a server built on k8s.io/apiserver
// (kube-scheduler, kube-controller-manager, metrics-server, any aggregated API server)
// learns to trust this cluster's clients — the client CA, and the front-proxy CA with the
// requestheader names and headers the aggregator proxies with. kube-apiserver's
// ClusterAuthenticationInfo controller keeps it; the header lists are JSON arrays, as it writes them.
import type { KubeObject } from '../api/types.ts';
import { isStatusError } from '../api/errors.ts';
import type { Registry } from '../registry/registry.ts';
import type { Pki } from './pki.ts';

export const extensionAuthConfigMap = { namespace: 'kube-system', name: 'extension-apiserver-authentication' };

/** The requestheader settings kubelite's aggregator proxies with (kubeadm's defaults). */
export const requestHeader = {
  allowedNames: ['front-proxy-client'],
  usernameHeaders: ['X-Remote-User'],
  groupHeaders: ['X-Remote-Group'],
  extraHeadersPrefix: ['X-Remote-Extra-'],
};

export function clusterAuthenticationData(pki: Pick<Pki, 'caCert' | 'frontProxyCaCert'>): Record<string, string> {
  return {
    'client-ca-file': pki.caCert,
    'requestheader-allowed-names': JSON.stringify(requestHeader.allowedNames),
    'requestheader-client-ca-file': pki.frontProxyCaCert,
    'requestheader-extra-headers-prefix': JSON.stringify(requestHeader.extraHeadersPrefix),
    'requestheader-group-headers': JSON.stringify(requestHeader.groupHeaders),
    'requestheader-username-headers': JSON.stringify(requestHeader.usernameHeaders),
  };
}

/** Creates the ConfigMap, or brings its data back to what this server trusts. */
export async function publishClusterAuthenticationInfo(registry: Registry, pki: Pick<Pki, 'caCert' | 'frontProxyCaCert'>): Promise<void> {
  const store = registry.store(registry.catalog.lookup('', 'v1', 'configmaps')!);
  const { namespace, name } = extensionAuthConfigMap;
  const data = clusterAuthenticationData(pki);
  const existing = await store.get(namespace, name).catch(() => undefined);
  if (existing && JSON.stringify(existing.object.data) === JSON.stringify(data)) return;
  const body: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data };
  try {
    if (existing) await store.update(namespace, name, { ...body, metadata: { ...existing.object.metadata } }, { serverBuilt: true });
    else await store.create(namespace, body, { serverBuilt: true });
  } catch (err) {
    // Another server of the same cluster wrote it first.
    if (!isStatusError(err, 'AlreadyExists') && !isStatusError(err, 'Conflict')) throw err;
  }
}
