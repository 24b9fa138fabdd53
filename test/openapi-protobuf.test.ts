// /openapi/v2 as gnostic's protobuf (openapi.v2.Document), the form kubectl downloads when
// its field-validation verifier falls back to OpenAPI v2 (kinds without a PATCH operation, such
// as SelfSubjectAccessReview and TokenReview) and for client-side schema validation. The bytes
// are decoded with protobufjs against gnostic's own .proto (vendored in test/fixtures/gnostic)
// and compared with the JSON form, including custom resources' definitions added at run time.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs';
import YAML from 'yaml';
import { encodeOpenAPIV2Document } from '../src/server/openapi-protobuf/index.ts';
import { negotiateOpenAPIV2 } from '../src/server/openapi.ts';
import { yamlOf } from '../src/server/openapi-protobuf/yaml.ts';
import { startTestServer, type TestServer } from './support/server.ts';

const protobufV2 = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
const protobufV2Dotted = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

const root = new protobuf.Root().loadSync('test/fixtures/gnostic/OpenAPIv2.proto', { keepCase: true });
const Document = root.lookupType('openapi.v2.Document');

interface Named<T> { name: string; value: T }
interface DecodedAny { yaml: string }
interface DecodedOperation { vendor_extension: Array<Named<DecodedAny>> }
interface DecodedDocument {
  swagger: string;
  info: { title: string; version: string };
  paths: { path: Array<Named<Record<string, DecodedOperation | undefined>>> };
  definitions: { additional_properties: Array<Named<Record<string, unknown>>> };
}

function decode(bytes: Buffer): DecodedDocument {
  return Document.toObject(Document.decode(bytes), { defaults: false, arrays: true }) as DecodedDocument;
}

type JSONDoc = { swagger: string; info: { title: string; version: string }; paths: Record<string, Record<string, Record<string, unknown>>>; definitions: Record<string, Record<string, unknown>> };

let server: TestServer;

async function ok(args: string[], input?: string): Promise<string> {
  const res = await server.kubectl(args, input === undefined ? undefined : { input });
  assert.equal(res.code, 0, `kubectl ${args.join(' ')} failed: ${res.stderr}`);
  return res.stdout;
}

/** A raw GET on the plain port (fetch would decompress gzip behind our back). */
function rawGet(path: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(server.url + path, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.stop();
});

describe('kubectl create of kinds without a PATCH operation (v2 verifier fallback)', () => {
  it('creates a SelfSubjectAccessReview and prints allowed: true for the admin', async () => {
    const out = await ok(['create', '-f', '-', '-o', 'yaml'], `apiVersion: authorization.k8s.io/v1
kind: SelfSubjectAccessReview
spec:
  resourceAttributes:
    verb: create
    resource: deployments
    group: apps
    namespace: default
`);
    const review = YAML.parse(out);
    assert.equal(review.kind, 'SelfSubjectAccessReview');
    assert.equal(review.status.allowed, true);
  });

  it('creates a TokenReview of a token from `kubectl create token`', async () => {
    await ok(['create', 'serviceaccount', 'reviewer']);
    const token = (await ok(['create', 'token', 'reviewer'])).trim();
    assert.ok(token.length > 0);
    const out = await ok(['create', '-f', '-', '-o', 'yaml'], `apiVersion: authentication.k8s.io/v1
kind: TokenReview
spec:
  token: ${token}
`);
    const review = YAML.parse(out);
    assert.equal(review.kind, 'TokenReview');
    assert.equal(review.status.authenticated, true);
    assert.equal(review.status.user.username, 'system:serviceaccount:default:reviewer');
  });
});

describe('GET /openapi/v2 as protobuf', () => {
  let json: JSONDoc;
  let jsonETag: string;
  before(async () => {
    const res = await server.request('/openapi/v2', { headers: { accept: 'application/json' } });
    assert.equal(res.status, 200);
    jsonETag = String(res.headers.get('etag'));
    json = await res.json() as JSONDoc;
  });

  it('answers both spellings with 200, the protobuf Content-Type and the JSON form\'s ETag', async () => {
    for (const accept of [protobufV2, protobufV2Dotted, `${protobufV2}, application/json`, `application/json;q=0.5, ${protobufV2Dotted}`]) {
      const res = await rawGet('/openapi/v2', { accept, 'accept-encoding': 'identity' });
      assert.equal(res.status, 200, accept);
      assert.equal(res.headers['content-type'], protobufV2Dotted, accept);
      assert.equal(res.headers['content-encoding'], undefined);
      assert.equal(res.headers.etag, jsonETag);
      assert.match(String(res.headers.vary), /Accept/);
      assert.equal(decode(res.body).swagger, '2.0');
    }
    const notModified = await rawGet('/openapi/v2', { accept: protobufV2, 'if-none-match': jsonETag });
    assert.equal(notModified.status, 304);
  });

  it('decodes to the JSON form: swagger, info, every path, as many definitions', async () => {
    const res = await rawGet('/openapi/v2', { accept: protobufV2, 'accept-encoding': 'identity' });
    const doc = decode(res.body);
    assert.equal(doc.swagger, '2.0');
    assert.deepEqual({ title: doc.info.title, version: doc.info.version }, json.info);
    assert.deepEqual(doc.paths.path.map((p) => p.name), Object.keys(json.paths));
    assert.equal(doc.definitions.additional_properties.length, Object.keys(json.definitions).length);
    assert.deepEqual(doc.definitions.additional_properties.map((d) => d.name), Object.keys(json.definitions));
  });

  it('keeps a PATCH operation\'s x-kubernetes-group-version-kind as YAML of the same value', async () => {
    const res = await rawGet('/openapi/v2', { accept: protobufV2, 'accept-encoding': 'identity' });
    const doc = decode(res.body);
    const path = '/apis/apps/v1/namespaces/{namespace}/deployments/{name}';
    const patch = doc.paths.path.find((p) => p.name === path)?.value.patch;
    assert.ok(patch, 'PATCH of deployments');
    const ext = Object.fromEntries(patch.vendor_extension.map((e) => [e.name, e.value.yaml]));
    assert.equal(ext['x-kubernetes-group-version-kind'], 'group: apps\nkind: Deployment\nversion: v1\n');
    assert.deepEqual(YAML.parse(ext['x-kubernetes-group-version-kind']), json.paths[path].patch['x-kubernetes-group-version-kind']);
    assert.equal(ext['x-kubernetes-action'], 'patch\n');
    // Every vendor extension of every PATCH operation reads back as the JSON's value.
    for (const p of doc.paths.path) {
      for (const e of p.value.patch?.vendor_extension ?? []) assert.deepEqual(YAML.parse(e.value.yaml), json.paths[p.name].patch[e.name], `${p.name} ${e.name}`);
    }
  });

  it('gzips when the client accepts it, the same bytes inside', async () => {
    const plain = await rawGet('/openapi/v2', { accept: protobufV2, 'accept-encoding': 'identity' });
    const gz = await rawGet('/openapi/v2', { accept: protobufV2, 'accept-encoding': 'gzip' });
    assert.equal(gz.status, 200);
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.match(String(gz.headers.vary), /Accept-Encoding/);
    assert.ok(gunzipSync(gz.body).equals(plain.body));
    assert.ok(gz.body.length < plain.body.length / 4);
  });

  it('includes custom resources\' definitions registered at run time, re-encoded', async () => {
    await ok(['apply', '-f', 'test/fixtures/crd-workerpool.yaml']);
    await ok(['wait', '--for', 'condition=established', '--timeout=20s', 'crd/workerpools.compute.example.com']);
    const name = 'com.example.compute.v1.WorkerPool';
    const withCRD = await (await server.request('/openapi/v2', { headers: { accept: 'application/json' } })).json() as JSONDoc;
    assert.ok(withCRD.definitions[name], 'CRD definition in the JSON form');
    const res = await rawGet('/openapi/v2', { accept: protobufV2, 'accept-encoding': 'identity' });
    assert.notEqual(res.headers.etag, jsonETag);
    const doc = decode(res.body);
    const names = doc.definitions.additional_properties.map((d) => d.name);
    assert.equal(names.length, Object.keys(withCRD.definitions).length);
    assert.ok(names.includes(name) && names.includes(`${name}List`));
    const schema = doc.definitions.additional_properties.find((d) => d.name === name)!.value as { vendor_extension: Array<Named<DecodedAny>> };
    const gvk = schema.vendor_extension.find((e) => e.name === 'x-kubernetes-group-version-kind');
    assert.deepEqual(YAML.parse(gvk!.value.yaml), withCRD.definitions[name]['x-kubernetes-group-version-kind']);
  });
});

describe('the encoder', () => {
  it('writes what protobufjs writes for the same message (field order, oneofs, zero values)', () => {
    const doc = {
      swagger: '2.0', info: { title: 't', version: 'v' },
      paths: {
        'x-top': 1,
        '/a': {
          parameters: [{ $ref: '#/parameters/p' }, { name: 'n', in: 'path', required: true, type: 'string' }],
          get: {
            operationId: 'get', deprecated: false,
            parameters: [{ name: 'body', in: 'body', schema: { $ref: '#/definitions/D' } }, { name: 'q', in: 'query', type: 'integer', maximum: 0, minimum: -1.5, maxLength: 10 }],
            responses: { 200: { description: 'OK', schema: { type: 'file' } }, default: { $ref: '#/responses/r' }, 'x-r': [] },
            'x-kubernetes-group-version-kind': { group: '', kind: 'K', version: 'v1' },
          },
        },
      },
      definitions: {
        D: {
          type: 'object', required: ['a'], additionalProperties: false, properties: {},
          enum: ['a', 1, null], default: { a: ['b'] }, minLength: -1, items: { type: ['string', 'null'] },
          allOf: [{ $ref: '#/definitions/E' }], 'x-kubernetes-unions': [{ discriminator: 'type', 'fields-to-discriminateBy': { a: 'A' } }],
        },
        E: { additionalProperties: { type: 'string' } },
      },
      security: [{ BearerToken: [] }],
      securityDefinitions: { BearerToken: { type: 'apiKey', name: 'authorization', in: 'header' }, O: { type: 'oauth2', flow: 'implicit', authorizationUrl: 'u', scopes: { s: 'S' } } },
    };
    const bytes = encodeOpenAPIV2Document(doc);
    const decoded = Document.decode(bytes);
    assert.ok(Buffer.from(Document.encode(decoded).finish()).equals(bytes));
    const o = Document.toObject(decoded, { arrays: true }) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const d = o.definitions.additional_properties[0].value;
    assert.equal(d.additional_properties.boolean, false, 'a set oneof bool is written even when false');
    assert.deepEqual(d.type.value, ['object']);
    assert.equal(String(d.min_length), '-1');
    assert.deepEqual(d.enum.map((a: DecodedAny) => a.yaml), ['a\n', '1\n', 'null\n']);
    assert.equal(d.default.yaml, 'a:\n    - b\n');
    assert.deepEqual(d.items.schema[0].type.value, ['string', 'null']);
    assert.ok(d.properties, 'an empty properties object is an (empty) message');
    assert.equal(d.vendor_extension[0].value.yaml, '- discriminator: type\n  fields-to-discriminateBy:\n    a: A\n');
    const a = o.paths.path[0].value;
    assert.equal(o.paths.vendor_extension[0].name, 'x-top');
    assert.equal(a.parameters[0].json_reference._ref, '#/parameters/p');
    assert.equal(a.parameters[1].parameter.non_body_parameter.path_parameter_sub_schema.name, 'n');
    assert.equal(a.get.parameters[0].parameter.body_parameter.schema._ref, '#/definitions/D');
    const q = a.get.parameters[1].parameter.non_body_parameter.query_parameter_sub_schema;
    assert.equal(q.minimum, -1.5);
    assert.equal(String(q.max_length), '10');
    assert.deepEqual(a.get.responses.response_code.map((r: Named<unknown>) => r.name), ['200', 'default']);
    assert.equal(a.get.responses.response_code[0].value.response.schema.file_schema.type, 'file');
    assert.equal(a.get.responses.response_code[1].value.json_reference._ref, '#/responses/r');
    assert.equal(a.get.vendor_extension[0].value.yaml, 'group: ""\nkind: K\nversion: v1\n');
    assert.equal(o.security[0].additional_properties[0].name, 'BearerToken');
    assert.equal(o.security_definitions.additional_properties[0].value.api_key_security.in, 'header');
    assert.equal(o.security_definitions.additional_properties[1].value.oauth2_implicit_security.scopes.additional_properties[0].value, 'S');
  });

  it('writes YAML as yaml.v3 does for JSON values', () => {
    assert.equal(yamlOf([{ group: 'apps', kind: 'Deployment', version: 'v1' }]), '- group: apps\n  kind: Deployment\n  version: v1\n');
    assert.equal(yamlOf({ a: { b: [1, { c: [] }] }, d: [['x']] }), 'a:\n    b:\n        - 1\n        - c: []\nd:\n    - - x\n');
    for (const s of ['123', 'true', '', 'null', '1.5', '2024-01-01', 'a: b', '#x', '- x', 'line\nbreak', "it's", 'retainKeys,merge']) {
      assert.equal(YAML.parse(yamlOf(s)), s, JSON.stringify(s));
    }
  });

  it('negotiates as kube-openapi: first clause by q, then specificity', () => {
    assert.equal(negotiateOpenAPIV2(undefined), 'json');
    assert.equal(negotiateOpenAPIV2('*/*'), 'json');
    assert.equal(negotiateOpenAPIV2(protobufV2), 'protobuf');
    assert.equal(negotiateOpenAPIV2(protobufV2Dotted), 'protobuf');
    assert.equal(negotiateOpenAPIV2(`${protobufV2}, application/json`), 'protobuf');
    assert.equal(negotiateOpenAPIV2(`application/json, ${protobufV2}`), 'json');
    assert.equal(negotiateOpenAPIV2(`application/json;q=0.9, ${protobufV2}`), 'protobuf');
    assert.equal(negotiateOpenAPIV2(`*/*;q=0.1, ${protobufV2}`), 'protobuf');
    assert.equal(negotiateOpenAPIV2('application/xml'), undefined);
    assert.equal(negotiateOpenAPIV2(`${protobufV2};q=0`), undefined);
  });
});
