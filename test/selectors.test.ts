// Label and field selectors: parsing, matching, canonical strings and kube's error messages
// (k8s.io/apimachinery/pkg/labels and pkg/fields, v0.32).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../src/api/errors.ts';
import { labelSelectorFromObject, labelSelectorToString, parseLabelSelector } from '../src/registry/selectors/label-selector.ts';
import { parseFieldSelector } from '../src/registry/selectors/field-selector.ts';

const LABEL_VALUE = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const NAME_PART = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

function badRequest(fn: () => unknown, message: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof StatusError, `not a StatusError: ${String(err)}`);
    assert.equal(err.code, 400);
    assert.equal(err.reason, 'BadRequest');
    assert.equal(err.message, message);
    return true;
  });
}

// ---- label selectors ----

test('parseLabelSelector: matching, per operator', () => {
  // [selector, labels that match, labels that do not]
  const cases: Array<[string, Array<Record<string, string> | undefined>, Array<Record<string, string> | undefined>]> = [
    ['', [undefined, {}, { a: 'b' }], []],
    ['x=a', [{ x: 'a' }, { x: 'a', y: 'b' }], [{ x: 'b' }, {}, undefined]],
    ['x==a', [{ x: 'a' }], [{ x: 'b' }]],
    ['x!=a', [{ x: 'b' }, {}, undefined], [{ x: 'a' }]],
    ['x in (a,b)', [{ x: 'a' }, { x: 'b' }], [{ x: 'c' }, {}]],
    ['x notin (a,b)', [{ x: 'c' }, {}], [{ x: 'a' }]],
    ['x', [{ x: '' }, { x: 'a' }], [{}, { y: 'x' }]],
    ['!x', [{}, undefined, { y: 'x' }], [{ x: '' }]],
    ['x=a,y!=b', [{ x: 'a' }, { x: 'a', y: 'c' }], [{ x: 'a', y: 'b' }, { y: 'c' }]],
    ['  x = a ,  y  ', [{ x: 'a', y: '' }], [{ x: 'a' }]],
    ['x=', [{ x: '' }], [{ x: 'a' }, {}]],
    ['x in ()', [{ x: '' }], [{ x: 'a' }]],
    ['x in (,a)', [{ x: '' }, { x: 'a' }], [{ x: 'b' }]],
    ['x>1', [{ x: '2' }, { x: '+10' }], [{ x: '1' }, { x: 'a' }, {}]],
    ['x<1', [{ x: '0' }, { x: '-5' }], [{ x: '1' }, { x: '' }]],
    ['in=notin', [{ in: 'notin' }], [{ in: 'in' }]], // keywords are identifiers where values are expected
  ];
  for (const [sel, yes, no] of cases) {
    const s = parseLabelSelector(sel);
    for (const l of yes) assert.equal(s.matches(l), true, `${sel} should match ${JSON.stringify(l)}`);
    for (const l of no) assert.equal(s.matches(l), false, `${sel} should not match ${JSON.stringify(l)}`);
  }
});

test('parseLabelSelector: empty, requirements sorted by key, canonical string', () => {
  assert.equal(parseLabelSelector('').empty, true);
  assert.equal(parseLabelSelector('   ').empty, true);
  assert.equal(parseLabelSelector('a').empty, false);
  const s = parseLabelSelector('z in (b,a,b), y, !x, w==1, v!=2, u>3');
  assert.deepEqual(s.requirements.map((r) => [r.key, r.operator, r.values]), [
    ['u', 'gt', ['3']], ['v', '!=', ['2']], ['w', '==', ['1']], ['x', '!', []], ['y', 'exists', []], ['z', 'in', ['a', 'b']],
  ]);
  assert.equal(s.toString(), 'u>3,v!=2,w==1,!x,y,z in (a,b)');
});

test('parseLabelSelector: exactMatches are the key=value requirements', () => {
  const s = parseLabelSelector('a=1,b in (2),c in (3,4),d!=5,e,f==6');
  assert.deepEqual([...s.exactMatches()], [['a', '1'], ['b', '2'], ['f', '6']]);
});

test('parseLabelSelector: errors as labels.Parse words them', () => {
  const cases: Array<[string, string]> = [
    ['x=a b', "found 'b', expected: ',' or 'end of string'"],
    ['x=a,', "found '', expected: identifier after ','"],
    ['x=a,,y', "found ',', expected: identifier after ','"],
    ['=a', "found '=', expected: !, identifier, or 'end of string'"],
    ['!x=a', "found '=', expected: ',' or 'end of string'"],
    ['x=(a)', "unable to parse requirement: found '(', expected: identifier"],
    ['x in a', "unable to parse requirement: found 'a' expected: '('"],
    ['x in (a', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['x in (a b)', "unable to parse requirement: found 'b', expected: ',' or ')'"],
    ['x in (=)', "unable to parse requirement: found '=', expected: ',', ')' or identifier"],
    ['x (a)', "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt"],
    ['!', "unable to parse requirement: found '', expected: identifier"],
    ['app=Foo_', `unable to parse requirement: values[0][app]: Invalid value: "Foo_": ${LABEL_VALUE}`],
    ['a_=b', `unable to parse requirement: <nil>: Invalid value: "a_": ${NAME_PART}`],
    ['x<-1', `unable to parse requirement: values[0][x]: Invalid value: "-1": ${LABEL_VALUE}`], // values are label values too
    ['x>a', `unable to parse requirement: values[0]: Invalid value: "a": for 'Gt', 'Lt' operators, the value must be an integer`],
    ['x in (b_,a_)', `unable to parse requirement: [values[0][x]: Invalid value: "a_": ${LABEL_VALUE}, values[1][x]: Invalid value: "b_": ${LABEL_VALUE}]`],
  ];
  for (const [sel, message] of cases) badRequest(() => parseLabelSelector(sel), message);
});

test('labelSelectorFromObject: null selects nothing, {} everything', () => {
  const nothing = labelSelectorFromObject(null);
  assert.equal(nothing.empty, false);
  assert.equal(nothing.matches({}), false);
  assert.equal(nothing.matches({ a: 'b' }), false);
  const everything = labelSelectorFromObject({});
  assert.equal(everything.empty, true);
  assert.equal(everything.matches(undefined), true);
  assert.equal(labelSelectorFromObject({ matchLabels: {}, matchExpressions: [] }).matches({ a: 'b' }), true);
});

test('labelSelectorFromObject: matchLabels and matchExpressions', () => {
  const s = labelSelectorFromObject({
    matchLabels: { b: '2', a: '1' },
    matchExpressions: [
      { key: 't', operator: 'In', values: ['y', 'x'] },
      { key: 'e', operator: 'Exists' },
      { key: 'n', operator: 'DoesNotExist' },
      { key: 'o', operator: 'NotIn', values: ['z'] },
    ],
  });
  assert.equal(s.toString(), 'a=1,b=2,e,!n,o notin (z),t in (x,y)');
  assert.equal(s.matches({ a: '1', b: '2', e: '', t: 'x' }), true);
  assert.equal(s.matches({ a: '1', b: '2', e: '', t: 'x', n: 'v' }), false);
  assert.equal(s.matches({ a: '1', b: '2', e: '', t: 'x', o: 'z' }), false);
  assert.equal(s.matches({ a: '1', b: '2', t: 'x' }), false);
});

test('labelSelectorToString: as a Scale status.selector shows it', () => {
  assert.equal(labelSelectorToString({ matchLabels: { app: 'web' } }), 'app=web');
  assert.equal(labelSelectorToString({}), '');
  assert.equal(labelSelectorToString(undefined), '');
});

test('labelSelectorFromObject: invalid selectors', () => {
  badRequest(() => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'Equals', values: ['x'] }] }),
    '"Equals" is not a valid label selector operator');
  badRequest(() => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }),
    "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty");
  badRequest(() => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }),
    'values: Invalid value: []string{"x"}: values set must be empty for exists and does not exist');
  badRequest(() => labelSelectorFromObject({ matchLabels: { 'a/b/c': 'x' } }),
    "key: Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
});

// ---- field selectors ----

const podFields = new Set(['metadata.name', 'metadata.namespace', 'status.phase', 'spec.nodeName']);

test('parseFieldSelector: requirements, sorted as the terms sort, == recorded as =', () => {
  assert.equal(parseFieldSelector('', podFields).empty, true);
  assert.equal(parseFieldSelector(',', podFields).empty, true);
  const s = parseFieldSelector('status.phase!=Failed,metadata.name==web', podFields);
  assert.deepEqual(s.requirements, [
    { field: 'metadata.name', operator: '=', value: 'web' },
    { field: 'status.phase', operator: '!=', value: 'Failed' },
  ]);
  assert.equal(s.requiresExactMatch('metadata.name'), 'web');
  assert.equal(s.requiresExactMatch('status.phase'), undefined);
  assert.equal(s.toString(), 'metadata.name=web,status.phase!=Failed');
});

test('parseFieldSelector: matching; an absent field is ""', () => {
  const fields = (values: Record<string, string>) => (name: string) => values[name];
  const cases: Array<[string, Record<string, string>, boolean]> = [
    ['metadata.name=web', { 'metadata.name': 'web' }, true],
    ['metadata.name=web', { 'metadata.name': 'api' }, false],
    ['spec.nodeName=', {}, true],
    ['spec.nodeName!=', {}, false],
    ['spec.nodeName!=', { 'spec.nodeName': 'n1' }, true],
    ['metadata.name=web,status.phase=Running', { 'metadata.name': 'web', 'status.phase': 'Running' }, true],
    ['metadata.name=web,status.phase=Running', { 'metadata.name': 'web', 'status.phase': 'Pending' }, false],
  ];
  for (const [sel, values, want] of cases) assert.equal(parseFieldSelector(sel, podFields).matches(fields(values)), want, sel);
});

test('parseFieldSelector: escaping with backslash', () => {
  const value = (sel: string) => parseFieldSelector(sel, podFields).requirements[0].value;
  assert.equal(value('metadata.name=a\\,b'), 'a,b');
  assert.equal(value('metadata.name=a\\=b'), 'a=b');
  assert.equal(value('metadata.name=a\\\\b'), 'a\\b');
  assert.equal(parseFieldSelector('metadata.name=a\\,b\\=c', podFields).toString(), 'metadata.name=a\\,b\\=c');
});

test('parseFieldSelector: errors as fields.ParseSelector and field label conversion word them', () => {
  const cases: Array<[string, string]> = [
    ['metadata.name', "invalid selector: 'metadata.name'; can't understand 'metadata.name'"],
    ['status.phase=Running,oops', "invalid selector: 'status.phase=Running,oops'; can't understand 'oops'"],
    ['metadata.name=a=b', 'invalid field selector: unescaped character in value: 61'],
    ['metadata.name=a\\b', 'invalid field selector: invalid escape sequence: \\b'],
    ['metadata.name=a\\', 'invalid field selector: invalid escape sequence: \\'],
    ['spec.foo=bar', 'field label not supported: spec.foo'],
    ['x=1,metadata.name=', 'field label not supported: x'],
    ['metadata.name =a', 'field label not supported: metadata.name '],
  ];
  for (const [sel, message] of cases) badRequest(() => parseFieldSelector(sel, podFields), message);
});
