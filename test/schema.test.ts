// Decoding request bodies against the generated schemas as kube-apiserver's decoder does:
// unknown fields, type errors in Go's words, nulls, int-or-string and quantities, and the
// schema's required fields reported for kind validation.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkAgainstSchema, definitionHasPath, loadDefinitions, requiredFieldErrors, type FieldValidationMode,
} from '../src/registry/validation/schema.ts';

const deploymentDef = 'io.k8s.api.apps.v1.Deployment';

function deployment(): Record<string, any> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [{
            name: 'nginx',
            image: 'nginx:1.27',
            ports: [{ containerPort: 80, protocol: 'TCP' }],
            resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: 1, memory: 134217728 } },
            readinessProbe: { httpGet: { path: '/', port: 'http' } },
          }],
        },
      },
    },
  };
}

function check(obj: unknown, mode: FieldValidationMode = 'Strict', def = deploymentDef, kind = 'Deployment', apiVersion = 'apps/v1') {
  return checkAgainstSchema(def, obj, { mode, kind, apiVersion });
}

describe('checkAgainstSchema', () => {
  it('accepts a valid Deployment and leaves it unchanged', () => {
    const obj = deployment();
    const result = check(obj);
    assert.equal(result.badRequest, undefined);
    assert.deepEqual(result.unknownFields, []);
    assert.deepEqual(obj, deployment());
  });

  it('reports unknown fields with their paths, in document order, and prunes them', () => {
    const obj = deployment();
    obj.spec.foo = 1;
    obj.spec.template.spec.containers[0].imagePullPolice = 'Always';
    obj.spec.bar = { nested: true };
    obj.extra = null; // an unknown field is unknown even when null
    const result = check(obj, 'Warn');
    assert.equal(result.badRequest, undefined);
    assert.deepEqual(result.unknownFields, ['spec.template.spec.containers[0].imagePullPolice', 'spec.foo', 'spec.bar', 'extra']);
    assert.deepEqual(obj, deployment());
  });

  it('fails Strict requests with kube-apiserver\'s strict decoding message', () => {
    const obj = deployment();
    obj.spec.foo = 1;
    obj.spec.bar = 2;
    const result = check(obj, 'Strict');
    assert.equal(result.badRequest?.code, 400);
    assert.equal(result.badRequest?.status.reason, 'BadRequest');
    assert.equal(result.badRequest?.message,
      'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo", unknown field "spec.bar"');
    assert.equal('foo' in obj.spec, false);
  });

  it('prunes unknown fields silently with Ignore', () => {
    const obj = deployment();
    obj.metadata.colour = 'blue';
    const result = check(obj, 'Ignore');
    assert.equal(result.badRequest, undefined);
    assert.deepEqual(result.unknownFields, ['metadata.colour']);
    assert.deepEqual(obj, deployment());
  });

  it('fails type errors with Go\'s unmarshal message, whatever the mode', () => {
    const obj = deployment();
    obj.spec.replicas = '3';
    const result = check(obj, 'Ignore');
    assert.equal(result.badRequest?.code, 400);
    assert.equal(result.badRequest?.message,
      'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32');
  });

  it('names the innermost struct and the field path without indexes', () => {
    const obj = deployment();
    obj.spec.template.spec.containers[0].env = [{ name: 'A', value: true }];
    assert.equal(check(obj).badRequest?.message,
      'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal bool into Go struct field EnvVar.spec.template.spec.containers.env.value of type string');
  });

  it('reports the first type error in document order, before unknown fields', () => {
    const obj = deployment();
    obj.spec.foo = 1;
    obj.spec.template.spec.containers[0].ports[0].containerPort = 3000000000;
    obj.spec.minReadySeconds = 'soon';
    assert.match(check(obj).badRequest?.message ?? '',
      /cannot unmarshal number 3000000000 into Go struct field ContainerPort\.spec\.template\.spec\.containers\.ports\.containerPort of type int32$/);
  });

  it('accepts integers and strings for int-or-string, refuses other types', () => {
    const svc = { spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 81, targetPort: 'http' }] } };
    assert.equal(check(svc, 'Strict', 'io.k8s.api.core.v1.Service', 'Service', 'v1').badRequest, undefined);
    const bad = { spec: { ports: [{ port: 80, targetPort: 1.5 }] } };
    assert.equal(check(bad, 'Strict', 'io.k8s.api.core.v1.Service', 'Service', 'v1').badRequest?.message,
      'Service in version "v1" cannot be handled as a Service: json: cannot unmarshal number 1.5 into Go struct field ServicePort.spec.ports.targetPort of type int32');
  });

  it('accepts numbers and strings for quantities, refuses malformed ones', () => {
    const pod = { spec: { containers: [{ name: 'c', resources: { limits: { cpu: 0.5, memory: '1Gi' } } }] } };
    assert.equal(check(pod, 'Strict', 'io.k8s.api.core.v1.Pod', 'Pod', 'v1').badRequest, undefined);
    const bad = { spec: { containers: [{ name: 'c', resources: { limits: { memory: 'lots' } } }] } };
    assert.equal(check(bad, 'Strict', 'io.k8s.api.core.v1.Pod', 'Pod', 'v1').badRequest?.message,
      "Pod in version \"v1\" cannot be handled as a Pod: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  });

  it('checks times and base64 as their Go decoders do', () => {
    const pod = { metadata: { creationTimestamp: 'yesterday' } };
    assert.match(check(pod, 'Strict', 'io.k8s.api.core.v1.Pod', 'Pod', 'v1').badRequest?.message ?? '',
      /: parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"$/);
    const secret = { data: { ok: 'aGVsbG8=', bad: 'not base64' } };
    assert.match(check(secret, 'Strict', 'io.k8s.api.core.v1.Secret', 'Secret', 'v1').badRequest?.message ?? '',
      /Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 3$/);
  });

  it('treats null fields as absent and nulls in lists and maps as zero values', () => {
    const obj = deployment();
    obj.metadata.creationTimestamp = null;
    obj.spec.template.metadata.creationTimestamp = null;
    obj.spec.template.spec.containers[0].resources = null;
    obj.spec.template.spec.containers[0].args = ['a', null];
    obj.status = null;
    const result = check(obj);
    assert.equal(result.badRequest, undefined);
    assert.equal('creationTimestamp' in obj.metadata, false);
    assert.equal('creationTimestamp' in obj.spec.template.metadata, false);
    assert.equal('resources' in obj.spec.template.spec.containers[0], false);
    assert.deepEqual(obj.spec.template.spec.containers[0].args, ['a', '']);
    assert.equal('status' in obj, false);
  });

  it('leaves free-form subtrees alone (RawExtension, managedFields, CRD JSON)', () => {
    const cm = { metadata: { managedFields: [{ manager: 'kubectl', fieldsV1: { 'f:data': { 'f:a': {} } } }] }, data: { a: 'b' } };
    assert.equal(check(cm, 'Strict', 'io.k8s.api.core.v1.ConfigMap', 'ConfigMap', 'v1').badRequest, undefined);
    const rev = { data: { anything: [1, null, { x: null }] }, revision: 1 };
    assert.equal(check(rev, 'Strict', 'io.k8s.api.apps.v1.ControllerRevision', 'ControllerRevision', 'apps/v1').badRequest, undefined);
    assert.deepEqual(rev.data, { anything: [1, null, { x: null }] });
  });
});

describe('requiredFieldErrors', () => {
  it('reports missing required fields with their paths', () => {
    const pod = { spec: { containers: [{ image: 'nginx' }] } };
    assert.deepEqual(requiredFieldErrors('io.k8s.api.core.v1.Pod', pod).map((e) => `${e.field}: ${e.type}`),
      ['spec.containers[0].name: FieldValueRequired']);
    assert.deepEqual(requiredFieldErrors('io.k8s.api.core.v1.Pod', { spec: {} }).map((e) => e.field), ['spec.containers']);
  });

  it('finds nothing missing in a complete Deployment, nor for absent booleans and numbers', () => {
    assert.deepEqual(requiredFieldErrors(deploymentDef, deployment()), []);
    // ContainerPort.containerPort is required but Go cannot tell an absent 0 from a present one.
    const obj = deployment();
    delete obj.spec.template.spec.containers[0].ports[0].containerPort;
    assert.deepEqual(requiredFieldErrors(deploymentDef, obj), []);
  });
});

describe('schema helpers', () => {
  it('knows which paths a definition has', () => {
    assert.equal(definitionHasPath(deploymentDef, 'spec.template.spec.containers[0].image'), true);
    assert.equal(definitionHasPath(deploymentDef, 'spec.template.spec.containers.imagePullPolice'), false);
  });

  it('exposes the raw v2 definitions with patch strategies', () => {
    const containers = loadDefinitions()['io.k8s.api.core.v1.PodSpec'].properties!.containers;
    assert.equal(containers['x-kubernetes-patch-merge-key'], 'name');
    assert.equal(containers['x-kubernetes-patch-strategy'], 'merge');
  });
});
