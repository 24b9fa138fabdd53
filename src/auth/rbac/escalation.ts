// RBAC's escalation prevention, as pkg/registry/rbac's policybased storages: a Role or
// ClusterRole may be written only by a user who already holds every permission in its rules
// (or may `escalate` roles/clusterroles); a RoleBinding or ClusterRoleBinding only by a user
// who may `bind` the role it references (or holds every permission of that role). The
// system:masters group — and so the API server's own loopback writes — is exempt. Run in
// admission's validate phase, after mutating admission, as kube checks it before storing.
import { errors, StatusError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/types.ts';
import type { AdmissionAttributes, AdmissionPlugin } from '../../registry/admission.ts';
import type { AuthorizationAttributes, Authorizer, UserInfo } from '../../api/authorization.ts';
import { compactRules, compactString, covers, goQuotedList } from './covers.ts';
import type { RuleResolver } from './rule-resolver.ts';
import { all, rbacGroup, type BindingObject, type PolicyRule, type RoleObject } from './types.ts';

export interface RbacAuthorization {
  /** The server's whole authorizer (system:masters, then RBAC), which `escalate` and `bind` are asked of. */
  authorizer: Authorizer;
  ruleResolver: RuleResolver;
}

/** What it takes to set an aggregationRule: everything (kube's fullAuthority). */
const fullAuthority: PolicyRule[] = [{ verbs: [all], apiGroups: [all], resources: [all] }, { verbs: [all], nonResourceURLs: [all] }];

/** ConfirmNoEscalation's message, or undefined when the user's rules in `namespace` cover `rules`. */
export function escalationError(resolver: RuleResolver, user: UserInfo, namespace: string, rules: PolicyRule[]): string | undefined {
  const owned = resolver.rulesFor(user, namespace);
  const { covered, missing } = covers(owned.rules, rules);
  if (covered) return undefined;
  const described = [...new Set(compactRules(missing).map(compactString))].sort();
  let msg = `user ${JSON.stringify(user.username)} (groups=${goQuotedList(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${described.join('\n')}`;
  if (owned.errors.length) msg += `; resolution errors: [${owned.errors.join(' ')}]`;
  return msg;
}

/** IsOnlyMutatingGCFields: an update touching only ownerReferences and finalizers is never checked. */
function onlyGCFieldsChanged(obj: KubeObject, old: KubeObject | undefined): boolean {
  if (!old) return false;
  const strip = (o: KubeObject) => {
    const { ownerReferences: _o, finalizers: _f, managedFields: _m, resourceVersion: _r, generation: _g, ...metadata } = o.metadata;
    return JSON.stringify({ ...o, metadata });
  };
  return strip(obj) === strip(old);
}

async function allowed(authorizer: Authorizer, attrs: AuthorizationAttributes): Promise<boolean> {
  return (await authorizer.authorize(attrs)).decision === 'Allow';
}

async function checkRole(a: RbacAuthorization, attrs: AdmissionAttributes): Promise<void> {
  const role = attrs.object as RoleObject;
  const plural = attrs.def.plural;
  const namespace = attrs.namespace ?? '';
  // RoleEscalationAuthorized: the `escalate` verb on the request's own resource and name.
  const name = attrs.operation === 'CREATE' ? '' : attrs.name;
  if (await allowed(a.authorizer, {
    user: attrs.user, verb: 'escalate', resourceRequest: true, path: '', apiGroup: rbacGroup, apiVersion: '*',
    resource: plural, namespace: namespace || undefined, name: name || undefined,
  })) return;
  const forbidden = (why: string) => errors.forbidden({ group: rbacGroup, resource: plural }, attrs.name, why);
  const err = escalationError(a.ruleResolver, attrs.user, namespace, role.rules ?? []);
  if (err) throw forbidden(err);
  if (plural === 'clusterroles' && role.aggregationRule && escalationError(a.ruleResolver, attrs.user, namespace, fullAuthority)) {
    throw forbidden('must have cluster-admin privileges to use the aggregationRule');
  }
}

async function checkBinding(a: RbacAuthorization, attrs: AdmissionAttributes): Promise<void> {
  const binding = attrs.object as BindingObject;
  const namespace = attrs.namespace ?? '';
  const ref = binding.roleRef;
  // BindingAuthorized: `bind` on the referenced role, checked in the binding's namespace.
  if ((ref.kind === 'ClusterRole' || ref.kind === 'Role') && await allowed(a.authorizer, {
    user: attrs.user, verb: 'bind', resourceRequest: true, path: '', apiGroup: ref.apiGroup, resource: ref.kind === 'Role' ? 'roles' : 'clusterroles',
    namespace: namespace || undefined, name: ref.name,
  })) return;
  const resolved = a.ruleResolver.roleReferenceRules(ref, namespace);
  if ('error' in resolved) {
    throw ref.kind === 'Role' || ref.kind === 'ClusterRole'
      ? errors.notFound({ group: rbacGroup, resource: ref.kind === 'Role' ? 'roles' : 'clusterroles' }, ref.name)
      : new StatusError(500, 'InternalError', `Internal error occurred: ${resolved.error}`);
  }
  const err = escalationError(a.ruleResolver, attrs.user, namespace, resolved.rules);
  if (err) throw errors.forbidden({ group: rbacGroup, resource: attrs.def.plural }, attrs.name, err);
}

/** `authorization` is read per request: the server's authorizer exists only once serving is prepared. */
export function rbacEscalationPlugin(authorization: () => RbacAuthorization | undefined): AdmissionPlugin {
  return {
    name: 'RBACEscalation',
    async validate(attrs) {
      const a = authorization();
      if (!a || attrs.def.group !== rbacGroup || attrs.subresource) return;
      if (attrs.operation !== 'CREATE' && attrs.operation !== 'UPDATE') return;
      // EscalationAllowed: system:masters, which the API server's own writes are in.
      if (attrs.user.groups.includes('system:masters')) return;
      if (attrs.operation === 'UPDATE' && onlyGCFieldsChanged(attrs.object!, attrs.oldObject)) return;
      if (attrs.def.plural === 'roles' || attrs.def.plural === 'clusterroles') await checkRole(a, attrs);
      else if (attrs.def.plural === 'rolebindings' || attrs.def.plural === 'clusterrolebindings') await checkBinding(a, attrs);
    },
  };
}
