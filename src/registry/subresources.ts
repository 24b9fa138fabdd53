// What each subresource is to discovery and routing: its verbs and the kind it speaks.
import type { ResourceDef, SubresourceName } from './types.ts';

export interface SubresourceInfo {
  verbs: string[];
  /** The kind of the subresource's body; undefined means the parent's own kind. */
  kind?: { group: string; version: string; kind: string };
}

export const subresourceInfo: Record<SubresourceName, SubresourceInfo> = {
  status: { verbs: ['get', 'patch', 'update'] },
  // certificatesigningrequests/approval: Approved/Denied conditions only (kubectl certificate approve).
  approval: { verbs: ['get', 'patch', 'update'] },
  scale: { verbs: ['get', 'patch', 'update'], kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' } },
  binding: { verbs: ['create'], kind: { group: '', version: 'v1', kind: 'Binding' } },
  eviction: { verbs: ['create'], kind: { group: 'policy', version: 'v1', kind: 'Eviction' } },
  log: { verbs: ['get'] },
  // namespaces/finalize: how the namespace controller empties spec.finalizers.
  finalize: { verbs: ['update'] },
  // exec, attach and portforward are connections to the pod's kubelet (server/kubelet-proxy/).
  exec: { verbs: ['create', 'get'], kind: { group: '', version: 'v1', kind: 'PodExecOptions' } },
  attach: { verbs: ['create', 'get'], kind: { group: '', version: 'v1', kind: 'PodAttachOptions' } },
  portforward: { verbs: ['create', 'get'], kind: { group: '', version: 'v1', kind: 'PodPortForwardOptions' } },
  // pods/proxy, services/proxy, nodes/proxy: any method, passed on to the pod, endpoint or kubelet.
  proxy: { verbs: ['create', 'delete', 'get', 'patch', 'update'] },
  // pods/ephemeralcontainers: the Pod, of which only spec.ephemeralContainers may change (by adding).
  ephemeralcontainers: { verbs: ['get', 'patch', 'update'] },
  // serviceaccounts/token: a TokenRequest in, the same with a signed token out (auth/serviceaccount/token-request.ts).
  token: { verbs: ['create'], kind: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' } },
};

export function subresourceKind(def: ResourceDef, sub: SubresourceName) {
  return subresourceInfo[sub].kind ?? { group: def.group, version: def.version, kind: def.kind };
}
