// Issue 16, finding 8: values kube-apiserver refuses are refused here too, with its messages:
// negative quantities (requests, limits, quota, LimitRange), duplicate JSON keys (Strict: an
// error; Warn: a warning) and fieldManager values that are too long or not printable.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from './support/server.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.stop();
});

async function post(path: string, body: string, query = '') {
  const res = await server.request(`${path}${query}`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  const text = await res.text();
  return { status: res.status, warning: res.headers.get('warning'), json: JSON.parse(text) };
}

const ns = '/api/v1/namespaces/default';

describe('validation of hostile values (issue 16, finding 8)', () => {
  it('refuses negative resource requests and limits', async () => {
    const pod = { metadata: { name: 'neg' }, spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '-1' }, limits: { memory: '-1Gi' } } }] } };
    const res = await post(`${ns}/pods`, JSON.stringify(pod));
    assert.equal(res.status, 422);
    assert.equal(res.json.message, 'Pod "neg" is invalid: [spec.containers[0].resources.limits[memory]: Invalid value: "-1Gi": must be greater than or equal to 0, ' +
      // Requests are defaulted from limits first (SetDefaults_Pod), so memory is refused twice, as in kube.
      'spec.containers[0].resources.requests[memory]: Invalid value: "-1Gi": must be greater than or equal to 0, ' +
      'spec.containers[0].resources.requests[cpu]: Invalid value: "-1": must be greater than or equal to 0]');
    assert.equal((await server.request(`${ns}/pods/neg`)).status, 404);
  });

  it('refuses a negative ResourceQuota hard limit and negative LimitRange values', async () => {
    const quota = await post(`${ns}/resourcequotas`, JSON.stringify({ metadata: { name: 'q' }, spec: { hard: { pods: '-1' } } }));
    assert.equal(quota.status, 422);
    assert.equal(quota.json.message, 'ResourceQuota "q" is invalid: spec.hard[pods]: Invalid value: "-1": must be greater than or equal to 0');
    const lr = await post(`${ns}/limitranges`, JSON.stringify({ metadata: { name: 'l' }, spec: { limits: [{ type: 'Container', max: { cpu: '-1' } }] } }));
    assert.equal(lr.status, 422);
    assert.match(lr.json.message, /spec\.limits\[0\]\.max\[cpu\]: Invalid value: "-1": must be greater than or equal to 0/);
    // A pod can still be created in the namespace: nothing blocks it.
    const pod = await post(`${ns}/pods`, JSON.stringify({ metadata: { name: 'fine' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } }));
    assert.equal(pod.status, 201);
  });

  it('refuses duplicate keys with fieldValidation=Strict and warns with Warn', async () => {
    const body = '{"metadata":{"name":"dup","name":"dup"},"data":{"a":"1","a":"2"}}';
    const strict = await post(`${ns}/configmaps`, body, '?fieldValidation=Strict');
    assert.equal(strict.status, 400);
    assert.equal(strict.json.message, 'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: ' +
      'json: duplicate field "metadata.name", json: duplicate field "data.a"');
    assert.equal((await server.request(`${ns}/configmaps/dup`)).status, 404);
    const warn = await post(`${ns}/configmaps`, body, '?fieldValidation=Warn');
    assert.equal(warn.status, 201);
    assert.equal(warn.warning, '299 - "json: duplicate field \\"metadata.name\\"", 299 - "json: duplicate field \\"data.a\\""');
    assert.equal(warn.json.data.a, '2');
  });

  it('refuses a fieldManager that is too long or not printable', async () => {
    const cm = JSON.stringify({ metadata: { name: 'fm' } });
    let res = await post(`${ns}/configmaps`, cm, `?fieldManager=${encodeURIComponent('a\nb')}`);
    assert.equal(res.status, 422);
    assert.equal(res.json.message, 'CreateOptions.meta.k8s.io "" is invalid: fieldManager: Invalid value: "a\\nb": invalid character U+000A (at position 1)');
    res = await post(`${ns}/configmaps`, cm, `?fieldManager=${encodeURIComponent('x\u0000')}`);
    assert.equal(res.status, 422);
    res = await post(`${ns}/configmaps`, cm, `?fieldManager=${'m'.repeat(129)}`);
    assert.equal(res.status, 422);
    assert.match(res.json.message, /fieldManager: Too long: may not be more than 128 bytes/);
    res = await post(`${ns}/configmaps`, cm, `?fieldManager=${'m'.repeat(128)}`);
    assert.equal(res.status, 201);
  });

  it('answers a CRD with spec: null or versions: null with a 422 naming the field (finding 7)', async () => {
    const crds = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
    const metadata = { name: 'nulls.n.example.com' };
    const noSpec = await post(crds, JSON.stringify({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata, spec: null }));
    assert.equal(noSpec.status, 422);
    assert.match(noSpec.json.message, /spec: Required value/);
    const noVersions = await post(crds, JSON.stringify({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata,
      spec: { group: 'n.example.com', scope: 'Namespaced', names: { plural: 'nulls', kind: 'Null' }, versions: null } }));
    assert.equal(noVersions.status, 422);
    assert.match(noVersions.json.message, /spec\.versions: Required value/);
  });
  it('decodes a CRD schema\'s items, additionalProperties and dependencies as their Go types (finding 8)', async () => {
    const crds = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
    const crd = (x: unknown) => JSON.stringify({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'wraps.w.example.com' },
      spec: { group: 'w.example.com', scope: 'Namespaced', names: { plural: 'wraps', kind: 'Wrap' }, versions: [{ name: 'v1', served: true, storage: true,
        schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { x } } } } } }] } });
    const prefix = 'CustomResourceDefinition in version "v1" cannot be handled as a CustomResourceDefinition: ';
    // The nested json.Unmarshal's type error, named by the outer decoder's struct and field.
    let res = await post(crds, crd({ type: 'array', items: { type: 'string', required: 'str' } }), '?fieldValidation=Strict');
    assert.equal(res.status, 400);
    assert.equal(res.json.message, `${prefix}json: cannot unmarshal string into Go struct field ` +
      'JSONSchemaProps.spec.versions.schema.openAPIV3Schema.properties.properties.items of type []string');
    res = await post(crds, crd({ type: 'array', items: ['str'] }));
    assert.equal(res.status, 400);
    assert.match(res.json.message, /items of type v1\.JSONSchemaProps$/);
    res = await post(crds, crd({ type: 'object', additionalProperties: 'str' }));
    assert.equal(res.status, 400);
    assert.equal(res.json.message, `${prefix}boolean or JSON schema expected`);
    res = await post(crds, crd({ type: 'array', items: { type: 'string', maxLength: 1.5 } }));
    assert.equal(res.status, 400);
    assert.match(res.json.message, /cannot unmarshal number 1\.5 into Go struct field .*\.items of type int64$/);
    assert.equal((await server.request(`${crds}/wraps.w.example.com`)).status, 404);
    // The nested decode is not strict: an unknown field inside is dropped without a word.
    res = await post(crds, crd({ type: 'object', additionalProperties: { type: 'string', bogus: 1 } }), '?fieldValidation=Strict');
    assert.equal(res.status, 201);
    assert.deepEqual(res.json.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.x.additionalProperties, { type: 'string' });
  });
  it('words long invalid values as kube does: Too long omits the value, Invalid quotes it once per place (finding 9)', async () => {
    // apimachinery's field.Error: a TooLong error never carries its value; Invalid quotes the
    // value in the message and in its cause, with no truncation (kube v1.32 answers the same).
    const annotated = await post(`${ns}/configmaps`, JSON.stringify({ metadata: { name: 'long-a', annotations: { a: 'x'.repeat(300 * 1024) } } }));
    assert.equal(annotated.status, 422);
    assert.equal(annotated.json.message, 'ConfigMap "long-a" is invalid: metadata.annotations: Too long: may not be more than 262144 bytes');
    const value = 'x'.repeat(1024 * 1024);
    const res = await server.request(`${ns}/configmaps`, { method: 'POST', body: JSON.stringify({ metadata: { name: 'long-l', labels: { a: value } } }), headers: { 'content-type': 'application/json' } });
    const text = await res.text();
    assert.equal(res.status, 422);
    const status = JSON.parse(text);
    assert.equal(status.message, `ConfigMap "long-l" is invalid: metadata.labels: Invalid value: "${value}": must be no more than 63 characters`);
    assert.equal(status.details.causes.length, 1);
    // The answer is bounded by the body: the value twice, plus a few hundred bytes.
    assert.ok(text.length < 2 * value.length + 1024, `${text.length} bytes`);
  });
});
