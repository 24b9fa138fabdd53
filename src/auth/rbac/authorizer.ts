// The RBAC authorizer, as plugin/pkg/auth/authorizer/rbac: allow when any rule that applies to
// the user allows the request ("RBAC: allowed by ClusterRoleBinding ..."), otherwise no
// opinion — with, as the reason appended to the 403, the errors met resolving the user's
// bindings (`RBAC: clusterrole.rbac.authorization.k8s.io "x" not found`), if any.
import type { AuthorizationAttributes, AuthorizationResult, Authorizer } from '../../api/authorization.ts';
import { describeSource, type RuleResolver } from './rule-resolver.ts';
import { ruleAllows } from './rule-match.ts';

/** utilerrors.NewAggregate(...).Error(): one message alone, several in brackets. */
export function aggregateErrors(errors: string[]): string {
  return errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`;
}

/** Decisions remembered at once; past this the memory starts again (a cheap bound, not an LRU). */
const maxRememberedDecisions = 4096;

export class RBACAuthorizer implements Authorizer {
  /**
   * Decisions by request attributes, valid while the policy's generation stays the same: a
   * client repeating one kind of request (a controller's writes, a load of creates) is
   * authorized by one map lookup instead of a walk over its bindings and their rules.
   */
  private decisions = new Map<string, AuthorizationResult>();
  private decisionsGeneration = -1;

  constructor(private readonly resolver: RuleResolver) {}

  authorize(attrs: AuthorizationAttributes): AuthorizationResult {
    const generation = this.resolver.cache.generation;
    if (generation !== this.decisionsGeneration || this.decisions.size >= maxRememberedDecisions) {
      this.decisions = new Map();
      this.decisionsGeneration = generation;
    }
    const key = decisionKey(attrs);
    let result = this.decisions.get(key);
    if (!result) {
      result = this.evaluate(attrs);
      this.decisions.set(key, result);
    }
    return result;
  }

  private evaluate(attrs: AuthorizationAttributes): AuthorizationResult {
    let reason: string | undefined;
    const errors: string[] = [];
    this.resolver.visitRulesFor(attrs.user, attrs.namespace ?? '', (source, rule, err) => {
      if (rule && source && ruleAllows(attrs, rule)) {
        reason = `RBAC: allowed by ${describeSource(source)}`;
        return false;
      }
      if (err) errors.push(err);
      return true;
    });
    if (reason) return { decision: 'Allow', reason };
    return { decision: 'NoOpinion', reason: errors.length ? `RBAC: ${aggregateErrors(errors)}` : undefined };
  }
}

/**
 * Everything of the attributes a rule or binding can look at, in one string: every attribute
 * but the path of a resource request (rules match resources, never a resource request's URL),
 * so an attribute added later is part of the key without anyone remembering to add it here.
 */
function decisionKey(a: AuthorizationAttributes): string {
  const u = a.user;
  let key = `${u.username}\u0000${u.uid ?? ''}\u0000${u.groups.join(',')}\u0000${u.extra ? JSON.stringify(u.extra) : ''}`;
  for (const [name, value] of Object.entries(a)) {
    if (name === 'user' || (name === 'path' && a.resourceRequest) || value === undefined) continue;
    key += `\u0000${name}=${typeof value === 'object' ? JSON.stringify(value) : String(value)}`;
  }
  return key;
}
