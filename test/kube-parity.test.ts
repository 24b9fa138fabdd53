// Answers that must be the ones kube-apiserver gives, request by request, for the commands
// whose behaviour a script can tell apart (issue 19): dry runs carried in request bodies,
// pretty JSON, deprecation warnings, patch and decode error wording, oversize bodies.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { ApiClient } from '../src/client/index.ts';
import { cronJobController } from '../src/controllers/cronjob/index.ts';
import { startControllerManager } from '../src/controllers/index.ts';
import { createLogger } from '../src/log.ts';
import { toOpenAPIV2 } from '../src/apiextensions/openapi-v2.ts';
import { goPrintValue } from '../src/registry/validation/go-unstructured.ts';
import { goJsonSyntaxError, summarizeData } from '../src/server/go-json-syntax.ts';
import { indentJson } from '../src/server/pretty.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { until } from './support/wait.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.stop();
});

async function ok(args: string[], input?: string): Promise<string> {
  const res = await server.kubectl(args, input === undefined ? undefined : { input });
  assert.equal(res.code, 0, `kubectl ${args.join(' ')} failed: ${res.stderr}`);
  return res.stdout;
}

async function post(path: string, body: unknown, init: RequestInit = {}): Promise<Response> {
  return server.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), ...init });
}

const podOn = (name: string, node: string, labels: Record<string, string> = {}) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, labels },
  spec: { nodeName: node, containers: [{ name: 'c', image: 'nginx' }] },
});

describe('dry run in request bodies', () => {
  it('kubectl drain --dry-run=server evicts nothing and leaves the node schedulable', async () => {
    assert.equal((await post('/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'dry-node' } })).status, 201);
    assert.equal((await post('/api/v1/namespaces/default/pods', podOn('dry-pod', 'dry-node'))).status, 201);
    const out = await ok(['drain', 'dry-node', '--dry-run=server', '--force']);
    assert.match(out, /evicting pod default\/dry-pod \(server dry run\)/);
    const pod = await server.request('/api/v1/namespaces/default/pods/dry-pod');
    assert.equal(pod.status, 200, 'the pod must survive a dry-run drain');
    assert.equal((await pod.json()).metadata.deletionTimestamp, undefined);
    const node = await server.getJson('/api/v1/nodes/dry-node');
    assert.equal(node.spec?.unschedulable, undefined);
  });

  it('an Eviction whose deleteOptions say dryRun neither deletes the pod nor spends the budget', async () => {
    await post('/api/v1/namespaces/default/pods', podOn('guarded', 'dry-node', { app: 'guarded' }));
    // Running, so the budget applies (kube skips it for Pending pods).
    const status = await server.request('/api/v1/namespaces/default/pods/guarded/status', {
      method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify({ status: { phase: 'Running' } }),
    });
    assert.equal(status.status, 200);
    const pdb = await post('/apis/policy/v1/namespaces/default/poddisruptionbudgets', {
      apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'guard' },
      spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'guarded' } } },
    });
    assert.equal(pdb.status, 201);
    const stored = await pdb.json();
    const pdbStatus = await server.request('/apis/policy/v1/namespaces/default/poddisruptionbudgets/guard/status', {
      method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify({ status: { observedGeneration: stored.metadata.generation, disruptionsAllowed: 1, currentHealthy: 1, desiredHealthy: 0, expectedPods: 1 } }),
    });
    assert.equal(pdbStatus.status, 200);
    const eviction = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'guarded' }, deleteOptions: { dryRun: ['All'] } };
    const res = await post('/api/v1/namespaces/default/pods/guarded/eviction', eviction);
    assert.equal(res.status, 201, await res.clone().text());
    assert.equal((await server.request('/api/v1/namespaces/default/pods/guarded')).status, 200);
    const after = await server.getJson('/apis/policy/v1/namespaces/default/poddisruptionbudgets/guard');
    assert.equal(after.status.disruptionsAllowed, 1);
    assert.equal(after.status.disruptedPods, undefined);
    const stringDryRun = await post('/api/v1/namespaces/default/pods/guarded/eviction', { ...eviction, deleteOptions: { dryRun: 'All' } });
    assert.equal(stringDryRun.status, 400);
    assert.equal((await stringDryRun.json()).message,
      'Eviction in version "v1" cannot be handled as a Eviction: json: cannot unmarshal string into Go struct field DeleteOptions.deleteOptions.dryRun of type []string');
    assert.equal((await server.request('/api/v1/namespaces/default/pods/guarded')).status, 200);
    // Query and body that disagree are refused, as kube's propagateDryRun.
    const mixed = await post('/api/v1/namespaces/default/pods/guarded/eviction?dryRun=All', { ...eviction, deleteOptions: { dryRun: ['Nope'] } });
    assert.equal(mixed.status, 500);
    assert.match((await mixed.json()).message, /Non-matching dry-run options in request and content: \[All\] and \[Nope\]/);
    // Without dryRun the eviction happens and spends the budget.
    const real = await post('/api/v1/namespaces/default/pods/guarded/eviction', { ...eviction, deleteOptions: {} });
    assert.equal(real.status, 201);
    const spent = await server.getJson('/apis/policy/v1/namespaces/default/poddisruptionbudgets/guard');
    assert.equal(spent.status.disruptionsAllowed, 0);
  });

  it('DeleteOptions in DELETE bodies: dryRun, preconditions, propagationPolicy', async () => {
    await post('/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kept' } });
    const del = (name: string, body: unknown) => server.request(`/api/v1/namespaces/default/configmaps/${name}`, {
      method: 'DELETE', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    assert.equal((await del('kept', { kind: 'DeleteOptions', apiVersion: 'v1', dryRun: ['All'] })).status, 200);
    assert.equal((await server.request('/api/v1/namespaces/default/configmaps/kept')).status, 200);
    // A dryRun that is not a list is refused by Go's decoder: never a real delete.
    const stringDryRun = await del('kept', { dryRun: 'All' });
    assert.equal(stringDryRun.status, 400);
    assert.match((await stringDryRun.json()).message, /json: cannot unmarshal string into Go struct field DeleteOptions\.dryRun of type \[\]string/);
    assert.equal((await server.request('/api/v1/namespaces/default/configmaps/kept')).status, 200);
    const conflict = await del('kept', { preconditions: { uid: 'not-the-uid' } });
    assert.equal(conflict.status, 409);
    assert.match((await conflict.json()).message, /Precondition failed: UID in precondition: not-the-uid/);
    const badPolicy = await del('kept', { propagationPolicy: 'Sometimes' });
    assert.equal(badPolicy.status, 422);
    assert.equal((await server.request('/api/v1/namespaces/default/configmaps/kept')).status, 200);
    const dryCollection = await server.request('/api/v1/namespaces/default/configmaps', {
      method: 'DELETE', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dryRun: ['All'] }),
    });
    assert.equal(dryCollection.status, 200);
    assert.equal((await server.request('/api/v1/namespaces/default/configmaps/kept')).status, 200);
    assert.equal((await del('kept', { gracePeriodSeconds: 0 })).status, 200);
    assert.equal((await server.request('/api/v1/namespaces/default/configmaps/kept')).status, 404);
  });
});

describe('pretty JSON', () => {
  const curl = (path: string, agent?: string) => new Promise<string>((resolve, reject) => {
    const args = ['-s', ...(agent === undefined ? [] : ['-A', agent]), server.url + path];
    execFile('curl', args, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });

  it('curl gets indented JSON, with ?pretty=true or by its User-Agent, as kube does', async () => {
    await post('/api/v1/namespaces/default/configmaps', {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'pretty' }, data: { quote: 'say "hi"\\n', empty: '' },
    });
    for (const path of ['/api/v1/namespaces/default/configmaps/pretty?pretty=true', '/api/v1/namespaces/default/configmaps/pretty']) {
      const text = await curl(path);
      assert.equal(text, JSON.stringify(JSON.parse(text), null, 2), path);
      assert.match(text, /\n {4}"name": "pretty",\n/);
    }
    // Errors are Status objects through the same serializer.
    const missing = await curl('/api/v1/namespaces/default/configmaps/absent');
    assert.match(missing, /^\{\n {2}"kind": "Status",\n/);
    // ?pretty=false wins over the User-Agent; other clients get compact JSON.
    assert.doesNotMatch(await curl('/api/v1/namespaces/default/configmaps/pretty?pretty=false'), /\n/);
    assert.doesNotMatch(await curl('/api/v1/namespaces/default/configmaps/pretty', 'kubectl/v1.32.0'), /\n {2}"/);
    assert.match(await curl('/api/v1/namespaces/default/configmaps/pretty?pretty=1', 'kubectl/v1.32.0'), /^\{\n {2}"/);
    const wget = await curl('/api/v1/namespaces/default/configmaps?pretty=t', 'Wget/1.21');
    assert.equal(wget, JSON.stringify(JSON.parse(wget), null, 2));
  });

  it('indentJson keeps strings, numbers and empty containers as Go json.Indent does', () => {
    const compact = '{"a":[],"b":{},"c":"x\\",{[y","d":[1.50,2e3,{"e":null}]}';
    assert.equal(indentJson(compact), '{\n  "a": [],\n  "b": {},\n  "c": "x\\",{[y",\n  "d": [\n    1.50,\n    2e3,\n    {\n      "e": null\n    }\n  ]\n}');
  });
});

describe('bodies that are not JSON', () => {
  it("Go's syntax error words, state by state", () => {
    const cases: Array<[string, string | undefined]> = [
      ['apiVersion: v1\nkind: Pod', "invalid character 'a' looking for beginning of value"],
      ['{', 'unexpected end of JSON input'],
      ['{"a":"b', 'unexpected end of JSON input'],
      ['{"a" 1}', "invalid character '1' after object key"],
      ['{"a":1 "b":2}', `invalid character '"' after object key:value pair`],
      ['[1 2]', "invalid character '2' after array element"],
      ['{a:1}', "invalid character 'a' looking for beginning of object key string"],
      ['{} x', "invalid character 'x' after top-level value"],
      ['01', "invalid character '1' after top-level value"],
      ['"a\tb"', "invalid character '\\t' in string literal"],
      ['"\\x"', "invalid character 'x' in string escape code"],
      ['"\\u12g4"', "invalid character 'g' in \\u hexadecimal character escape"],
      ['nul', "invalid character ' ' in literal null (expecting 'l')"],
      ['trUe', "invalid character 'U' in literal true (expecting 'u')"],
      ['-x', "invalid character 'x' in numeric literal"],
      ['1.e5', "invalid character 'e' after decimal point in numeric literal"],
      ['1e+', "invalid character ' ' in exponent of numeric literal"],
      ["{'a':1}", "invalid character '\\'' looking for beginning of object key string"],
      ['{"a":[1,{"b":null}],"c":-0.5e-3}', undefined],
      ['  42  ', undefined],
    ];
    for (const [text, want] of cases) assert.equal(goJsonSyntaxError(Buffer.from(text)), want, text);
    assert.equal(summarizeData(Buffer.from('{"kind":"Namespace","apiVersion":"v1"}')), '{"kind":"Namespace","apiVersio ...');
    assert.equal(summarizeData(Buffer.from('kind: Pod')), '6b696e643a20506f64');
  });

  it('kubectl create --raw of YAML sent as JSON fails as kube says', async () => {
    const yaml = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: raw\nspec:\n  containers: [{name: c, image: nginx}]\n';
    const res = await server.kubectl(['create', '--raw', '/api/v1/namespaces', '-f', '-'], { input: yaml });
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /the object provided is unrecognized \(must be of type Namespace\): couldn't get version\/kind; json parse error: invalid character 'a' looking for beginning of value \(61706956657273696f6e3a2076310a6b696e643a20506f640a6d65746164 \.\.\.\)/);
    const direct = await server.request('/api/v1/namespaces/default/configmaps', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"kind":"ConfigMap",' });
    assert.equal(direct.status, 400);
    assert.equal((await direct.json()).message,
      'the object provided is unrecognized (must be of type ConfigMap): couldn\'t get version/kind; json parse error: unexpected end of JSON input ({"kind":"ConfigMap",)');
  });
});

describe('strategic merge patch of the wrong type', () => {
  it('kubectl patch answers 422 with the unstructured converter words, as kube', async () => {
    await post('/api/v1/namespaces/default/pods', podOn('typed', 'dry-node', { name: 'typed' }));
    const res = await server.kubectl(['patch', 'pod', 'typed', '-p', '{"metadata":{"labels":"invalid"}}']);
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /cannot restore map from string/);
    const raw = await server.request('/api/v1/namespaces/default/pods/typed', {
      method: 'PATCH', headers: { 'content-type': 'application/strategic-merge-patch+json' },
      body: JSON.stringify({ metadata: { labels: 'invalid' } }),
    });
    assert.equal(raw.status, 422);
    const status = await raw.json();
    assert.equal(status.reason, 'Invalid');
    assert.equal(status.message, ' "" is invalid: patch: Invalid value: "map[metadata:map[labels:invalid]]": cannot restore map from string');
    assert.deepEqual(status.details.causes, [{ reason: 'FieldValueInvalid', message: 'Invalid value: "map[metadata:map[labels:invalid]]": cannot restore map from string', field: 'patch' }]);
    const slice = await server.request('/api/v1/namespaces/default/pods/typed', {
      method: 'PATCH', headers: { 'content-type': 'application/strategic-merge-patch+json' },
      body: JSON.stringify({ spec: { activeDeadlineSeconds: 1.5, containers: 'x' } }),
    });
    assert.equal(slice.status, 422);
    assert.match((await slice.json()).message, /Invalid value: "map\[spec:map\[activeDeadlineSeconds:1.5 containers:x\]\]": cannot (restore slice from string|convert float64 to int64)$/);
    // A merge patch's result is decoded from JSON: the JSON decoder's words, and the patched
    // document (keys sorted, as evanphx/json-patch re-marshals it) as the value.
    const merge = await server.request('/api/v1/namespaces/default/pods/typed', {
      method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify({ metadata: { labels: 'invalid' } }),
    });
    assert.equal(merge.status, 422);
    const mergeStatus = await merge.json();
    assert.match(mergeStatus.message, /^ "" is invalid: patch: Invalid value: "\{\\"apiVersion\\":\\"v1\\",\\"kind\\":\\"Pod\\",\\"metadata\\":\{.*\\"labels\\":\\"invalid\\".*": json: cannot unmarshal string into Go struct field ObjectMeta\.metadata\.labels of type map\[string\]string$/);
    assert.deepEqual((await server.getJson('/api/v1/namespaces/default/pods/typed')).metadata.labels, { name: 'typed' });
  });

  it('under fieldValidation=Strict, unknown fields in a patch are the same 422', async () => {
    const patch = (type: string, body: string) => server.request('/api/v1/namespaces/default/pods/typed?fieldValidation=Strict', {
      method: 'PATCH', headers: { 'content-type': `application/${type}+json` }, body,
    });
    const smp = await patch('strategic-merge-patch', '{"zeta":1,"alpha":{"x":true}}');
    assert.equal(smp.status, 422);
    assert.equal((await smp.json()).message,
      ' "" is invalid: patch: Invalid value: "map[alpha:map[x:true] zeta:1]": strict decoding error: unknown field "alpha", unknown field "zeta"');
    const merge = await patch('merge-patch', '{"zeta":1}');
    assert.equal(merge.status, 422);
    assert.match((await merge.json()).message, /^ "" is invalid: patch: Invalid value: "\{.*\\"zeta\\":1\}": strict decoding error: unknown field "zeta"$/);
    // Under Warn (kubectl's default) they are warnings and the patch goes through.
    const warned = await server.request('/api/v1/namespaces/default/pods/typed?fieldValidation=Warn', {
      method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' }, body: '{"zeta":1}',
    });
    assert.equal(warned.status, 200);
    assert.equal(warned.headers.get('warning'), '299 - "unknown field \\"zeta\\""');
  });

  it('goPrintValue prints as fmt %+v does', () => {
    assert.equal(goPrintValue({ b: [1, 2.5, 'x'], a: { z: null, y: true }, c: 1e-7, d: 1e21 }), 'map[a:map[y:true z:<nil>] b:[1 2.5 x] c:1e-07 d:1e+21]');
  });
});

const widgetsCRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.parity.example.com}
spec:
  group: parity.example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - name: v1alpha1
    served: true
    storage: false
    deprecated: true
    deprecationWarning: "v1alpha1 widgets are going away"
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
  - name: v1beta1
    served: true
    storage: false
    deprecated: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
`;

const barsCRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: bars.company.com}
spec:
  group: company.com
  scope: Namespaced
  names: {plural: bars, singular: bar, kind: Bar}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
        properties:
          spec:
            type: object
            properties:
              size: {type: integer}
              free: {type: object, x-kubernetes-preserve-unknown-fields: true, properties: {a: {type: string}}}
              maybe: {type: string, nullable: true}
            required: [size, maybe]
`;

describe('custom resources as kubectl sees them', () => {
  before(async () => {
    await ok(['apply', '-f', '-'], widgetsCRD + '---\n' + barsCRD);
    await ok(['wait', '--for', 'condition=established', '--timeout=20s', 'crd/widgets.parity.example.com', 'crd/bars.company.com']);
  });

  it('every request to a deprecated version carries its Warning, as kube', async () => {
    await ok(['apply', '-f', '-'], 'apiVersion: parity.example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: default}\n');
    const beta = await server.kubectl(['get', 'widgets.v1beta1.parity.example.com']);
    assert.equal(beta.code, 0, beta.stderr);
    assert.match(beta.stderr, /^Warning: parity\.example\.com\/v1beta1 Widget is deprecated; use parity\.example\.com\/v1 Widget$/m);
    const alpha = await server.kubectl(['get', 'widgets.v1alpha1.parity.example.com', 'w', '-o', 'name']);
    assert.match(alpha.stderr, /^Warning: v1alpha1 widgets are going away$/m);
    const current = await server.kubectl(['get', 'widgets.v1.parity.example.com']);
    assert.doesNotMatch(current.stderr, /Warning/);
    // Writes, errors and watches to the deprecated version warn as well.
    const created = await post('/apis/parity.example.com/v1beta1/namespaces/default/widgets', { apiVersion: 'parity.example.com/v1beta1', kind: 'Widget', metadata: { name: 'w2' } });
    assert.equal(created.status, 201);
    assert.equal(created.headers.get('warning'), '299 - "parity.example.com/v1beta1 Widget is deprecated; use parity.example.com/v1 Widget"');
    const missing = await server.request('/apis/parity.example.com/v1beta1/namespaces/default/widgets/none');
    assert.equal(missing.status, 404);
    assert.match(missing.headers.get('warning') ?? '', /v1beta1 Widget is deprecated/);
    const controller = new AbortController();
    const watch = await server.request('/apis/parity.example.com/v1beta1/widgets?watch=true', { signal: controller.signal });
    assert.match(watch.headers.get('warning') ?? '', /v1beta1 Widget is deprecated/);
    controller.abort();
  });

  it('/openapi/v2 publishes a root that preserves unknown fields as a bare object, so kubectl apply takes extra fields', async () => {
    const bar = 'apiVersion: company.com/v1\nkind: Bar\nmetadata: {name: b, namespace: default}\notherField: 1\nspec: {size: 1, maybe: x, free: {b: 2}}\n';
    // kubectl validates a List (as `kubectl get -o yaml` writes) on the client, against /openapi/v2.
    const list = `apiVersion: v1\nkind: List\nitems:\n- ${bar.trimEnd().split('\n').join('\n  ')}\n`;
    assert.match(await ok(['apply', '-f', '-'], list), /bar\.company\.com\/b created/);
    const doc = JSON.parse(await ok(['get', '--raw', '/openapi/v2']));
    assert.deepEqual(doc.definitions['com.company.v1.Bar'], { type: 'object', 'x-kubernetes-group-version-kind': [{ group: 'company.com', kind: 'Bar', version: 'v1' }] });
    assert.match(await ok(['apply', '--validate=true', '-f', '-'], bar.replace('otherField: 1', 'otherField: 2')), /bar\.company\.com\/b configured/);
    const stored = await server.getJson('/apis/company.com/v1/namespaces/default/bars/b');
    assert.equal(stored.otherField, 2);
  });

  it('toOpenAPIV2 drops what v2 readers misjudge, as ToStructuralOpenAPIV2', () => {
    const out = toOpenAPIV2({
      type: 'object',
      properties: {
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { a: { type: 'string' } } },
        maybe: { type: 'string', nullable: true },
        list: { type: 'array', 'x-kubernetes-preserve-unknown-fields': true, items: { type: 'string' } },
        choice: { type: 'string', anyOf: [{ enum: ['a'] }] },
      },
      required: ['maybe', 'choice'],
    });
    assert.deepEqual(out, {
      type: 'object',
      properties: {
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        maybe: {},
        list: { 'x-kubernetes-preserve-unknown-fields': true },
        choice: { type: 'string' },
      },
      required: ['choice'],
    });
  });
});

describe('a CronJob whose schedule never fires', () => {
  it('gets the InvalidSchedule Warning event of kube\'s cronjob controller', async () => {
    const client = ApiClient.fromKubeconfig(server.kubeconfigPath, { qps: 0 });
    const manager = await startControllerManager({ client, log: createLogger('error'), definitions: [cronJobController], options: { controllers: ['cronjob-controller'] } });
    try {
      await ok(['create', 'cronjob', 'feb31', '--image=busybox', '--schedule=59 23 31 2 *']);
      const event = await until('the InvalidSchedule event', async () => {
        const out = await ok(['events', '--for', 'cronjob/feb31', '-o', 'json']);
        return (JSON.parse(out).items as Array<{ reason: string; type: string; message: string }>).find((e) => e.reason === 'InvalidSchedule');
      }, 30_000, 250);
      assert.equal(event.type, 'Warning');
      assert.equal(event.message, 'invalid schedule: 59 23 31 2 * : time difference between two schedules is less than 1 second');
      assert.equal((await server.getJson<{ items: unknown[] }>('/apis/batch/v1/namespaces/default/jobs')).items.length, 0);
    } finally {
      await manager.stop();
      client.close();
    }
  });
});

describe('managed fields and admission', () => {
  const pod = (image: string) => `apiVersion: v1
kind: Pod
metadata: {name: migrated, namespace: default, labels: {app: migrated}}
spec:
  containers:
  - name: web
    image: ${image}
`;

  it('kubectl apply, then apply --server-side of a changed pod succeeds: admission-added fields belong to no manager', async () => {
    await ok(['apply', '-f', '-'], pod('nginx:1.26'));
    const created = JSON.parse(await ok(['get', 'pod', 'migrated', '-o', 'json', '--show-managed-fields']));
    // Admission added the service account token volume and the default tolerations...
    assert.ok(created.spec.volumes?.some((v: { name: string }) => v.name.startsWith('kube-api-access-')));
    assert.ok(created.spec.tolerations?.length > 0);
    // ...which kube's field manager, run before admission, credits to nobody.
    const csa = created.metadata.managedFields.find((m: { manager: string }) => m.manager === 'kubectl-client-side-apply');
    assert.ok(csa, 'the client-side apply manager');
    assert.equal(csa.fieldsV1['f:spec']['f:tolerations'], undefined);
    assert.equal(csa.fieldsV1['f:spec']['f:volumes'], undefined);
    assert.equal(csa.fieldsV1['f:spec']['f:serviceAccountName'], undefined);
    assert.ok(csa.fieldsV1['f:spec']['f:containers'], 'what the request sent stays owned');
    const res = await server.kubectl(['apply', '--server-side', '-f', '-'], { input: pod('nginx:1.27') });
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /pod\/migrated serverside-applied/);
    const after = await server.getJson('/api/v1/namespaces/default/pods/migrated');
    assert.equal(after.spec.containers[0].image, 'nginx:1.27');
    assert.ok(after.spec.tolerations.length > 0);
  });
});

describe('a body over the limit behind a proxy', () => {
  it('kubectl proxy relays the 413 Status, every time', async () => {
    const proxy = spawn('kubectl', ['--kubeconfig', server.kubeconfigPath, 'proxy', '--port=0', '--address=127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        proxy.stdout!.on('data', (d) => {
          out += d;
          const m = /Starting to serve on (\S+)/.exec(out);
          if (m) resolve(`http://${m[1]}`);
        });
        proxy.once('exit', (code) => reject(new Error(`kubectl proxy exited with ${code}`)));
      });
      const big = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { blob: 'x'.repeat(16 * 1024 * 1024) } });
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${url}/api/v1/namespaces/default/configmaps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
        assert.equal(res.status, 413, `attempt ${i}: ${await res.clone().text()}`);
        const status = await res.json();
        assert.equal(status.reason, 'RequestEntityTooLarge');
        assert.equal(status.message, 'Request entity too large: limit is 3145728');
      }
      // A chunked body (no Content-Length) over the limit, straight to the server, gets the same Status.
      const chunk = new TextEncoder().encode('x'.repeat(1024 * 1024));
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent++ < 8) controller.enqueue(chunk);
          else controller.close();
        },
      });
      const chunked = await server.request('/api/v1/namespaces/default/configmaps', {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: stream, duplex: 'half',
      } as RequestInit);
      assert.equal(chunked.status, 413);
      assert.equal((await chunked.json()).reason, 'RequestEntityTooLarge');
      // The server is still up and answering through the same proxy.
      assert.equal((await fetch(`${url}/api/v1/namespaces/default/configmaps/kube-root-ca.crt`)).status < 500, true);
    } finally {
      proxy.kill();
    }
  });
});
