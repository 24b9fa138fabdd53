// The authorizers in kube-apiserver's order: the system:masters group may do anything (kube's
// privileged-group authorizer), then the configured authorizer — RBAC by default
// (src/auth/rbac/), as kubeadm runs kube-apiserver with --authorization-mode=Node,RBAC.
import type { AuthorizationAttributes, AuthorizationResult, Authorizer } from '../api/authorization.ts';

/** Runs authorizers in order; the first Allow or Deny decides, the reasons of the rest are joined. */
export function unionAuthorizer(...authorizers: Authorizer[]): Authorizer {
  // Synchronous while every authorizer answers synchronously (RBAC and the privileged group
  // do): authorization then costs no promise per request.
  const from = (start: number, attrs: AuthorizationAttributes, reasons: string[]): AuthorizationResult | Promise<AuthorizationResult> => {
    for (let i = start; i < authorizers.length; i++) {
      const answer = authorizers[i].authorize(attrs);
      if (answer instanceof Promise) {
        return answer.then((result) => {
          if (result.decision !== 'NoOpinion') return result;
          if (result.reason) reasons.push(result.reason);
          return from(i + 1, attrs, reasons);
        });
      }
      if (answer.decision !== 'NoOpinion') return answer;
      if (answer.reason) reasons.push(answer.reason);
    }
    return { decision: 'NoOpinion', reason: reasons.join(', ') || undefined };
  };
  return { authorize: (attrs) => from(0, attrs, []) };
}

export const privilegedGroupAuthorizer: Authorizer = {
  authorize: (attrs) => (attrs.user.groups.includes('system:masters') ? { decision: 'Allow' } : { decision: 'NoOpinion' }),
};
