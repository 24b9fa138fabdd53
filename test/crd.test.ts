// CustomResourceDefinitions through kubectl, as an operator's install and its users do it:
// apply the CRDs, wait for Established, create, list with printer columns, validate, prune,
// default, explain, scale, patch, and server-side apply a list-map field.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from './support/server.ts';
import { until } from './support/wait.ts';

let server: TestServer;
const kubectl = (args: string[], input?: string) => server.kubectl(args, { input });

async function ok(args: string[], input?: string): Promise<string> {
  const r = await kubectl(args, input);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

async function json(args: string[]): Promise<any> {
  return JSON.parse(await ok([...args, '-o', 'json']));
}

const certificate = (name: string, spec: string) => `apiVersion: pki.example.com/v1
kind: Certificate
metadata: {name: ${name}, namespace: default}
spec:
${spec}`;

before(async () => {
  server = await startTestServer();
  await ok(['apply', '-f', 'test/fixtures/crd-certificate.yaml', '-f', 'test/fixtures/crd-workerpool.yaml']);
  await ok(['wait', '--for', 'condition=established', '--timeout=20s',
    'crd/certificates.pki.example.com', 'crd/workerpools.compute.example.com']);
});
after(async () => {
  await server.stop();
});

describe('CustomResourceDefinitions with kubectl', () => {
  it('accepts the names, establishes the CRD and records its stored version', async () => {
    const crd = await json(['get', 'crd', 'certificates.pki.example.com']);
    const cond = (type: string) => crd.status.conditions.find((c: any) => c.type === type);
    assert.equal(cond('NamesAccepted').status, 'True');
    assert.equal(cond('NamesAccepted').reason, 'NoConflicts');
    assert.equal(cond('Established').status, 'True');
    assert.equal(cond('Established').reason, 'InitialNamesAccepted');
    assert.deepEqual(crd.status.storedVersions, ['v1']);
    assert.deepEqual(crd.status.acceptedNames.shortNames, ['cert', 'certs']);
    assert.equal(crd.spec.conversion.strategy, 'None');
  });

  it('is in discovery (legacy and aggregated) and in /openapi/v3', async () => {
    const resources = await ok(['api-resources', '--api-group=pki.example.com', '--no-headers']);
    assert.match(resources, /^certificates\s+cert,certs\s+pki\.example\.com\/v1\s+true\s+Certificate/m);
    const group = JSON.parse(await ok(['get', '--raw', '/apis/pki.example.com']));
    assert.equal(group.preferredVersion.version, 'v1');
    assert.deepEqual(group.versions.map((v: any) => v.version), ['v1', 'v1alpha1']);
    const list = JSON.parse(await ok(['get', '--raw', '/apis/pki.example.com/v1']));
    const certs = list.resources.find((r: any) => r.name === 'certificates');
    assert.deepEqual(certs.categories, ['all', 'pki']);
    assert.ok(list.resources.some((r: any) => r.name === 'certificates/status'));
    const index = JSON.parse(await ok(['get', '--raw', '/openapi/v3']));
    assert.ok(index.paths['apis/pki.example.com/v1'], 'the v3 index lists the group-version');
    const doc = JSON.parse(await ok(['get', '--raw', '/openapi/v3/apis/pki.example.com/v1']));
    assert.ok(doc.components.schemas['com.example.pki.v1.Certificate']);
    assert.ok(doc.paths['/apis/pki.example.com/v1/namespaces/{namespace}/certificates/{name}/status']);
  });

  it('creates, defaults, prunes and lists with printer columns', async () => {
    const warn = await kubectl(['apply', '--validate=warn', '-f', '-'], certificate('web', `  secretName: web-tls
  issuerRef: {name: letsencrypt}
  dnsNames: [web.example.com]
  keystorePort: https
  bogus: dropped`));
    assert.equal(warn.code, 0, warn.stderr);
    assert.match(warn.stderr, /unknown field "spec.bogus"/);
    const web = await json(['get', 'certificate', 'web']);
    assert.equal(web.spec.duration, '2160h');
    assert.deepEqual(web.spec.privateKey, { algorithm: 'RSA', size: 2048 });
    assert.equal(web.spec.issuerRef.kind, 'Issuer');
    assert.equal(web.spec.bogus, undefined);
    assert.equal(web.spec.keystorePort, 'https');
    assert.equal(web.metadata.generation, 1);

    const table = await ok(['get', 'cert']);
    assert.match(table, /^NAME\s+READY\s+SECRET\s+AGE\n/);
    assert.match(table, /^web\s+web-tls\s+\d+s$/m);
    const wide = await ok(['get', 'certs', '-o', 'wide']);
    assert.match(wide, /^NAME\s+READY\s+SECRET\s+ISSUER\s+AGE\n/);
    assert.match(wide, /^web\s+web-tls\s+letsencrypt\s+\d+s$/m);
  });

  it('answers an invalid object with 422 and kube field paths', async () => {
    const r = await kubectl(['create', '-f', '-'], certificate('bad', `  secretName: bad
  issuerRef: {}
  revisionHistoryLimit: "three"
  privateKey: {algorithm: DSA}
  keystorePort: true
  commonName: ${'x'.repeat(65)}
  duration: 1h
  renewBefore: 1h`));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /The Certificate "bad" is invalid:/);
    assert.match(r.stderr, /spec\.issuerRef\.name: Required value/);
    assert.match(r.stderr, /spec\.revisionHistoryLimit: Invalid value: "string": spec\.revisionHistoryLimit in body must be of type integer: "string"/);
    assert.match(r.stderr, /spec\.privateKey\.algorithm: Unsupported value: "DSA": supported values: "RSA", "ECDSA", "Ed25519"/);
    assert.match(r.stderr, /spec\.keystorePort: Invalid value: "boolean": spec\.keystorePort in body must be of type integer,string: "boolean"/);
    assert.match(r.stderr, /spec\.commonName: Too long: may not be more than 64 bytes/);
    assert.match(r.stderr, /spec: Invalid value: "object": renewBefore must differ from duration/);
    const strict = await kubectl(['create', '-f', '-'], certificate('strict', `  secretName: s
  issuerRef: {name: ca}
  nope: 1`));
    assert.equal(strict.code, 1);
    assert.match(strict.stderr, /strict decoding error: unknown field "spec.nope"/);
    const missing = await kubectl(['get', 'cert', 'bad']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /certificates.pki.example.com "bad" not found/);
  });

  it('serves every served version, converting apiVersion (strategy None)', async () => {
    const old = await json(['get', 'certificates.v1alpha1.pki.example.com', 'web']);
    assert.equal(old.apiVersion, 'pki.example.com/v1alpha1');
    assert.equal(old.spec.secretName, 'web-tls');
    await ok(['apply', '-f', '-'], `apiVersion: pki.example.com/v1alpha1
kind: Certificate
metadata: {name: legacy, namespace: default}
spec: {secretName: legacy-tls, issuerRef: {name: ca}}`);
    const current = await json(['get', 'certificates.v1.pki.example.com', 'legacy']);
    assert.equal(current.apiVersion, 'pki.example.com/v1');
    assert.equal(current.spec.duration, '2160h', 'read through v1, the v1 defaults apply');
  });

  it('lists custom resources in `kubectl get all` through the `all` category', async () => {
    const all = await ok(['get', 'all']);
    assert.match(all, /certificate\.pki\.example\.com\/web/);
  });

  it('explains the schema', async () => {
    const out = await ok(['explain', 'certificate.spec']);
    assert.match(out, /KIND:\s+Certificate/);
    assert.match(out, /Desired state of the Certificate\./);
    assert.match(out, /secretName\s+<string> -required-/);
    assert.match(out, /issuerRef\s+<Object> -required-/);
  });

  it('patches with merge and JSON patch, and refuses strategic merge patch with 415', async () => {
    await ok(['patch', 'cert', 'web', '--type=merge', '-p', '{"spec":{"commonName":"web.example.com"}}']);
    await ok(['patch', 'cert', 'web', '--type=json', '-p', '[{"op":"add","path":"/spec/dnsNames/-","value":"www.example.com"}]']);
    const web = await json(['get', 'cert', 'web']);
    assert.equal(web.spec.commonName, 'web.example.com');
    assert.deepEqual(web.spec.dnsNames, ['web.example.com', 'www.example.com']);
    assert.equal(web.metadata.generation, 3);
    const r = await kubectl(['patch', 'cert', 'web', '--type=strategic', '-p', '{"spec":{"commonName":"x"}}']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /the body of the request was in an unknown format - accepted media types include: application\/json-patch\+json, application\/merge-patch\+json, application\/apply-patch\+yaml/);
  });

  it('server-side applies a list-map field twice, merging items by key', async () => {
    const mine = (note: string) => certificate('ssa', `  secretName: ssa-tls
  issuerRef: {name: ca}
  additionalOutputFormats:
  - {type: DER, note: ${note}}`);
    await ok(['apply', '--server-side', '-f', '-'], mine('first'));
    await ok(['apply', '--server-side', '--field-manager=other', '-f', '-'], `apiVersion: pki.example.com/v1
kind: Certificate
metadata: {name: ssa, namespace: default}
spec:
  additionalOutputFormats:
  - {type: CombinedPEM}`);
    await ok(['apply', '--server-side', '-f', '-'], mine('second'));
    const ssa = await json(['get', 'cert', 'ssa', '--show-managed-fields']);
    assert.deepEqual(ssa.spec.additionalOutputFormats, [{ type: 'DER', note: 'second' }, { type: 'CombinedPEM' }]);
    const managers = ssa.metadata.managedFields.map((m: any) => m.manager).sort();
    assert.deepEqual(managers, ['kubectl', 'other']);
  });

  it('scales through the scale subresource and selects by selectableFields (cluster scope)', async () => {
    await ok(['apply', '-f', '-'], `apiVersion: compute.example.com/v1
kind: WorkerPool
metadata: {name: pool-a}
spec:
  tier: gold
  replicas: 2
  config: {anything: {goes: [1, 2]}}
  template: {apiVersion: v1, kind: Pod, metadata: {name: x}, spec: {containers: []}}`);
    await ok(['apply', '-f', '-'], `apiVersion: compute.example.com/v1
kind: WorkerPool
metadata: {name: pool-b}
spec: {tier: silver, replicas: 1}`);
    await ok(['scale', 'workerpool', 'pool-a', '--replicas=5']);
    const pool = await json(['get', 'wp', 'pool-a']);
    assert.equal(pool.spec.replicas, 5);
    assert.deepEqual(pool.spec.config, { anything: { goes: [1, 2] } });
    assert.equal(pool.spec.template.spec.containers.length, 0);
    const gold = await ok(['get', 'wp', '--field-selector', 'spec.tier=gold', '--no-headers']);
    assert.match(gold, /^pool-a\s+gold\s+5\s*$/m, 'no status.replicas yet: an empty Current cell');
    assert.doesNotMatch(gold, /pool-b/);
    const bad = await kubectl(['get', 'wp', '--field-selector', 'spec.color=red']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /field label not supported: spec.color/);
    const embedded = await kubectl(['apply', '-f', '-'], `apiVersion: compute.example.com/v1
kind: WorkerPool
metadata: {name: pool-c}
spec: {template: {metadata: {name: x}}}`);
    assert.equal(embedded.code, 1);
    assert.match(embedded.stderr, /spec\.template\.kind: Required value: must not be empty/);
  });

  it('refuses names already accepted by another CRD of the group', async () => {
    await ok(['apply', '-f', '-'], `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: issuers.pki.example.com}
spec:
  group: pki.example.com
  scope: Namespaced
  names: {plural: issuers, kind: Issuer, shortNames: [cert]}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}`);
    const crd = await json(['get', 'crd', 'issuers.pki.example.com']).catch(() => undefined);
    const names = await waitFor(async () => {
      const c = await json(['get', 'crd', 'issuers.pki.example.com']);
      return c.status?.conditions?.find((x: any) => x.type === 'NamesAccepted');
    });
    assert.ok(crd);
    assert.equal(names.status, 'False');
    assert.equal(names.reason, 'ShortNamesConflict');
    assert.equal(names.message, '"cert" is already in use');
  });

  it('rejects a CRD whose name is not plural.group or whose schema is missing or not structural', async () => {
    const r = await kubectl(['create', '-f', '-'], `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: wrong.example.com}
spec:
  group: things.example.com
  scope: Namespaced
  names: {plural: things, kind: Thing}
  versions:
  - {name: v1, served: true, storage: true}
  - name: v2
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, properties: {spec: {properties: {a: {type: string}}}}}}`);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /metadata\.name: Invalid value: "wrong\.example\.com": must be spec\.names\.plural\+"\."\+spec\.group/);
    assert.match(r.stderr, /spec\.versions\[0\]\.schema\.openAPIV3Schema: Required value: schemas are required/);
    assert.match(r.stderr, /must have exactly one version marked as storage version/);
    assert.match(r.stderr, /spec\.versions\[1\]\.schema\.openAPIV3Schema\.properties\[spec\]\.type: Required value: must not be empty for specified object fields/);
  });
});

/** until() with its generous hang guard: a fixed 10 s budget ran out on a loaded machine. */
function waitFor<T>(probe: () => Promise<T | undefined>): Promise<T> {
  return until('a condition of the CRD test', probe);
}
