// The authorization.k8s.io/v1 reviews, as pkg/registry/authorization answers them: a
// SubjectAccessReview asks the authorizer about any user, a LocalSubjectAccessReview about
// any user in one namespace, a SelfSubjectAccessReview about the requester, and a
// SelfSubjectRulesReview lists the rules the requester has in a namespace. Nothing is stored.
import { errors, field, type FieldError } from '../api/errors.ts';
import type { KubeObject } from '../api/types.ts';
import type { RuleResolver } from './rbac/rule-resolver.ts';
import { aggregateErrors } from './rbac/authorizer.ts';
import type { AuthorizationAttributes, Authorizer, UserInfo } from '../api/authorization.ts';

interface ResourceAttributes {
  namespace?: string; verb?: string; group?: string; version?: string; resource?: string; subresource?: string; name?: string;
}
interface NonResourceAttributes { path?: string; verb?: string }
interface ReviewSpec {
  resourceAttributes?: ResourceAttributes | null;
  nonResourceAttributes?: NonResourceAttributes | null;
  user?: string; groups?: string[]; uid?: string; extra?: Record<string, string[]>;
}

export interface ReviewContext {
  /** The requester (after impersonation). */
  user: UserInfo;
  /** The URL's namespace (LocalSubjectAccessReview). */
  namespace?: string;
}

/** authorizationutil.ResourceAttributesFrom / NonResourceAttributesFrom. */
function attributesFrom(user: UserInfo, spec: ReviewSpec): AuthorizationAttributes {
  const r = spec.resourceAttributes;
  if (r) {
    return {
      user, verb: r.verb ?? '', resourceRequest: true, path: '',
      namespace: r.namespace || undefined, apiGroup: r.group ?? '', apiVersion: r.version || '*',
      resource: r.resource ?? '', subresource: r.subresource || undefined, name: r.name || undefined,
    };
  }
  const n = spec.nonResourceAttributes ?? {};
  return { user, verb: n.verb ?? '', resourceRequest: false, path: n.path ?? '' };
}

/** The checks every review spec gets (ValidateSelfSubjectAccessReviewSpec). */
function validateAttributes(spec: ReviewSpec): FieldError[] {
  if (spec.resourceAttributes && spec.nonResourceAttributes) {
    return [field.invalid('spec.nonResourceAttributes', spec.nonResourceAttributes, 'cannot be specified in combination with resourceAttributes')];
  }
  if (!spec.resourceAttributes && !spec.nonResourceAttributes) {
    return [field.invalid('spec.resourceAttributes', spec.nonResourceAttributes ?? null, 'exactly one of nonResourceAttributes or resourceAttributes must be specified')];
  }
  return [];
}

/** metadata must be empty (ManagedFields aside; a LocalSubjectAccessReview's namespace aside). */
function validateEmptyMetadata(obj: KubeObject, allowNamespace: boolean): FieldError[] {
  const { managedFields: _m, namespace: _n, ...rest } = obj.metadata ?? {};
  const others = Object.entries(rest).filter(([, v]) => v !== undefined && v !== null && v !== '');
  return others.length > 0 || (!allowNamespace && obj.metadata?.namespace) ? [field.invalid('metadata', obj.metadata, 'must be empty')] : [];
}

function throwInvalid(kind: string, errs: FieldError[]): void {
  if (errs.length > 0) throw errors.invalid(kind, 'authorization.k8s.io', '', errs);
}

async function decide(authorizer: Authorizer, attrs: AuthorizationAttributes): Promise<Record<string, unknown>> {
  const result = await authorizer.authorize(attrs);
  const status: Record<string, unknown> = { allowed: result.decision === 'Allow' };
  if (result.decision === 'Deny') status.denied = true;
  if (result.reason) status.reason = result.reason;
  return status;
}

function answer(obj: KubeObject, status: Record<string, unknown>): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, creationTimestamp: null } as KubeObject['metadata'], status };
}

export async function subjectAccessReview(authorizer: Authorizer, obj: KubeObject): Promise<KubeObject> {
  const spec = (obj.spec ?? {}) as ReviewSpec;
  const errs = validateAttributes(spec);
  if (!spec.user && !spec.groups?.length) errs.push(field.invalid('spec.user', spec.user ?? '', 'at least one of user or group must be specified'));
  throwInvalid('SubjectAccessReview', [...errs, ...validateEmptyMetadata(obj, false)]);
  const user: UserInfo = { username: spec.user ?? '', uid: spec.uid, groups: spec.groups ?? [], extra: spec.extra };
  return answer(obj, await decide(authorizer, attributesFrom(user, spec)));
}

export async function localSubjectAccessReview(authorizer: Authorizer, obj: KubeObject, ctx: ReviewContext): Promise<KubeObject> {
  if (!ctx.namespace) throw errors.badRequest('namespace is required on this type: ');
  const spec = (obj.spec ?? {}) as ReviewSpec;
  const errs = validateAttributes(spec);
  if (!spec.user && !spec.groups?.length) errs.push(field.invalid('spec.user', spec.user ?? '', 'at least one of user or group must be specified'));
  if (spec.resourceAttributes && (spec.resourceAttributes.namespace ?? '') !== ctx.namespace) {
    errs.push(field.invalid('spec.resourceAttributes.namespace', spec.resourceAttributes.namespace ?? '', 'must match metadata.namespace'));
  }
  if (spec.nonResourceAttributes) errs.push(field.invalid('spec.nonResourceAttributes', spec.nonResourceAttributes, 'disallowed on this kind of request'));
  throwInvalid('LocalSubjectAccessReview', [...errs, ...validateEmptyMetadata(obj, true)]);
  const user: UserInfo = { username: spec.user ?? '', uid: spec.uid, groups: spec.groups ?? [], extra: spec.extra };
  return answer(obj, await decide(authorizer, attributesFrom(user, spec)));
}

export async function selfSubjectAccessReview(authorizer: Authorizer, obj: KubeObject, ctx: ReviewContext): Promise<KubeObject> {
  const spec = (obj.spec ?? {}) as ReviewSpec;
  throwInvalid('SelfSubjectAccessReview', [...validateAttributes(spec), ...validateEmptyMetadata(obj, false)]);
  return answer(obj, await decide(authorizer, attributesFrom(ctx.user, spec)));
}

/** SelfSubjectRulesReview: RBAC's RulesFor, split into resource and non-resource rules. */
export function selfSubjectRulesReview(resolver: RuleResolver, obj: KubeObject, ctx: ReviewContext): KubeObject {
  const namespace = (obj.spec as { namespace?: string } | undefined)?.namespace;
  if (!namespace) throw errors.badRequest('no namespace on request');
  const { rules, errors: resolutionErrors } = resolver.rulesFor(ctx.user, namespace);
  const status: Record<string, unknown> = {
    resourceRules: rules.filter((r) => r.resources?.length).map((r) => ({
      verbs: r.verbs, ...(r.apiGroups && { apiGroups: r.apiGroups }), resources: r.resources, ...(r.resourceNames?.length && { resourceNames: r.resourceNames }),
    })),
    nonResourceRules: rules.filter((r) => r.nonResourceURLs?.length).map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs })),
    incomplete: false,
  };
  if (resolutionErrors.length) status.evaluationError = aggregateErrors(resolutionErrors);
  return { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', metadata: { creationTimestamp: null } as unknown as KubeObject['metadata'], spec: {}, status };
}
