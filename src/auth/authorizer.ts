// The authorizers in kube-apiserver's order: the system:masters group may do anything (kube's
// privileged-group authorizer), then the configured authorizer — RBAC by default
// (src/auth/rbac/), as kubeadm runs kube-apiserver with --authorization-mode=Node,RBAC.
import type { AuthorizationResult, Authorizer } from '../api/authorization.ts';

/** Runs authorizers in order; the first Allow or Deny decides, the reasons of the rest are joined. */
export function unionAuthorizer(...authorizers: Authorizer[]): Authorizer {
  return {
    async authorize(attrs): Promise<AuthorizationResult> {
      const reasons: string[] = [];
      for (const a of authorizers) {
        const result = await a.authorize(attrs);
        if (result.decision !== 'NoOpinion') return result;
        if (result.reason) reasons.push(result.reason);
      }
      return { decision: 'NoOpinion', reason: reasons.join(', ') || undefined };
    },
  };
}

export const privilegedGroupAuthorizer: Authorizer = {
  authorize: (attrs) => (attrs.user.groups.includes('system:masters') ? { decision: 'Allow' } : { decision: 'NoOpinion' }),
};
