// The rbac.authorization.k8s.io/v1 objects as the authorizer reads them (k8s.io/api/rbac/v1).
import type { KubeObject } from '../../api/types.ts';
import type { V1LabelSelector } from '../../registry/selectors/label-selector.ts';

export const rbacGroup = 'rbac.authorization.k8s.io';

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export type SubjectKind = 'User' | 'Group' | 'ServiceAccount';

export interface Subject {
  kind: SubjectKind | string;
  apiGroup?: string;
  name: string;
  namespace?: string;
}

export interface RoleRef {
  apiGroup: string;
  kind: 'Role' | 'ClusterRole' | string;
  name: string;
}

export interface RoleObject extends KubeObject {
  rules?: PolicyRule[] | null;
  aggregationRule?: { clusterRoleSelectors?: V1LabelSelector[] | null } | null;
}

export interface BindingObject extends KubeObject {
  subjects?: Subject[] | null;
  roleRef: RoleRef;
}

/** rbacv1.VerbAll, APIGroupAll, ResourceAll, NonResourceAll. */
export const all = '*';

/** The label and annotation kube-apiserver puts on every default role and binding. */
export const bootstrappingLabel = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
export const autoupdateAnnotation = 'rbac.authorization.kubernetes.io/autoupdate';

/** serviceaccount.MakeUsername: `system:serviceaccount:<namespace>:<name>`. */
export const serviceAccountUsernamePrefix = 'system:serviceaccount:';
export const allServiceAccountsGroup = 'system:serviceaccounts';

export function serviceAccountUsername(namespace: string, name: string): string {
  return `${serviceAccountUsernamePrefix}${namespace}:${name}`;
}

/** serviceaccount.SplitUsername: the namespace and name of a ServiceAccount's user name, if it is one. */
export function splitServiceAccountUsername(username: string): { namespace: string; name: string } | undefined {
  if (!username.startsWith(serviceAccountUsernamePrefix)) return undefined;
  const parts = username.slice(serviceAccountUsernamePrefix.length).split(':');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return undefined;
  return { namespace: parts[0], name: parts[1] };
}
