// POST routes of authorization.k8s.io/v1's reviews (rows in registry/resources/authorization.ts):
// decoded like any create (JSON, YAML, protobuf), answered 201 with the review and its status,
// never stored — kube's rest.Creater without a store. Every other verb on them is the generic
// handler's 405, as kube-apiserver registers only `create` for them.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errors } from '../api/errors.ts';
import type { KubeObject } from '../api/types.ts';
import { localSubjectAccessReview, selfSubjectAccessReview, selfSubjectRulesReview, subjectAccessReview, type ReviewContext } from '../auth/access-reviews.ts';
import type { RuleResolver } from '../auth/rbac/rule-resolver.ts';
import type { Authorizer } from '../auth/types.ts';
import { expectedTypeMeta } from '../registry/decode.ts';
import {
  localSubjectAccessReviewResource, selfSubjectAccessReviewResource, selfSubjectRulesReviewResource, subjectAccessReviewResource,
} from '../registry/resources/authorization.ts';
import type { ResourceDef } from '../registry/types.ts';
import { decodeRequestBody, negotiate } from './negotiate.ts';
import { protobufMediaType } from './protobuf/index.ts';
import { sendObject } from './respond.ts';

export interface AuthorizationApiOptions {
  authorizer: Authorizer;
  ruleResolver: RuleResolver;
}

type Review = (obj: KubeObject, ctx: ReviewContext) => Promise<KubeObject> | KubeObject;

const base = '/apis/authorization.k8s.io/v1';

export async function authorizationApiRoutes(app: FastifyInstance, opts: AuthorizationApiOptions): Promise<void> {
  const { authorizer, ruleResolver } = opts;
  const serve = (def: ResourceDef, review: Review) => async (req: FastifyRequest, reply: FastifyReply) => {
    const rep = negotiate(req.headers.accept, []);
    const body = decodeRequestBody(req.body as Buffer | undefined, req.headers['content-type'],
      ['application/json', 'application/yaml', protobufMediaType], expectedTypeMeta(def));
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw errors.badRequest(`Object '${def.kind}' is missing in '${JSON.stringify(body ?? null)}'`);
    }
    const obj = body as KubeObject;
    obj.metadata ??= {};
    const namespace = (req.params as { namespace?: string }).namespace;
    if (namespace !== undefined) {
      // rest.EnsureObjectNamespaceMatchesRequestNamespace, as the create handler does.
      if (obj.metadata.namespace && obj.metadata.namespace !== namespace) {
        throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      obj.metadata.namespace = namespace;
    }
    const answer = await review(obj, { user: req.user, namespace });
    return sendObject(reply, rep, { code: 201, def, object: answer, includeObject: 'Metadata' });
  };
  app.post(`${base}/subjectaccessreviews`, serve(subjectAccessReviewResource, (o) => subjectAccessReview(authorizer, o)));
  app.post(`${base}/selfsubjectaccessreviews`, serve(selfSubjectAccessReviewResource, (o, ctx) => selfSubjectAccessReview(authorizer, o, ctx)));
  app.post(`${base}/selfsubjectrulesreviews`, serve(selfSubjectRulesReviewResource, (o, ctx) => selfSubjectRulesReview(ruleResolver, o, ctx)));
  app.post(`${base}/namespaces/:namespace/localsubjectaccessreviews`,
    serve(localSubjectAccessReviewResource, (o, ctx) => localSubjectAccessReview(authorizer, o, ctx)));
}
