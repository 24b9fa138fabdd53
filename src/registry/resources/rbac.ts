// rbac.authorization.k8s.io/v1: Roles, ClusterRoles, RoleBindings, ClusterRoleBindings —
// stored, defaulted and validated as pkg/apis/rbac (v1 defaults, validation), printed as
// kubectl's printers print them. Who may write which rules is the escalation check's business
// (src/auth/rbac/escalation.ts), not the strategy's.
import { field, type FieldError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/types.ts';
import { allVerbs, type ResourceDef, type TableColumn } from '../types.ts';
import { isDNS1123Subdomain, isValidPathSegmentName } from '../validation/names.ts';
import { ageColumn, createdAtColumn } from './core-columns.ts';
import { docColumn } from './workload.ts';

const rbacGroup = 'rbac.authorization.k8s.io';

interface Rule { verbs?: string[]; apiGroups?: string[]; resources?: string[]; resourceNames?: string[]; nonResourceURLs?: string[] }
interface Subject { kind?: string; apiGroup?: string; name?: string; namespace?: string }

/** ValidatePolicyRule. */
function validateRules(obj: KubeObject, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  ((obj.rules ?? []) as Rule[]).forEach((rule, i) => {
    const at = `rules[${i}]`;
    if (!rule.verbs?.length) errs.push(field.required(`${at}.verbs`, 'verbs must contain at least one value'));
    if (rule.nonResourceURLs?.length) {
      if (namespaced) errs.push(field.invalid(`${at}.nonResourceURLs`, rule.nonResourceURLs, 'namespaced rules cannot apply to non-resource URLs'));
      if (rule.apiGroups?.length || rule.resources?.length || rule.resourceNames?.length) {
        errs.push(field.invalid(`${at}.nonResourceURLs`, rule.nonResourceURLs, 'rules cannot apply to both regular resources and non-resource URLs'));
      }
      return;
    }
    if (!rule.apiGroups?.length) errs.push(field.required(`${at}.apiGroups`, 'resource rules must supply at least one api group'));
    if (!rule.resources?.length) errs.push(field.required(`${at}.resources`, 'resource rules must supply at least one resource'));
  });
  return errs;
}

function validateClusterRole(obj: KubeObject): FieldError[] {
  const errs = validateRules(obj, false);
  const aggregation = obj.aggregationRule as { clusterRoleSelectors?: unknown[] } | null | undefined;
  if (aggregation && !aggregation.clusterRoleSelectors?.length) {
    errs.push(field.required('aggregationRule.clusterRoleSelectors', 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
  }
  return errs;
}

/** SetDefaults_Subject and the v1 RoleRef default: User/Group subjects and roleRef in rbac.authorization.k8s.io. */
function defaultBinding(obj: KubeObject): void {
  const ref = (obj.roleRef ??= {}) as { apiGroup?: string };
  if (!ref.apiGroup) ref.apiGroup = rbacGroup;
  for (const s of (obj.subjects ?? []) as Subject[]) {
    if (!s.apiGroup && (s.kind === 'User' || s.kind === 'Group')) s.apiGroup = rbacGroup;
  }
}

/** ValidateRoleBinding / ValidateClusterRoleBinding and ValidateRoleBindingSubject. */
function validateBinding(obj: KubeObject, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const ref = (obj.roleRef ?? {}) as { apiGroup?: string; kind?: string; name?: string };
  if (ref.apiGroup !== rbacGroup) errs.push(field.notSupported('roleRef.apiGroup', ref.apiGroup ?? '', [rbacGroup]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(ref.kind ?? '')) errs.push(field.notSupported('roleRef.kind', ref.kind ?? '', kinds));
  if (!ref.name) errs.push(field.required('roleRef.name', ''));
  else for (const msg of isValidPathSegmentName(ref.name)) errs.push(field.invalid('roleRef.name', ref.name, msg));
  ((obj.subjects ?? []) as Subject[]).forEach((s, i) => {
    const at = `subjects[${i}]`;
    if (!s.name) errs.push(field.required(`${at}.name`, ''));
    switch (s.kind) {
      case 'ServiceAccount':
        if (s.name) for (const msg of isDNS1123Subdomain(s.name)) errs.push(field.invalid(`${at}.name`, s.name, msg));
        if (s.apiGroup) errs.push(field.notSupported(`${at}.apiGroup`, s.apiGroup, ['']));
        if (!namespaced && !s.namespace) errs.push(field.required(`${at}.namespace`, ''));
        break;
      case 'User':
      case 'Group':
        if (s.apiGroup !== rbacGroup) errs.push(field.notSupported(`${at}.apiGroup`, s.apiGroup ?? '', [rbacGroup]));
        break;
      default:
        errs.push(field.notSupported(`${at}.kind`, s.kind ?? '', ['ServiceAccount', 'User', 'Group']));
    }
  });
  return errs;
}

function validateBindingUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  return JSON.stringify(obj.roleRef) === JSON.stringify(old.roleRef) ? [] : [field.invalid('roleRef', obj.roleRef, 'cannot change roleRef')];
}

function subjectNames(obj: KubeObject, kind: string): string {
  return ((obj.subjects ?? []) as Subject[]).filter((s) => s.kind === kind)
    .map((s) => (kind === 'ServiceAccount' ? `${s.namespace ?? ''}/${s.name}` : s.name)).join(', ');
}

/** printRoleBinding / printClusterRoleBinding: ROLE, AGE, and with -o wide USERS, GROUPS, SERVICEACCOUNTS. */
function bindingColumns(kind: 'RoleBinding' | 'ClusterRoleBinding'): TableColumn[] {
  const extra = (name: string, subjectKind: string, what: string): TableColumn => ({
    name, type: 'string', priority: 1, description: `${what} in the ${kind === 'RoleBinding' ? 'roleBinding' : 'clusterRoleBinding'}`,
    cell: (o) => subjectNames(o, subjectKind),
  });
  return [
    docColumn('Role', 'string', [`io.k8s.api.rbac.v1.${kind}`, 'roleRef'], (o) => `${(o.roleRef as { kind?: string })?.kind ?? ''}/${(o.roleRef as { name?: string })?.name ?? ''}`),
    ageColumn,
    extra('Users', 'User', 'Users'),
    extra('Groups', 'Group', 'Groups'),
    extra('ServiceAccounts', 'ServiceAccount', 'ServiceAccounts'),
  ];
}

const common = { version: 'v1', group: rbacGroup, shortNames: [], categories: [], verbs: allVerbs, subresources: [], nameRule: 'path-segment' as const };

export const roleResource: ResourceDef = {
  ...common, kind: 'Role', plural: 'roles', singular: 'role', namespaced: true,
  schema: 'io.k8s.api.rbac.v1.Role', columns: [createdAtColumn],
  strategy: { validate: (o) => validateRules(o, true) },
};

export const clusterRoleResource: ResourceDef = {
  ...common, kind: 'ClusterRole', plural: 'clusterroles', singular: 'clusterrole', namespaced: false,
  schema: 'io.k8s.api.rbac.v1.ClusterRole', columns: [createdAtColumn],
  strategy: { validate: validateClusterRole },
};

export const roleBindingResource: ResourceDef = {
  ...common, kind: 'RoleBinding', plural: 'rolebindings', singular: 'rolebinding', namespaced: true,
  schema: 'io.k8s.api.rbac.v1.RoleBinding', columns: bindingColumns('RoleBinding'),
  strategy: { defaults: defaultBinding, validate: (o) => validateBinding(o, true), validateUpdate: validateBindingUpdate },
};

export const clusterRoleBindingResource: ResourceDef = {
  ...common, kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', singular: 'clusterrolebinding', namespaced: false,
  schema: 'io.k8s.api.rbac.v1.ClusterRoleBinding', columns: bindingColumns('ClusterRoleBinding'),
  strategy: { defaults: defaultBinding, validate: (o) => validateBinding(o, false), validateUpdate: validateBindingUpdate },
};

export const rbacResources = [roleResource, clusterRoleResource, roleBindingResource, clusterRoleBindingResource];
