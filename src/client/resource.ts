// Which resource a request is about, and the REST paths kube-apiserver serves it under:
// core `/api/v1/...`, every other group `/apis/<group>/<version>/...`.
import type { KubeObject } from '../api/types.ts';

/**
 * A resource as discovery names it. `T` is the object type the client's methods return for it
 * (KubeObject unless a caller declares a narrower one).
 */
export interface ResourceDescriptor<T extends KubeObject = KubeObject> {
  /** '' for the core group. */
  group: string;
  version: string;
  /** The plural name, as in the URL: `configmaps`. */
  resource: string;
  namespaced: boolean;
  kind: string;
  /** Type-only marker tying the descriptor to `T`; never set. */
  readonly __object?: T;
}

export function apiVersionOf(res: ResourceDescriptor): string {
  return res.group ? `${res.group}/${res.version}` : res.version;
}

export interface PathParts {
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** The path of a collection (no name) or an object, optionally a subresource of it. */
export function resourcePath(res: ResourceDescriptor, parts: PathParts = {}): string {
  let path = res.group ? `/apis/${res.group}/${res.version}` : `/api/${res.version}`;
  // A namespaced resource without a namespace is listed or watched across all namespaces.
  if (res.namespaced && parts.namespace) path += `/namespaces/${encodeURIComponent(parts.namespace)}`;
  path += `/${res.resource}`;
  if (parts.name !== undefined) {
    if (!parts.name) throw new Error(`${res.resource}: a name is required`);
    path += `/${encodeURIComponent(parts.name)}`;
    if (parts.subresource) path += `/${parts.subresource}`;
  }
  return path;
}

/** A query string from defined values only (`?a=1&b=x`, or '' when there are none). */
export function queryString(params: Record<string, string | number | boolean | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

function describe(group: string, version: string, resource: string, kind: string, namespaced = true): ResourceDescriptor {
  return { group, version, resource, kind, namespaced };
}

/** The resources kubelite's own workers use. */
export const resources = {
  namespaces: describe('', 'v1', 'namespaces', 'Namespace', false),
  nodes: describe('', 'v1', 'nodes', 'Node', false),
  pods: describe('', 'v1', 'pods', 'Pod'),
  services: describe('', 'v1', 'services', 'Service'),
  endpoints: describe('', 'v1', 'endpoints', 'Endpoints'),
  configMaps: describe('', 'v1', 'configmaps', 'ConfigMap'),
  secrets: describe('', 'v1', 'secrets', 'Secret'),
  serviceAccounts: describe('', 'v1', 'serviceaccounts', 'ServiceAccount'),
  events: describe('', 'v1', 'events', 'Event'),
  persistentVolumeClaims: describe('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim'),
  resourceQuotas: describe('', 'v1', 'resourcequotas', 'ResourceQuota'),
  replicationControllers: describe('', 'v1', 'replicationcontrollers', 'ReplicationController'),
  deployments: describe('apps', 'v1', 'deployments', 'Deployment'),
  replicaSets: describe('apps', 'v1', 'replicasets', 'ReplicaSet'),
  statefulSets: describe('apps', 'v1', 'statefulsets', 'StatefulSet'),
  daemonSets: describe('apps', 'v1', 'daemonsets', 'DaemonSet'),
  controllerRevisions: describe('apps', 'v1', 'controllerrevisions', 'ControllerRevision'),
  jobs: describe('batch', 'v1', 'jobs', 'Job'),
  cronJobs: describe('batch', 'v1', 'cronjobs', 'CronJob'),
  leases: describe('coordination.k8s.io', 'v1', 'leases', 'Lease'),
  endpointSlices: describe('discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice'),
  persistentVolumes: describe('', 'v1', 'persistentvolumes', 'PersistentVolume', false),
  podDisruptionBudgets: describe('policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget'),
  storageClasses: describe('storage.k8s.io', 'v1', 'storageclasses', 'StorageClass', false),
  volumeAttachments: describe('storage.k8s.io', 'v1', 'volumeattachments', 'VolumeAttachment', false),
  csiDrivers: describe('storage.k8s.io', 'v1', 'csidrivers', 'CSIDriver', false),
  clusterRoles: describe('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false),
  certificateSigningRequests: describe('certificates.k8s.io', 'v1', 'certificatesigningrequests', 'CertificateSigningRequest', false),
} satisfies Record<string, ResourceDescriptor>;
