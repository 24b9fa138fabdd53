// Who is asking and what they ask, as k8s.io/apiserver's authentication.user.Info and
// authorization.authorizer.Attributes: authenticators turn a request's credentials into a
// UserInfo; the authorizer judges Attributes; admission and the registry see the same user.

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/** The groups every authenticated user is in, and the anonymous user's. */
export const allAuthenticated = 'system:authenticated';
export const allUnauthenticated = 'system:unauthenticated';
export const anonymousUser: UserInfo = { username: 'system:anonymous', groups: [allUnauthenticated] };

/** What the request does, in authorization's terms (kube's RequestInfo + user). */
export interface AuthorizationAttributes {
  user: UserInfo;
  /** get, list, watch, create, update, patch, delete, deletecollection, or for non-resource URLs the lowercased HTTP method; impersonate. */
  verb: string;
  resourceRequest: boolean;
  /** For non-resource requests: the URL path. */
  path: string;
  apiGroup?: string;
  apiVersion?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export type Decision = 'Allow' | 'Deny' | 'NoOpinion';

export interface AuthorizationResult {
  decision: Decision;
  /** Why; appended to the Forbidden message when denied. */
  reason?: string;
}

export interface Authorizer {
  authorize(attrs: AuthorizationAttributes): Promise<AuthorizationResult> | AuthorizationResult;
}
