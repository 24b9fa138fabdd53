// The default bindings (bootstrappolicy ClusterRoleBindings(), NamespaceRoles() and
// NamespaceRoleBindings(), controller role bindings), kubeadm's binding of its admin group,
// and kubelite's own for its workers, as data.
import { core, rule } from './policy-rules.ts';
import type { PolicyRule, Subject } from './types.ts';

const user = (name: string): Subject => ({ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name });
const group = (name: string): Subject => ({ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name });
const serviceAccount = (namespace: string, name: string): Subject => ({ kind: 'ServiceAccount', name, namespace });

export interface DefaultBinding {
  name: string;
  namespace?: string;
  roleRef: { kind: 'ClusterRole' | 'Role'; name: string };
  subjects: Subject[];
  /** Not kube-apiserver's own (kubeadm's, kubelite's): no rbac-defaults label. */
  notBootstrapping?: boolean;
}

const clusterBinding = (role: string, ...subjects: Subject[]): DefaultBinding => ({ name: role, roleRef: { kind: 'ClusterRole', name: role }, subjects });

export const defaultClusterRoleBindings: DefaultBinding[] = [
  clusterBinding('cluster-admin', group('system:masters')),
  clusterBinding('system:monitoring', group('system:monitoring')),
  clusterBinding('system:discovery', group('system:authenticated')),
  clusterBinding('system:basic-user', group('system:authenticated')),
  clusterBinding('system:public-info-viewer', group('system:authenticated'), group('system:unauthenticated')),
  clusterBinding('system:node-proxier', user('system:kube-proxy')),
  clusterBinding('system:kube-controller-manager', user('system:kube-controller-manager')),
  clusterBinding('system:kube-dns', serviceAccount('kube-system', 'kube-dns')),
  clusterBinding('system:kube-scheduler', user('system:kube-scheduler')),
  clusterBinding('system:volume-scheduler', user('system:kube-scheduler')),
  // Left without subjects since the Node authorizer took over (kube 1.8), as kube keeps it.
  clusterBinding('system:node'),
  clusterBinding('system:service-account-issuer-discovery', group('system:serviceaccounts')),
  // kubeadm's kubeadm:cluster-admins group, in which it issues admin.conf.
  { ...clusterBinding('cluster-admin', group('kubeadm:cluster-admins')), name: 'kubeadm:cluster-admins', notBootstrapping: true },
  // kubelite has no Node authorizer: its kubelets (group system:nodes) get system:node's rules this way.
  { ...clusterBinding('system:node', group('system:nodes')), name: 'kubelite:node', notBootstrapping: true },
  { ...clusterBinding('kubelite:controller-manager', user('system:kube-controller-manager')), notBootstrapping: true },
  { ...clusterBinding('kubelite:scheduler', user('system:kube-scheduler')), notBootstrapping: true },
];

/** Each controller role bound to its ServiceAccount in kube-system, as kube's controller role bindings. */
export function controllerRoleBindings(controllers: string[]): DefaultBinding[] {
  return controllers.map((c) => clusterBinding(`system:controller:${c}`, serviceAccount('kube-system', c)));
}

export interface DefaultRole {
  name: string;
  namespace: string;
  rules: PolicyRule[];
}

const leaderLocking = [
  rule('create get list update watch', ['coordination.k8s.io'], 'leases'),
  rule('create get list update watch', ['coordination.k8s.io'], 'leasecandidates'),
];

export const defaultRoles: DefaultRole[] = [
  { name: 'extension-apiserver-authentication-reader', namespace: 'kube-system', rules: [rule('get list watch', [core], 'configmaps', 'extension-apiserver-authentication')] },
  { name: 'system::leader-locking-kube-controller-manager', namespace: 'kube-system', rules: leaderLocking },
  { name: 'system::leader-locking-kube-scheduler', namespace: 'kube-system', rules: leaderLocking },
  { name: 'system:controller:bootstrap-signer', namespace: 'kube-system', rules: [rule('get list watch', [core], 'secrets')] },
  { name: 'system:controller:cloud-provider', namespace: 'kube-system', rules: [rule('create get list watch', [core], 'configmaps')] },
  {
    name: 'system:controller:token-cleaner', namespace: 'kube-system',
    rules: [rule('delete get list watch', [core], 'secrets'), rule('create patch update', [core, 'events.k8s.io'], 'events')],
  },
  {
    name: 'system:controller:bootstrap-signer', namespace: 'kube-public',
    rules: [
      rule('get list watch', [core], 'configmaps'),
      rule('update', [core], 'configmaps', 'cluster-info'),
      rule('create patch update', [core, 'events.k8s.io'], 'events'),
    ],
  },
];

const roleBinding = (namespace: string, name: string, role: string, ...subjects: Subject[]): DefaultBinding => ({ name, namespace, roleRef: { kind: 'Role', name: role }, subjects });

export const defaultRoleBindings: DefaultBinding[] = [
  roleBinding('kube-system', 'system::extension-apiserver-authentication-reader', 'extension-apiserver-authentication-reader', user('system:kube-controller-manager'), user('system:kube-scheduler')),
  roleBinding('kube-system', 'system::leader-locking-kube-controller-manager', 'system::leader-locking-kube-controller-manager', user('system:kube-controller-manager'), serviceAccount('kube-system', 'kube-controller-manager')),
  roleBinding('kube-system', 'system::leader-locking-kube-scheduler', 'system::leader-locking-kube-scheduler', user('system:kube-scheduler'), serviceAccount('kube-system', 'kube-scheduler')),
  roleBinding('kube-system', 'system:controller:bootstrap-signer', 'system:controller:bootstrap-signer', serviceAccount('kube-system', 'bootstrap-signer')),
  roleBinding('kube-system', 'system:controller:cloud-provider', 'system:controller:cloud-provider', serviceAccount('kube-system', 'cloud-provider')),
  roleBinding('kube-system', 'system:controller:token-cleaner', 'system:controller:token-cleaner', serviceAccount('kube-system', 'token-cleaner')),
  roleBinding('kube-public', 'system:controller:bootstrap-signer', 'system:controller:bootstrap-signer', serviceAccount('kube-system', 'bootstrap-signer')),
];
