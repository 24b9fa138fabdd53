// authorization.k8s.io/v1: the access reviews. Create-only and never stored — kube-apiserver
// answers a POST with the review and its status filled in (pkg/registry/authorization);
// src/server/authorization-api.ts serves them. These rows give discovery, kubectl's REST
// mapping and the request's authorization attributes their names.
import type { ResourceDef } from '../types.ts';

const review = (kind: string, plural: string, namespaced = false): ResourceDef => ({
  group: 'authorization.k8s.io', version: 'v1', kind, plural, singular: kind.toLowerCase(),
  shortNames: [], categories: [], namespaced, verbs: ['create'], subresources: [],
  schema: `io.k8s.api.authorization.v1.${kind}`, columns: [], strategy: {},
});

export const subjectAccessReviewResource = review('SubjectAccessReview', 'subjectaccessreviews');
export const localSubjectAccessReviewResource = review('LocalSubjectAccessReview', 'localsubjectaccessreviews', true);
export const selfSubjectAccessReviewResource = review('SelfSubjectAccessReview', 'selfsubjectaccessreviews');
export const selfSubjectRulesReviewResource = review('SelfSubjectRulesReview', 'selfsubjectrulesreviews');

export const authorizationResources = [
  localSubjectAccessReviewResource, selfSubjectAccessReviewResource, selfSubjectRulesReviewResource, subjectAccessReviewResource,
];
