// Impersonation, as k8s.io/apiserver's WithImpersonation filter: `Impersonate-User`,
// `Impersonate-Group` (repeatable), `Impersonate-Uid` and `Impersonate-Extra-<key>` make the
// request act as another user, once the requester is authorized to `impersonate` each part —
// users, groups, serviceaccounts, uids (core group) and userextras/<key>
// (authentication.k8s.io). The impersonated user gets system:authenticated (or, as anonymous,
// system:unauthenticated) unless the groups asked for already say which.
import type { IncomingMessage } from 'node:http';
import { StatusError } from '../api/errors.ts';
import { allServiceAccountsGroup, splitServiceAccountUsername } from './rbac/types.ts';
import { allAuthenticated, allUnauthenticated, anonymousUser, type AuthorizationAttributes, type Authorizer, type UserInfo } from '../api/authorization.ts';

const userHeader = 'impersonate-user';
const groupHeader = 'impersonate-group';
const uidHeader = 'impersonate-uid';
const extraPrefix = 'impersonate-extra-';

/** One thing asked for, as kube's ObjectReference per impersonation request. */
interface ImpersonationRequest {
  kind: 'User' | 'ServiceAccount' | 'Group' | 'UserExtra' | 'UID';
  name: string;
  namespace?: string;
  /** The extra's key (kube carries it in FieldPath). */
  extraKey?: string;
}

/** Go's %v of a v1.ObjectReference, for the one error kube words with it. */
function goObjectReference(r: ImpersonationRequest): string {
  const apiVersion = r.kind === 'UserExtra' || r.kind === 'UID' ? 'authentication.k8s.io/v1' : '';
  return `{${[r.kind, r.namespace ?? '', r.name, '', apiVersion, '', r.extraKey ?? ''].join(' ')}}`;
}

function unescapeExtraKey(key: string): string {
  try {
    return decodeURIComponent(key);
  } catch {
    return key;
  }
}

/** buildImpersonationRequests: what the headers ask for; groups, extras or a UID need a user too. */
export function impersonationRequests(req: IncomingMessage): ImpersonationRequest[] {
  // Almost no request impersonates: look at the raw header names before building headersDistinct.
  let any = false;
  for (let i = 0; i < req.rawHeaders.length && !any; i += 2) any = /^impersonate-/i.test(req.rawHeaders[i]);
  if (!any) return [];
  const headers = req.headersDistinct;
  const out: ImpersonationRequest[] = [];
  const user = headers[userHeader]?.[0] ?? '';
  if (user) {
    const sa = splitServiceAccountUsername(user);
    out.push(sa ? { kind: 'ServiceAccount', namespace: sa.namespace, name: sa.name } : { kind: 'User', name: user });
  }
  for (const group of headers[groupHeader] ?? []) out.push({ kind: 'Group', name: group });
  for (const [header, values] of Object.entries(headers)) {
    if (!header.startsWith(extraPrefix) || !values) continue;
    const extraKey = unescapeExtraKey(header.slice(extraPrefix.length));
    for (const value of values) out.push({ kind: 'UserExtra', name: value, extraKey });
  }
  const uid = headers[uidHeader]?.[0] ?? '';
  if (uid) out.push({ kind: 'UID', name: uid });
  if (!user && out.length > 0) {
    throw new StatusError(500, 'InternalError', `Internal error occurred: requested [${out.map(goObjectReference).join(' ')}] without impersonating a user`, {
      causes: [{ message: `requested [${out.map(goObjectReference).join(' ')}] without impersonating a user` }],
    });
  }
  return out;
}

/** What the requester must be allowed, per request: verb `impersonate` on the thing named. */
function impersonateAttributes(requestor: UserInfo, r: ImpersonationRequest): AuthorizationAttributes {
  const base = { user: requestor, verb: 'impersonate', resourceRequest: true, path: '', name: r.name };
  switch (r.kind) {
    case 'ServiceAccount': return { ...base, apiGroup: '', apiVersion: 'v1', resource: 'serviceaccounts', namespace: r.namespace };
    case 'User': return { ...base, apiGroup: '', apiVersion: 'v1', resource: 'users' };
    case 'Group': return { ...base, apiGroup: '', apiVersion: 'v1', resource: 'groups' };
    case 'UserExtra': return { ...base, apiGroup: 'authentication.k8s.io', apiVersion: 'v1', resource: 'userextras', subresource: r.extraKey };
    case 'UID': return { ...base, apiGroup: 'authentication.k8s.io', apiVersion: 'v1', resource: 'uids' };
  }
}

export type ImpersonationResult =
  | { user: UserInfo }
  | { denied: AuthorizationAttributes; reason?: string };

/**
 * The user the request acts as: the requester when it asks for no impersonation, the
 * impersonated user when every part is allowed, or the first part denied.
 */
export async function impersonate(req: IncomingMessage, requestor: UserInfo, authorizer: Authorizer): Promise<ImpersonationResult> {
  const requests = impersonationRequests(req);
  if (requests.length === 0) return { user: requestor };
  // Groups asked for are the whole list; otherwise a ServiceAccount's come from its name.
  const groupsSpecified = (req.headersDistinct[groupHeader]?.length ?? 0) > 0;
  let username = '';
  let uid: string | undefined;
  let groups: string[] = [];
  const extra: Record<string, string[]> = {};
  for (const r of requests) {
    const attrs = impersonateAttributes(requestor, r);
    switch (r.kind) {
      case 'ServiceAccount':
        username = `system:serviceaccount:${r.namespace}:${r.name}`;
        if (!groupsSpecified) groups = [allServiceAccountsGroup, `${allServiceAccountsGroup}:${r.namespace}`];
        break;
      case 'User': username = r.name; break;
      case 'Group': groups.push(r.name); break;
      case 'UserExtra': (extra[r.extraKey!] ??= []).push(r.name); break;
      case 'UID': uid = r.name; break;
    }
    const result = await authorizer.authorize(attrs);
    if (result.decision !== 'Allow') return { denied: attrs, reason: result.reason };
  }
  if (username !== anonymousUser.username) {
    if (!groups.includes(allAuthenticated) && !groups.includes(allUnauthenticated)) groups.push(allAuthenticated);
  } else if (!groups.includes(allUnauthenticated)) {
    groups.push(allUnauthenticated);
  }
  return { user: { username, groups, ...(uid !== undefined && { uid }), ...(Object.keys(extra).length && { extra }) } };
}
