// /openapi/v2 and /openapi/v3 through Fastify's inject(), on a bare instance with only the
// openapi plugin: content negotiation (protobuf is in test/openapi-protobuf.test.ts), ETags, the v3 index and its
// hash-addressed documents, and what kubectl looks for in them.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { openapiRoutes, registerOpenAPIV3, unregisterOpenAPIV3 } from '../src/server/openapi.ts';

const protobufV2 = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

let app: FastifyInstance;
before(async () => {
  app = Fastify();
  await app.register(openapiRoutes);
  await app.ready();
});
after(() => app.close());

async function v3Index(): Promise<Record<string, { serverRelativeURL: string }>> {
  const res = await app.inject({ method: 'GET', url: '/openapi/v3' });
  assert.equal(res.statusCode, 200);
  return res.json().paths;
}

describe('/openapi/v2', () => {
  it('serves the v2 document as JSON with an ETag, and 304 when it matches', async () => {
    const res = await app.inject({ method: 'GET', url: '/openapi/v2', headers: { accept: 'application/json' } });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    const spec = res.json();
    assert.equal(spec.swagger, '2.0');
    assert.ok(spec.definitions['io.k8s.api.apps.v1.Deployment']);
    const etag = String(res.headers.etag);
    assert.match(etag, /^"[0-9A-F]{128}"$/);
    const again = await app.inject({ method: 'GET', url: '/openapi/v2', headers: { 'if-none-match': etag } });
    assert.equal(again.statusCode, 304);
  });

  it('answers 406 with a Status when neither JSON nor protobuf is acceptable', async () => {
    for (const accept of ['application/xml', `${protobufV2};q=0, application/json;q=0`, 'text/*']) {
      const res = await app.inject({ method: 'GET', url: '/openapi/v2', headers: { accept } });
      assert.equal(res.statusCode, 406, accept);
      assert.match(String(res.headers['content-type']), /^application\/json/);
      const status = res.json();
      assert.equal(status.kind, 'Status');
      assert.equal(status.reason, 'NotAcceptable');
      assert.equal(status.code, 406);
    }
  });

  it('serves the preferred form: protobuf over JSON by q, as kube-openapi does', async () => {
    const res = await app.inject({ method: 'GET', url: '/openapi/v2', headers: { accept: `${protobufV2}, application/json;q=0.9` } });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
    const json = await app.inject({ method: 'GET', url: '/openapi/v2', headers: { accept: `${protobufV2};q=0.5, application/json` } });
    assert.match(String(json.headers['content-type']), /^application\/json/);
  });
});

describe('/openapi/v3', () => {
  it('indexes every group-version with a hash of its document', async () => {
    const paths = await v3Index();
    for (const gv of ['api', 'api/v1', 'apis', 'apis/apps', 'apis/apps/v1', 'apis/batch/v1', 'version']) assert.ok(paths[gv], gv);
    const url = paths['apis/apps/v1'].serverRelativeURL;
    assert.match(url, /^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]{128}$/);
    const doc = await app.inject({ method: 'GET', url });
    const hash = createHash('sha512').update(doc.rawPayload).digest('hex').toUpperCase();
    assert.equal(url.split('hash=')[1], hash);
  });

  it('serves a group-version document kubectl can explain and verify fieldValidation with', async () => {
    const res = await app.inject({ method: 'GET', url: '/openapi/v3/apis/apps/v1', headers: { accept: 'application/json' } });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['cache-control'], 'no-cache, private');
    const doc = res.json();
    assert.equal(doc.openapi, '3.0.0');
    const deployment = doc.components.schemas['io.k8s.api.apps.v1.Deployment'];
    assert.deepEqual(deployment['x-kubernetes-group-version-kind'], [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
    // Schemas the paths reach through other schemas are there too, with their patch metadata.
    const containers = doc.components.schemas['io.k8s.api.core.v1.PodSpec'].properties.containers;
    assert.equal(containers['x-kubernetes-patch-merge-key'], 'name');
    assert.equal(containers.items.$ref, '#/components/schemas/io.k8s.api.core.v1.Container');
    // kubectl's QueryParamVerifierV3 looks for fieldValidation on the kind's PATCH operation.
    const patch = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch;
    assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'apps', kind: 'Deployment', version: 'v1' });
    const fieldValidation = patch.parameters.find((p: { name: string }) => p.name === 'fieldValidation');
    assert.equal(fieldValidation.in, 'query');
    assert.equal(fieldValidation.schema.type, 'string');
    assert.ok(patch.requestBody.content['application/strategic-merge-patch+json']);
    assert.ok(patch.responses['200'].content['application/json'].schema.$ref);
    assert.equal(JSON.stringify(doc).includes('#/definitions/'), false);
  });

  it('marks hash-addressed documents immutable and redirects stale hashes', async () => {
    const url = (await v3Index())['apis/apps/v1'].serverRelativeURL;
    const res = await app.inject({ method: 'GET', url });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['cache-control'], 'public, immutable');
    assert.ok(res.headers.expires);
    const stale = await app.inject({ method: 'GET', url: '/openapi/v3/apis/apps/v1?hash=ABC' });
    assert.equal(stale.statusCode, 301);
    assert.equal(stale.headers.location, url);
  });

  it('answers 404 Status for unknown group-versions and 406 for protobuf-only', async () => {
    const missing = await app.inject({ method: 'GET', url: '/openapi/v3/apis/nope.example.com/v1' });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().reason, 'NotFound');
    const proto = await app.inject({
      method: 'GET', url: '/openapi/v3/api/v1', headers: { accept: 'application/com.github.proto-openapi.spec.v3@v1.0+protobuf' },
    });
    assert.equal(proto.statusCode, 406);
    assert.equal(proto.json().kind, 'Status');
  });

  it('adds and removes group-version documents at run time', async () => {
    const doc = { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'unversioned' }, paths: {}, components: {} };
    registerOpenAPIV3('apis/example.com/v1', doc);
    const url = (await v3Index())['apis/example.com/v1']?.serverRelativeURL;
    assert.ok(url);
    assert.deepEqual((await app.inject({ method: 'GET', url })).json(), doc);
    assert.equal(unregisterOpenAPIV3('apis/example.com/v1'), true);
    assert.equal((await v3Index())['apis/example.com/v1'], undefined);
    assert.equal((await app.inject({ method: 'GET', url: '/openapi/v3/apis/example.com/v1' })).statusCode, 404);
  });
});
