// The claims of a ServiceAccount token, as kube's pkg/serviceaccount/claims.go writes them,
// and the user such a token stands for, as k8s.io/apiserver's serviceaccount.UserInfo makes it.
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../../api/types.ts';
import { allAuthenticated, type UserInfo } from '../../api/authorization.ts';

/** A token asked for with this lifetime and bound to a pod gets a year instead, and a warning after it (the kube-api-access volume's 3607 s). */
export const warnOnlyBoundTokenExpirationSeconds = 60 * 60 + 7;
export const expirationExtensionSeconds = 24 * 365 * 60 * 60;

export interface ObjectRef {
  name: string;
  uid?: string;
}

/** The private `kubernetes.io` claim. */
export interface KubernetesClaim {
  namespace: string;
  serviceaccount: ObjectRef;
  pod?: ObjectRef;
  secret?: ObjectRef;
  node?: ObjectRef;
  warnafter?: number;
}

export interface ServiceAccountClaims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  jti: string;
  'kubernetes.io': KubernetesClaim;
}

export const serviceAccountUsernamePrefix = 'system:serviceaccount:';
export const allServiceAccountsGroup = 'system:serviceaccounts';

/** serviceaccount.MakeUsername. */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `${serviceAccountUsernamePrefix}${namespace}:${name}`;
}

/** serviceaccount.MakeGroupNames. */
export function serviceAccountGroups(namespace: string): string[] {
  return [allServiceAccountsGroup, `${allServiceAccountsGroup}:${namespace}`];
}

/** The keys of user.Info's extra that ServiceAccount users carry. */
export const extraKeys = {
  podName: 'authentication.kubernetes.io/pod-name',
  podUID: 'authentication.kubernetes.io/pod-uid',
  nodeName: 'authentication.kubernetes.io/node-name',
  nodeUID: 'authentication.kubernetes.io/node-uid',
  credentialID: 'authentication.kubernetes.io/credential-id',
} as const;

export interface ClaimsRequest {
  issuer: string;
  serviceAccount: KubeObject;
  pod?: KubeObject;
  secret?: KubeObject;
  /** The pod's node (claims carry it for pod-bound tokens, ServiceAccountTokenPodNodeInfo), or the bound node. */
  node?: ObjectRef;
  expirationSeconds: number;
  /** Seconds after which a still-used token is reported stale (0: none). */
  warnAfterSeconds: number;
  audiences: string[];
  /** Seconds since the epoch. */
  now: number;
}

const ref = (obj: KubeObject): ObjectRef => ({ name: obj.metadata.name!, uid: obj.metadata.uid });

/** claims.go's Claims: the public claims, a fresh jti (ServiceAccountTokenJTI), and what the token is bound to. */
export function serviceAccountClaims(req: ClaimsRequest): ServiceAccountClaims {
  const sa = req.serviceAccount;
  const namespace = sa.metadata.namespace!;
  const kubernetes: KubernetesClaim = { namespace, serviceaccount: ref(sa) };
  if (req.pod) {
    kubernetes.pod = ref(req.pod);
    if (req.node) kubernetes.node = req.node;
  } else if (req.secret) {
    kubernetes.secret = ref(req.secret);
  } else if (req.node) {
    kubernetes.node = req.node;
  }
  if (req.warnAfterSeconds) kubernetes.warnafter = req.now + req.warnAfterSeconds;
  return {
    iss: req.issuer,
    sub: serviceAccountUsername(namespace, sa.metadata.name!),
    aud: req.audiences,
    exp: req.now + req.expirationSeconds,
    iat: req.now,
    nbf: req.now,
    jti: randomUUID(),
    'kubernetes.io': kubernetes,
  };
}

/** What a validated token says about its caller (kube's ServiceAccountInfo). */
export interface ServiceAccountInfo {
  namespace: string;
  name: string;
  uid: string;
  podName?: string;
  podUID?: string;
  nodeName?: string;
  nodeUID?: string;
  /** `JTI=<jti>` (CredentialIDForJTI). */
  credentialID?: string;
}

/** ServiceAccountInfo.UserInfo, plus system:authenticated (kube's authenticated-group adder). */
export function serviceAccountUser(sa: ServiceAccountInfo): UserInfo {
  const extra: Record<string, string[]> = {};
  if (sa.podName && sa.podUID) {
    extra[extraKeys.podName] = [sa.podName];
    extra[extraKeys.podUID] = [sa.podUID];
  }
  if (sa.credentialID) extra[extraKeys.credentialID] = [sa.credentialID];
  if (sa.nodeName) {
    extra[extraKeys.nodeName] = [sa.nodeName];
    if (sa.nodeUID) extra[extraKeys.nodeUID] = [sa.nodeUID];
  }
  const user: UserInfo = {
    username: serviceAccountUsername(sa.namespace, sa.name),
    uid: sa.uid,
    groups: [...serviceAccountGroups(sa.namespace), allAuthenticated],
  };
  if (Object.keys(extra).length) user.extra = extra;
  return user;
}
