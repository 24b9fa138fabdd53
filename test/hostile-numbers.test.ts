// Issue 16, finding 8: integers written `1.0`, `1E2`, `1e400` or 2^63. kube-apiserver decodes a
// typed field with Go's strconv.ParseInt on the literal, so these are 400 decode errors naming
// the literal; a custom resource is decoded into unstructured first (a float64 where ParseInt
// fails), so there `1.0` is a whole number the schema accepts, 2^63 a 422 type error and
// `1e400` a 400 for any field. JSON.parse alone reads all four as harmless numbers.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { misreadNumber, scanJsonText } from '../src/api/json-scan.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { until } from './support/wait.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.stop();
});

async function post(path: string, body: string) {
  const res = await server.request(path, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  const text = await res.text();
  return { status: res.status, json: JSON.parse(text) };
}

const deployments = '/apis/apps/v1/namespaces/default/deployments';
let counter = 0;

function deployment(replicas: string, extraSpec = ''): string {
  const name = `d${++counter}`;
  return `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"${name}"},"spec":{"replicas":${replicas},` +
    `"selector":{"matchLabels":{"app":"x"}},"template":{"metadata":{"labels":{"app":"x"}},` +
    `"spec":{"containers":[{"name":"c","image":"nginx"}]${extraSpec}}}}}`;
}

const prefix = 'Deployment in version "v1" cannot be handled as a Deployment: ';

describe('Go-style number literals (issue 16, finding 8)', () => {
  it('records only the literals JavaScript misreads', () => {
    for (const literal of ['1.0', '1E2', '1e400', '-1e400', '9223372036854775808', '12345678901234567890', '2.5e1']) assert.ok(misreadNumber(literal), literal);
    for (const literal of ['1', '-7', '0.5', '1e-3', '9007199254740991', '123456789012345']) assert.ok(!misreadNumber(literal), literal);
    const { numbers } = scanJsonText('{"a":[1,1.0,{"b":"1.0","c":1e400}],"d":0.5}');
    assert.deepEqual(numbers, [{ segments: ['a', '1'], literal: '1.0' }, { segments: ['a', '2', 'c'], literal: '1e400' }]);
  });

  it('refuses 1.0, 1E2, 1e400 and overflowing integers in typed integer fields with Go\'s words', async () => {
    for (const literal of ['1.0', '1E2', '1e400', '2147483648']) {
      const res = await post(deployments, deployment(literal));
      assert.equal(res.status, 400, literal);
      assert.equal(res.json.reason, 'BadRequest');
      assert.equal(res.json.message, `${prefix}json: cannot unmarshal number ${literal} into Go struct field DeploymentSpec.spec.replicas of type int32`);
    }
    // int64: 2^63 is past int64; 2^63-1 is the largest that fits.
    const over = await post(deployments, deployment('1', ',"terminationGracePeriodSeconds":9223372036854775808'));
    assert.equal(over.status, 400);
    assert.equal(over.json.message, `${prefix}json: cannot unmarshal number 9223372036854775808 into Go struct field PodSpec.spec.template.spec.terminationGracePeriodSeconds of type int64`);
    // 2^63-1 fits an int64, but not kubelite's exact range (see below).
    const fits = await post(deployments, deployment('1', ',"terminationGracePeriodSeconds":9223372036854775807'));
    assert.equal(fits.status, 400, JSON.stringify(fits.json));
    assert.match(fits.json.message, /number 9223372036854775807 for Go struct field PodSpec\.spec\.template\.spec\.terminationGracePeriodSeconds of type int64 cannot be kept exactly/);
    // IntOrString decodes itself: its error names int32 and stops decoding.
    const svc = await post('/api/v1/namespaces/default/services',
      '{"metadata":{"name":"s1"},"spec":{"ports":[{"port":80,"targetPort":8080.0}]}}');
    assert.equal(svc.status, 400);
    assert.equal(svc.json.message, 'Service in version "v1" cannot be handled as a Service: ' +
      'json: cannot unmarshal number 8080.0 into Go struct field ServicePort.spec.ports.targetPort of type int32');
    // A quantity parses the literal itself: 1.0 CPU is fine.
    const pod = await post('/api/v1/namespaces/default/pods',
      '{"metadata":{"name":"p1"},"spec":{"containers":[{"name":"c","image":"nginx","resources":{"requests":{"cpu":1.0}}}]}}');
    assert.equal(pod.status, 201, JSON.stringify(pod.json));
    // Plain integers and fractions where they belong are untouched.
    assert.equal((await post(deployments, deployment('2'))).status, 201);
    // Nothing was written by the refused requests.
    const list = await (await server.request(`${deployments}`)).json() as { items: unknown[] };
    assert.equal(list.items.length, 1);
  });

  it('in a custom resource: 1.0 is a whole number, 2^63 a 422 type error, 1e400 a 400 anywhere', async () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'counts.num.example.com' },
      spec: { group: 'num.example.com', scope: 'Namespaced', names: { plural: 'counts', singular: 'count', kind: 'Count' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: {
          spec: { type: 'object', properties: { n: { type: 'integer' }, free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } } } } } }] },
    };
    const created = await server.request('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { method: 'POST', body: JSON.stringify(crd), headers: { 'content-type': 'application/json' } });
    assert.equal(created.status, 201);
    const path = '/apis/num.example.com/v1/namespaces/default/counts';
    await until('the CRD to be served', async () => (await server.request(path)).status === 200, 30_000);
    const cr = (name: string, spec: string) => `{"apiVersion":"num.example.com/v1","kind":"Count","metadata":{"name":"${name}"},"spec":${spec}}`;
    const whole = await post(path, cr('c1', '{"n":1.0}'));
    assert.equal(whole.status, 201, JSON.stringify(whole.json));
    assert.equal(whole.json.spec.n, 1);
    const big = await post(path, cr('c2', '{"n":9223372036854775808}'));
    assert.equal(big.status, 422, JSON.stringify(big.json));
    assert.equal(big.json.message, 'Count.num.example.com "c2" is invalid: spec.n: Invalid value: "number": spec.n in body must be of type integer: "number"');
    const inf = await post(path, cr('c3', '{"free":{"x":1e400}}'));
    assert.equal(inf.status, 400, JSON.stringify(inf.json));
    assert.equal(inf.json.message, 'Count in version "v1" cannot be handled as a Count: json: cannot unmarshal number 1e400 into Go value of type float64');
    assert.equal((await server.request(`${path}/c2`)).status, 404);
    assert.equal((await server.request(`${path}/c3`)).status, 404);
  });

  // kube applies JSON and merge patches to the JSON text (evanphx/json-patch keeps raw values)
  // and decodes the result, so the patch's literal reaches Go's decoder as written: a 422 on
  // the field `patch`, the decoder's error as its cause. Strategic merge patches go through Go
  // maps (float64) first, so there `1.0` is the integer 1, in kube too.
  it('judges the literals of JSON and merge patches in the patched object', async () => {
    const created = await post(deployments, deployment('1'));
    assert.equal(created.status, 201);
    const name = created.json.metadata.name;
    const patch = async (type: string, body: string) => {
      const res = await server.request(`${deployments}/${name}`, { method: 'PATCH', body, headers: { 'content-type': type } });
      return { status: res.status, json: await res.json() };
    };
    const cases: Array<[string, string, string, string]> = [
      ['application/json-patch+json', '[{"op":"replace","path":"/spec/replicas","value":1.0}]', '1.0', 'DeploymentSpec.spec.replicas of type int32'],
      ['application/json-patch+json', '[{"op":"add","path":"/spec/template/spec","value":{"containers":[{"name":"c","image":"nginx"}],"terminationGracePeriodSeconds":1E2}}]',
        '1E2', 'PodSpec.spec.template.spec.terminationGracePeriodSeconds of type int64'],
      ['application/json-patch+json', '[{"op":"add","path":"/spec/minReadySeconds","value":5},{"op":"copy","from":"/spec/minReadySeconds","path":"/spec/replicas"},' +
        '{"op":"add","path":"/spec/revisionHistoryLimit","value":1e400}]', '1e400', 'DeploymentSpec.spec.revisionHistoryLimit of type int32'],
      ['application/merge-patch+json', '{"spec":{"replicas":2.0}}', '2.0', 'DeploymentSpec.spec.replicas of type int32'],
      ['application/merge-patch+json', '{"spec":{"template":{"spec":{"activeDeadlineSeconds":9223372036854775808}}}}', '9223372036854775808', 'PodSpec.spec.template.spec.activeDeadlineSeconds of type int64'],
    ];
    for (const [type, body, literal, field] of cases) {
      const res = await patch(type, body);
      assert.equal(res.status, 422, `${body}: ${JSON.stringify(res.json)}`);
      assert.equal(res.json.reason, 'Invalid');
      assert.deepEqual(res.json.details.causes.map((c: { field: string }) => c.field), ['patch']);
      assert.ok(res.json.details.causes[0].message.endsWith(`: json: cannot unmarshal number ${literal} into Go struct field ${field}`), res.json.details.causes[0].message);
    }
    // A copied literal is followed to where it lands.
    const copied = await patch('application/json-patch+json',
      '[{"op":"add","path":"/metadata/labels","value":{"a":"b"}},{"op":"add","path":"/spec/minReadySeconds","value":3.0},{"op":"move","from":"/spec/minReadySeconds","path":"/spec/replicas"}]');
    assert.equal(copied.status, 422, JSON.stringify(copied.json));
    assert.match(copied.json.details.causes[0].message, /cannot unmarshal number 3\.0 into Go struct field DeploymentSpec\.spec\.replicas of type int32$/);
    // Nothing was written by any of them.
    const current = await (await server.request(`${deployments}/${name}`)).json();
    assert.equal(current.spec.replicas, 1);
    assert.equal(current.metadata.labels, undefined);
    // A strategic merge patch decodes into Go maps first: 3.0 is the integer 3. Plain integers pass everywhere.
    assert.equal((await patch('application/strategic-merge-patch+json', '{"spec":{"replicas":3.0}}')).status, 200);
    assert.equal((await patch('application/json-patch+json', '[{"op":"replace","path":"/spec/replicas","value":4}]')).json.spec.replicas, 4);
    assert.equal((await patch('application/merge-patch+json', '{"spec":{"minReadySeconds":0.0e0,"replicas":5}}')).status, 422);
  });

  // sigs.k8s.io/yaml: go-yaml v2 resolves the scalar, json.Marshal writes it, Go decodes that.
  it('reads YAML numbers as go-yaml v2 and sigs.k8s.io/yaml do', async () => {
    const yaml = async (replicas: string, grace = '30') => {
      const name = `y${++counter}`;
      const body = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\nspec:\n  replicas: ${replicas}\n  selector:\n    matchLabels: {app: x}\n` +
        `  template:\n    metadata:\n      labels: {app: x}\n    spec:\n      terminationGracePeriodSeconds: ${grace}\n      containers:\n      - {name: c, image: nginx}\n`;
      const res = await server.request(deployments, { method: 'POST', body, headers: { 'content-type': 'application/yaml' } });
      return { status: res.status, json: await res.json() };
    };
    // Floats with whole values are written as integers by json.Marshal: accepted, unlike in JSON.
    for (const [literal, value] of [['1.0', 1], ['1E1', 10], ['010', 8], ['0x0A', 10], ['1_0', 10], ['0b11', 3]] as const) {
      const res = await yaml(literal);
      assert.equal(res.status, 201, `${literal}: ${JSON.stringify(res.json)}`);
      assert.equal(res.json.spec.replicas, value, literal);
    }
    // 1e400 is not a float to go-yaml: the string "1e400".
    const inf = await yaml('1e400');
    assert.equal(inf.status, 400);
    assert.equal(inf.json.message, `${prefix}json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32`);
    // Past 1e21 json.Marshal writes an exponent; past int64 a uint64, past uint64 a float64.
    const exp = await yaml('1e21');
    assert.equal(exp.json.message, `${prefix}json: cannot unmarshal number 1e+21 into Go struct field DeploymentSpec.spec.replicas of type int32`);
    for (const [literal, written] of [['9223372036854775808', '9223372036854775808'], ['18446744073709551616', '18446744073709552000']]) {
      const res = await yaml('1', literal);
      assert.equal(res.status, 400, literal);
      assert.equal(res.json.message, `${prefix}json: cannot unmarshal number ${written} into Go struct field PodSpec.spec.template.spec.terminationGracePeriodSeconds of type int64`);
    }
    // The largest integer kubelite keeps exact passes; one past it is refused (kubelite's limit, below).
    assert.equal((await yaml('1', '9007199254740991')).json.spec.template.spec.terminationGracePeriodSeconds, 9007199254740991);
    const past = await yaml('1', '9007199254740993');
    assert.equal(past.status, 400);
    assert.match(past.json.message, /number 9007199254740993 for Go struct field PodSpec\.spec\.template\.spec\.terminationGracePeriodSeconds of type int64 cannot be kept exactly/);
  });

  // kube keeps int64 values exact; kubelite holds numbers as doubles, so past 2^53-1 it refuses
  // rather than store a different number.
  it('refuses integers it cannot keep exact (past 2^53-1), naming the field', async () => {
    const typed = await post(deployments, deployment('1', ',"terminationGracePeriodSeconds":9007199254740993'));
    assert.equal(typed.status, 400, JSON.stringify(typed.json));
    assert.equal(typed.json.message, `${prefix}number 9007199254740993 for Go struct field PodSpec.spec.template.spec.terminationGracePeriodSeconds of type int64 ` +
      'cannot be kept exactly: kubelite holds integers between -9007199254740991 and 9007199254740991');
    const negative = await post(deployments, deployment('1', ',"terminationGracePeriodSeconds":-9223372036854775808'));
    assert.equal(negative.status, 400);
    const fits = await post(deployments, deployment('1', ',"terminationGracePeriodSeconds":9007199254740991'));
    assert.equal(fits.status, 201, JSON.stringify(fits.json));
    assert.equal(fits.json.spec.template.spec.terminationGracePeriodSeconds, 9007199254740991);
    // Through a JSON patch too.
    const patched = await server.request(`${deployments}/${fits.json.metadata.name}`, {
      method: 'PATCH', headers: { 'content-type': 'application/json-patch+json' },
      body: '[{"op":"replace","path":"/spec/template/spec/terminationGracePeriodSeconds","value":12345678901234567}]',
    });
    assert.equal(patched.status, 422);
    assert.match((await patched.json()).details.causes[0].message, /number 12345678901234567 for Go struct field .* cannot be kept exactly/);
    // And through server-side apply (a YAML body).
    const applyBody = `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: applied}\nspec:\n  selector: {matchLabels: {app: x}}\n` +
      `  template:\n    metadata: {labels: {app: x}}\n    spec:\n      terminationGracePeriodSeconds: 9007199254740993\n      containers: [{name: c, image: nginx}]\n`;
    const applied = await server.request(`${deployments}/applied?fieldManager=numbers`, { method: 'PATCH', headers: { 'content-type': 'application/apply-patch+yaml' }, body: applyBody });
    const appliedJson = await applied.json();
    assert.equal(applied.status, 400, JSON.stringify(appliedJson));
    assert.match(appliedJson.message, /number 9007199254740993 for Go struct field .* cannot be kept exactly/);
    assert.equal((await server.request(`${deployments}/applied`)).status, 404);
    // A custom resource's integer field: a 422 naming the field.
    const cr = await post('/apis/num.example.com/v1/namespaces/default/counts',
      '{"apiVersion":"num.example.com/v1","kind":"Count","metadata":{"name":"c9"},"spec":{"n":9007199254740993}}');
    assert.equal(cr.status, 422, JSON.stringify(cr.json));
    assert.equal(cr.json.message, 'Count.num.example.com "c9" is invalid: spec.n: Invalid value: "9007199254740993": ' +
      'must be between -9007199254740991 and 9007199254740991: kubelite cannot keep larger integers exactly');
  });

  // kubectl turns -p into JSON with sigs.k8s.io/yaml first, so a 1.0 it sends is already 1 (as
  // against a real cluster); an integer past 2^53 it sends as written, and kubelite refuses it.
  it('through kubectl patch', async () => {
    const created = await post(deployments, deployment('1'));
    const name = created.json.metadata.name;
    const whole = await server.kubectl(['patch', 'deployment', name, '--type=json', '-p', '[{"op":"replace","path":"/spec/replicas","value":3.0}]']);
    assert.equal(whole.code, 0, whole.stderr);
    const big = await server.kubectl(['patch', 'deployment', name, '--type=merge', '-p', '{"spec":{"template":{"spec":{"terminationGracePeriodSeconds":9007199254740993}}}}']);
    assert.notEqual(big.code, 0);
    assert.match(big.stderr, /number 9007199254740993 for Go struct field PodSpec\.spec\.template\.spec\.terminationGracePeriodSeconds of type int64 cannot be kept exactly/);
    const current = await (await server.request(`${deployments}/${name}`)).json();
    assert.equal(current.spec.replicas, 3);
    assert.equal(current.spec.template.spec.terminationGracePeriodSeconds, 30);
  });
});
