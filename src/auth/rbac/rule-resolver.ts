// Which rules apply to a user in a namespace, as pkg/registry/rbac/validation's
// DefaultRuleResolver: the rules of every ClusterRoleBinding naming the user (or a group of
// theirs), then — in a namespace — of every RoleBinding there. A binding whose role is missing
// contributes an error instead of rules; the authorizer reports those errors when it denies.
import type { UserInfo } from '../../api/authorization.ts';
import type { PolicyCache } from './policy-cache.ts';
import { serviceAccountUsername, type BindingObject, type PolicyRule, type RoleRef, type Subject } from './types.ts';

/** Where a rule came from, worded as kube's clusterRoleBindingDescriber / roleBindingDescriber. */
export interface RuleSource {
  binding: BindingObject;
  subject: Subject;
}

export function describeSource({ binding, subject }: RuleSource): string {
  const ns = binding.metadata.namespace;
  const name = ns ? `${binding.metadata.name}/${ns}` : binding.metadata.name!;
  const kind = ns ? 'RoleBinding' : 'ClusterRoleBinding';
  const who = subject.kind === 'ServiceAccount'
    ? `${subject.kind} ${JSON.stringify(`${subject.name}/${subject.namespace || ns || ''}`)}`
    : `${subject.kind} ${JSON.stringify(subject.name)}`;
  return `${kind} ${JSON.stringify(name)} of ${binding.roleRef.kind} ${JSON.stringify(binding.roleRef.name)} to ${who}`;
}

/** Returns false to stop visiting. */
export type RuleVisitor = (source: RuleSource | undefined, rule: PolicyRule | undefined, err: string | undefined) => boolean;

/** rbac's appliesToUser: the first subject of `subjects` naming this user. */
export function appliesTo(user: UserInfo, subjects: Subject[] | null | undefined, namespace: string): Subject | undefined {
  return (subjects ?? []).find((s) => {
    switch (s.kind) {
      case 'User': return s.name === user.username;
      case 'Group': return user.groups.includes(s.name);
      case 'ServiceAccount': {
        const ns = s.namespace || namespace;
        return ns !== '' && serviceAccountUsername(ns, s.name) === user.username;
      }
      default: return false;
    }
  });
}

export class RuleResolver {
  constructor(readonly cache: PolicyCache) {}

  /** GetRoleReferenceRules: the rules of a binding's role, or kube's lister NotFound message. */
  roleReferenceRules(ref: RoleRef, namespace: string): { rules: PolicyRule[] } | { error: string } {
    if (ref.kind === 'ClusterRole') {
      const role = this.cache.clusterRoles.get(ref.name);
      return role ? { rules: role.rules ?? [] } : { error: `clusterrole.rbac.authorization.k8s.io ${JSON.stringify(ref.name)} not found` };
    }
    if (ref.kind === 'Role') {
      const role = this.cache.roles.get(`${namespace}/${ref.name}`);
      return role ? { rules: role.rules ?? [] } : { error: `role.rbac.authorization.k8s.io ${JSON.stringify(ref.name)} not found` };
    }
    return { error: `unsupported role reference kind: ${JSON.stringify(ref.kind)}` };
  }

  visitRulesFor(user: UserInfo, namespace: string, visitor: RuleVisitor): void {
    if (!this.visitBindings(user, '', this.cache.clusterBindingsFor(user.username, user.groups), visitor)) return;
    if (namespace) this.visitBindings(user, namespace, this.cache.roleBindingsFor(namespace, user.username, user.groups), visitor);
  }

  /** RulesFor: every rule that applies, and the resolution errors met on the way. */
  rulesFor(user: UserInfo, namespace: string): { rules: PolicyRule[]; errors: string[] } {
    const rules: PolicyRule[] = [];
    const errors: string[] = [];
    this.visitRulesFor(user, namespace, (_source, rule, err) => {
      if (rule) rules.push(rule);
      if (err) errors.push(err);
      return true;
    });
    return { rules, errors };
  }

  private visitBindings(user: UserInfo, namespace: string, bindings: Iterable<BindingObject>, visitor: RuleVisitor): boolean {
    for (const binding of bindings) {
      const subject = appliesTo(user, binding.subjects, namespace);
      if (!subject) continue;
      const resolved = this.roleReferenceRules(binding.roleRef, namespace);
      if ('error' in resolved) {
        if (!visitor(undefined, undefined, resolved.error)) return false;
        continue;
      }
      for (const rule of resolved.rules) {
        if (!visitor({ binding, subject }, rule, undefined)) return false;
      }
    }
    return true;
  }
}
