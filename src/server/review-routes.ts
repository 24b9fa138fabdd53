// The POST handler of a create-only kind that nothing stores — authorization.k8s.io's access
// reviews, authentication.k8s.io's TokenReview and SelfSubjectReview — as kube's rest.Creater
// without a store: the body is decoded like any create (JSON, YAML, protobuf) and must be of
// the kind; the answer is the review with its status, 201. Every other verb on these kinds is
// the generic routes' 405, as kube-apiserver registers only `create` for them.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errors } from '../api/errors.ts';
import type { KubeObject } from '../api/types.ts';
import type { ReviewContext } from '../auth/access-reviews.ts';
import { expectedTypeMeta } from '../registry/decode.ts';
import type { ResourceDef } from '../registry/types.ts';
import { decodeRequestBody, negotiate } from './negotiate.ts';
import { protobufMediaType } from './protobuf/index.ts';
import { sendObject } from './respond.ts';

export type Review = (obj: KubeObject, ctx: ReviewContext) => Promise<KubeObject> | KubeObject;

const bodyTypes = ['application/json', 'application/yaml', protobufMediaType];

export function reviewHandler(def: ResourceDef, review: Review) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const rep = negotiate(req.headers.accept, []);
    const expected = expectedTypeMeta(def);
    const body = decodeRequestBody(req.body as Buffer | undefined, req.headers['content-type'], bodyTypes, expected);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw errors.badRequest(`Object '${def.kind}' is missing in '${JSON.stringify(body ?? null)}'`);
    }
    const obj = body as KubeObject;
    if (obj.kind && obj.kind !== expected.kind) throw errors.badRequest(`${obj.kind} is not suitable for converting to "${expected.kind}"`);
    if (obj.apiVersion && obj.apiVersion !== expected.apiVersion) {
      throw errors.badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${expected.apiVersion})`);
    }
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
}
