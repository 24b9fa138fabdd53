// The authorizers in kube-apiserver's order: the system:masters group may do anything (kube's
// privileged-group authorizer), then the configured authorizer. Until kubelite has RBAC, the
// configured one allows any authenticated user everything, and anonymous users only what
// kube's system:public-info-viewer ClusterRole grants: the health and version endpoints.
import { allAuthenticated, type AuthorizationAttributes, type AuthorizationResult, type Authorizer } from './types.ts';

const publicInfoPaths = ['/healthz', '/livez', '/readyz', '/version'];

function isPublicInfo(attrs: AuthorizationAttributes): boolean {
  return !attrs.resourceRequest && attrs.verb === 'get'
    && publicInfoPaths.some((p) => attrs.path === p || attrs.path === `${p}/` || attrs.path.startsWith(`${p}/`));
}

export const authenticatedAuthorizer: Authorizer = {
  authorize(attrs) {
    if (attrs.user.groups.includes(allAuthenticated)) return { decision: 'Allow' };
    return isPublicInfo(attrs) ? { decision: 'Allow' } : { decision: 'NoOpinion' };
  },
};

/** Runs authorizers in order; the first Allow or Deny decides. */
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
