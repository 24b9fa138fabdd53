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

export class RBACAuthorizer implements Authorizer {
  constructor(private readonly resolver: RuleResolver) {}

  authorize(attrs: AuthorizationAttributes): AuthorizationResult {
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
