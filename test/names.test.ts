// Name, label and address syntax, and ObjectMeta / LabelSelector validation, against the
// messages kube-apiserver v1.32 prints (k8s.io/apimachinery v0.32).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderFieldError } from '../src/api/errors.ts';
import {
  isCIDR, isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidIP,
  isValidLabelValue, isValidPathSegmentName, isValidPortName,
} from '../src/registry/validation/names.ts';
import { validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from '../src/registry/validation/metadata.ts';
import type { ObjectMeta } from '../src/api/types.ts';

const SUBDOMAIN = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035 = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const NAME_PART = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

type Case = [string, string[]];

function table(name: string, fn: (v: string) => string[], cases: Case[]): void {
  test(name, () => {
    for (const [input, want] of cases) assert.deepEqual(fn(input), want, `${name}(${JSON.stringify(input)})`);
  });
}

table('isDNS1123Subdomain', isDNS1123Subdomain, [
  ['example.com', []],
  ['a', []],
  ['0.a-b.9', []],
  ['a'.repeat(253), []],
  ['a'.repeat(254), ['must be no more than 253 characters']],
  ['A'.repeat(254), ['must be no more than 253 characters', SUBDOMAIN]],
  ['', [SUBDOMAIN]],
  ['Nginx', [SUBDOMAIN]],
  ['-a', [SUBDOMAIN]],
  ['a.', [SUBDOMAIN]],
  ['a..b', [SUBDOMAIN]],
  ['a_b', [SUBDOMAIN]],
  ['a\n', [SUBDOMAIN]],
]);

table('isDNS1123Label', isDNS1123Label, [
  ['my-name', []],
  ['123-abc', []],
  ['a'.repeat(63), []],
  ['a'.repeat(64), ['must be no more than 63 characters']],
  ['a.b', ['must not contain dots']],
  ['A', [LABEL]],
  ['', [LABEL]],
  ['a-', [LABEL]],
]);

table('isDNS1035Label', isDNS1035Label, [
  ['my-name', []],
  ['1abc', [DNS1035]],
  ['no-domain.com', [DNS1035]],
]);

table('isQualifiedName', isQualifiedName, [
  ['app', []],
  ['app.kubernetes.io/name', []],
  ['My_Name.1', []],
  ['a'.repeat(63), []],
  ['a'.repeat(64), ['name part must be no more than 63 characters']],
  ['', ['name part must be non-empty', NAME_PART]],
  ['/a', ['prefix part must be non-empty']],
  ['Example.com/a', [`prefix part ${SUBDOMAIN}`]],
  ['example.com/', ['name part must be non-empty', NAME_PART]],
  ['a_', [NAME_PART]],
  ['a/b/c', ["a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]],
]);

table('isValidLabelValue', isValidLabelValue, [
  ['', []],
  ['MyValue', []],
  ['my_value.1-2', []],
  ['Foo_', [LABEL_VALUE]],
  ['a b', [LABEL_VALUE]],
  ['a'.repeat(64), ['must be no more than 63 characters']],
]);

table('isValidPathSegmentName', isValidPathSegmentName, [
  ['system:controller:foo', []],
  ['.', ["may not be '.'"]],
  ['..', ["may not be '..'"]],
  ['a/b%c', ["may not contain '/'", "may not contain '%'"]],
]);

table('isValidPortName', isValidPortName, [
  ['http', []],
  ['h2c-web', []],
  ['', ['must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)', 'must contain at least one letter (a-z)']],
  ['8080', ['must contain at least one letter (a-z)']],
  ['-http--x', ['must not contain consecutive hyphens', 'must not begin or end with a hyphen']],
  ['HTTP', ['must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)', 'must contain at least one letter (a-z)']],
  ['abcdefghijklmnop', ['must be no more than 15 characters']],
]);

const BAD_IP = ['must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'];
table('isValidIP', isValidIP, [
  ['10.9.8.7', []],
  ['010.009.008.007', []], // ParseIPSloppy accepts leading zeros
  ['2001:db8::ffff', []],
  ['::ffff:1.2.3.4', []],
  ['256.1.1.1', BAD_IP],
  ['1.2.3', BAD_IP],
  ['fe80::1%eth0', BAD_IP],
  ['', BAD_IP],
]);

const BAD_CIDR = ['must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'];
table('isCIDR', isCIDR, [
  ['10.9.8.0/24', []],
  ['2001:db8::/64', []],
  ['10.0.0.0/33', BAD_CIDR],
  ['10.0.0.0', BAD_CIDR],
  ['2001:db8::/129', BAD_CIDR],
]);

// ---- ObjectMeta ----

const rendered = (errs: ReturnType<typeof validateObjectMeta>) => errs.map(renderFieldError);
const namespaced = { namespaced: true, nameRule: 'subdomain' as const };

test('validateObjectMeta: names, namespace and scope', () => {
  const cases: Array<[ObjectMeta, typeof namespaced | { namespaced: boolean; nameRule: 'subdomain' | 'label' | 'path-segment' }, string[]]> = [
    [{ name: 'web', namespace: 'default' }, namespaced, []],
    [{ namespace: 'default' }, namespaced, ['metadata.name: Required value: name or generateName is required']],
    [{ name: 'Web', namespace: 'default' }, namespaced, [`metadata.name: Invalid value: "Web": ${SUBDOMAIN}`]],
    [{ name: 'web' }, namespaced, ['metadata.namespace: Required value']],
    [{ name: 'web', namespace: 'a.b' }, namespaced, ['metadata.namespace: Invalid value: "a.b": must not contain dots']],
    [{ name: 'node-1', namespace: 'default' }, { namespaced: false, nameRule: 'subdomain' }, ['metadata.namespace: Forbidden: not allowed on this type']],
    [{ name: 'a.b' }, { namespaced: false, nameRule: 'label' }, ['metadata.name: Invalid value: "a.b": must not contain dots']],
    [{ name: 'system:admin' }, { namespaced: false, nameRule: 'path-segment' }, []],
    [{ name: 'a/b' }, { namespaced: false, nameRule: 'path-segment' }, [`metadata.name: Invalid value: "a/b": may not contain '/'`]],
    // generateName is checked with its trailing dash masked; the generated name separately.
    [{ name: 'web-x7k2p', generateName: 'web-', namespace: 'default' }, namespaced, []],
    [{ name: 'Web-x7k2p', generateName: 'Web-', namespace: 'default' }, namespaced, [
      `metadata.generateName: Invalid value: "Web-": ${SUBDOMAIN}`,
      `metadata.name: Invalid value: "Web-x7k2p": ${SUBDOMAIN}`,
    ]],
  ];
  for (const [meta, opts, want] of cases) assert.deepEqual(rendered(validateObjectMeta(meta, opts)), want, JSON.stringify(meta));
});

test('validateObjectMeta: labels, annotations, finalizers, ownerReferences', () => {
  const base = { name: 'web', namespace: 'default' };
  const cases: Array<[ObjectMeta, string[]]> = [
    [{ ...base, labels: { app: 'web', 'app.kubernetes.io/name': '' } }, []],
    [{ ...base, labels: { app: 'Foo_' } }, [`metadata.labels: Invalid value: "Foo_": ${LABEL_VALUE}`]],
    [{ ...base, labels: { 'bad key': 'x' } }, [`metadata.labels: Invalid value: "bad key": ${NAME_PART}`]],
    [{ ...base, annotations: { 'Example.COM/Note': 'any value at all' } }, []], // case does not matter
    [{ ...base, annotations: { 'a/b/c': 'x' } }, ["metadata.annotations: Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]],
    [{ ...base, annotations: { big: 'x'.repeat(262144 - 3) } }, []],
    [{ ...base, annotations: { big: 'x'.repeat(262144 - 2) } }, ['metadata.annotations: Too long: may not be more than 262144 bytes']],
    [{ ...base, finalizers: ['example.com/cleanup', 'kubernetes', 'orphan'] }, []],
    [{ ...base, finalizers: ['example.com/cleanup', 'cleanup'] }, ['metadata.finalizers[1]: Invalid value: "cleanup": name is neither a standard finalizer name nor is it fully qualified']],
    [{ ...base, finalizers: ['x.io/a_'] }, [`metadata.finalizers: Invalid value: "x.io/a_": ${NAME_PART}`]],
    [{ ...base, ownerReferences: [{ apiVersion: '', kind: '', name: '', uid: '' }] }, [
      'metadata.ownerReferences.apiVersion: Invalid value: "": version must not be empty',
      'metadata.ownerReferences.kind: Invalid value: "": kind must not be empty',
      'metadata.ownerReferences.name: Invalid value: "": name must not be empty',
      'metadata.ownerReferences.uid: Invalid value: "": uid must not be empty',
    ]],
    [{ ...base, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u1' }] }, []],
  ];
  for (const [meta, want] of cases) assert.deepEqual(rendered(validateObjectMeta(meta, namespaced)), want, JSON.stringify(meta).slice(0, 120));
});

test('validateObjectMeta: orphan and foregroundDeletion exclude each other', () => {
  const errs = validateObjectMeta({ name: 'p', namespace: 'd', finalizers: ['orphan', 'foregroundDeletion'] }, namespaced);
  assert.deepEqual(errs.map((e) => [e.type, e.field, e.detail]), [
    ['FieldValueInvalid', 'metadata.finalizers', 'finalizer orphan and foregroundDeletion cannot be both set'],
  ]);
});

test('validateObjectMeta: only one controller owner', () => {
  const ref = (name: string) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name, uid: name, controller: true });
  const errs = validateObjectMeta({ name: 'p', namespace: 'd', ownerReferences: [ref('a'), ref('b')] }, namespaced);
  assert.equal(errs.length, 1);
  assert.equal(errs[0].field, 'metadata.ownerReferences');
  assert.equal(errs[0].detail, 'Only one reference can have Controller set to true. Found "true" in references for ReplicaSet/a and ReplicaSet/b');
});

test('validateObjectMeta: custom resources may use any qualified finalizer', () => {
  const meta = { name: 'x', namespace: 'd', finalizers: ['cleanup'] };
  assert.deepEqual(validateObjectMeta(meta, { ...namespaced, customResource: true }), []);
});

test('validateObjectMetaUpdate: immutable fields and finalizers while deleting', () => {
  const old: ObjectMeta = { name: 'web', namespace: 'default', uid: 'u1', creationTimestamp: '2024-01-01T00:00:00Z', generation: 3 };
  const cases: Array<[ObjectMeta, ObjectMeta, string[]]> = [
    [{ ...old, labels: { a: 'b' } }, old, []],
    [{ ...old, name: 'x' }, old, ['metadata.name: Invalid value: "x": field is immutable']],
    [{ ...old, namespace: 'other' }, old, ['metadata.namespace: Invalid value: "other": field is immutable']],
    [{ ...old, uid: 'u2' }, old, ['metadata.uid: Invalid value: "u2": field is immutable']],
    [{ ...old, generation: 2 }, old, ['metadata.generation: Invalid value: 2: must not be decremented']],
    [{ ...old, finalizers: ['a.io/x', 'b.io/y'] }, { ...old, finalizers: ['a.io/x'], deletionTimestamp: '2024-01-02T00:00:00Z' }, [
      'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"b.io/y"}',
      'metadata.deletionTimestamp: Invalid value: null: field is immutable',
    ]],
  ];
  for (const [meta, before, want] of cases) assert.deepEqual(validateObjectMetaUpdate(meta, before).map(renderFieldError), want);
});

test('validateLabelSelector', () => {
  const cases: Array<[Parameters<typeof validateLabelSelector>[0], string[]]> = [
    [undefined, []],
    [{}, []],
    [{ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] }, []],
    [{ matchLabels: { app: 'Foo_' } }, [`spec.selector.matchLabels: Invalid value: "Foo_": ${LABEL_VALUE}`]],
    [{ matchExpressions: [{ key: 'tier', operator: 'In', values: [] }] }, ["spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"]],
    [{ matchExpressions: [{ key: 'tier', operator: 'Exists', values: ['x'] }] }, ["spec.selector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"]],
    [{ matchExpressions: [{ key: 'tier', operator: 'Equals', values: ['x'] }] }, ['spec.selector.matchExpressions[0].operator: Invalid value: "Equals": not a valid selector operator']],
    [{ matchExpressions: [{ key: 'bad key', operator: 'NotIn', values: ['ok', 'no_'] }] }, [
      `spec.selector.matchExpressions[0].key: Invalid value: "bad key": ${NAME_PART}`,
      `spec.selector.matchExpressions[0].values[1]: Invalid value: "no_": ${LABEL_VALUE}`,
    ]],
  ];
  for (const [sel, want] of cases) assert.deepEqual(validateLabelSelector(sel, 'spec.selector').map(renderFieldError), want, JSON.stringify(sel));
});
