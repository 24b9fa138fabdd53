// POST routes of authorization.k8s.io/v1's reviews (rows in registry/resources/authorization.ts),
// answered and never stored (see review-routes.ts).
import type { FastifyInstance } from 'fastify';
import { localSubjectAccessReview, selfSubjectAccessReview, selfSubjectRulesReview, subjectAccessReview } from '../auth/access-reviews.ts';
import type { RuleResolver } from '../auth/rbac/rule-resolver.ts';
import type { Authorizer } from '../api/authorization.ts';
import {
  localSubjectAccessReviewResource, selfSubjectAccessReviewResource, selfSubjectRulesReviewResource, subjectAccessReviewResource,
} from '../registry/resources/authorization.ts';
import { reviewHandler } from './review-routes.ts';

export interface AuthorizationApiOptions {
  authorizer: Authorizer;
  ruleResolver: RuleResolver;
}

const base = '/apis/authorization.k8s.io/v1';

export async function authorizationApiRoutes(app: FastifyInstance, opts: AuthorizationApiOptions): Promise<void> {
  const { authorizer, ruleResolver } = opts;
  app.post(`${base}/subjectaccessreviews`, reviewHandler(subjectAccessReviewResource, (o) => subjectAccessReview(authorizer, o)));
  app.post(`${base}/selfsubjectaccessreviews`, reviewHandler(selfSubjectAccessReviewResource, (o, ctx) => selfSubjectAccessReview(authorizer, o, ctx)));
  app.post(`${base}/selfsubjectrulesreviews`, reviewHandler(selfSubjectRulesReviewResource, (o, ctx) => selfSubjectRulesReview(ruleResolver, o, ctx)));
  app.post(`${base}/namespaces/:namespace/localsubjectaccessreviews`,
    reviewHandler(localSubjectAccessReviewResource, (o, ctx) => localSubjectAccessReview(authorizer, o, ctx)));
}
