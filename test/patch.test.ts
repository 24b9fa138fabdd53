// JSON patch and JSON merge patch as kube-apiserver v1.32 applies them
// (gopkg.in/evanphx/json-patch.v4 behind pkg/endpoints/handlers/patch.go).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../src/api/errors.ts';
import { applyJsonPatch } from '../src/registry/patch/json-patch.ts';
import { applyMergePatch } from '../src/registry/patch/merge-patch.ts';

function failsWith(fn: () => unknown, code: number, reason: string, message: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof StatusError, `not a StatusError: ${String(err)}`);
    assert.deepEqual([err.code, err.reason, err.message], [code, reason, message]);
    return true;
  });
}

const NOT_APPLICABLE = 'the server rejected our request due to an error in our request';

// ---- JSON patch ----

test('applyJsonPatch: operations that apply', () => {
  const cases: Array<[string, unknown, unknown[], unknown]> = [
    ['add a member', { a: 1 }, [{ op: 'add', path: '/b', value: 2 }], { a: 1, b: 2 }],
    ['add replaces a member', { a: 1 }, [{ op: 'add', path: '/a', value: [1] }], { a: [1] }],
    ['add without value is null', { a: 1 }, [{ op: 'add', path: '/b' }], { a: 1, b: null }],
    ['add inserts into an array', { a: [1, 3] }, [{ op: 'add', path: '/a/1', value: 2 }], { a: [1, 2, 3] }],
    ['add at the length appends', { a: [1] }, [{ op: 'add', path: '/a/1', value: 2 }], { a: [1, 2] }],
    ['add at - appends', { a: [1] }, [{ op: 'add', path: '/a/-', value: 2 }], { a: [1, 2] }],
    ['add at -1 appends (negative index)', { a: [1, 2] }, [{ op: 'add', path: '/a/-1', value: 9 }], { a: [1, 2, 9] }],
    ['remove a member', { a: 1, b: 2 }, [{ op: 'remove', path: '/a' }], { b: 2 }],
    ['remove an element', { a: [1, 2, 3] }, [{ op: 'remove', path: '/a/0' }], { a: [2, 3] }],
    ['remove the last element by -1', { a: [1, 2, 3] }, [{ op: 'remove', path: '/a/-1' }], { a: [1, 2] }],
    ['replace a member', { a: { b: 1 } }, [{ op: 'replace', path: '/a/b', value: 'x' }], { a: { b: 'x' } }],
    ['replace a missing member adds it (v4)', { a: {} }, [{ op: 'replace', path: '/a/b', value: 1 }], { a: { b: 1 } }],
    ['replace an element', { a: [1, 2] }, [{ op: 'replace', path: '/a/1', value: 5 }], { a: [1, 5] }],
    ['replace the whole document', { a: 1 }, [{ op: 'replace', path: '', value: { b: 2 } }], { b: 2 }],
    ['move a member', { a: { x: 1 }, b: {} }, [{ op: 'move', from: '/a/x', path: '/b/y' }], { a: {}, b: { y: 1 } }],
    ['move within an array', { a: [1, 2, 3] }, [{ op: 'move', from: '/a/0', path: '/a/-' }], { a: [2, 3, 1] }],
    ['copy a member', { a: { x: [1] } }, [{ op: 'copy', from: '/a/x', path: '/b' }], { a: { x: [1] }, b: [1] }],
    ['copy from a missing member copies null (v4)', { a: {} }, [{ op: 'copy', from: '/a/x', path: '/b' }], { a: {}, b: null }],
    ['test then replace', { spec: { replicas: 1 } }, [
      { op: 'test', path: '/spec/replicas', value: 1 },
      { op: 'replace', path: '/spec/replicas', value: 3 },
    ], { spec: { replicas: 3 } }],
    ['test deep equality, key order ignored', { a: { x: 1, y: [1, { z: null }] } }, [{ op: 'test', path: '/a', value: { y: [1, { z: null }], x: 1 } }], { a: { x: 1, y: [1, { z: null }] } }],
    ['test null against a missing member', { a: 1 }, [{ op: 'test', path: '/b', value: null }], { a: 1 }],
    ['test the whole document', { a: 1 }, [{ op: 'test', path: '', value: { a: 1 } }], { a: 1 }],
    ['~1 and ~0 in keys', { metadata: { labels: {} } }, [
      { op: 'add', path: '/metadata/labels/app.kubernetes.io~1name', value: 'web' },
      { op: 'add', path: '/metadata/labels/a~0b', value: 'x' },
    ], { metadata: { labels: { 'app.kubernetes.io/name': 'web', 'a~b': 'x' } } }],
    ['~01 is ~1, not /', {}, [{ op: 'add', path: '/~01', value: 1 }], { '~1': 1 }],
    ['a __proto__ key is plain data', {}, [{ op: 'add', path: '/__proto__', value: { polluted: true } }], JSON.parse('{"__proto__":{"polluted":true}}')],
    ['a null patch does nothing', { a: 1 }, null as unknown as unknown[], { a: 1 }],
    ['no operations', { a: 1 }, [], { a: 1 }],
  ];
  for (const [name, doc, patch, want] of cases) {
    const before = structuredClone(doc);
    assert.deepEqual(applyJsonPatch(doc, patch), want, name);
    assert.deepEqual(doc, before, `${name}: the document must not be modified`);
  }
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('applyJsonPatch: operations that do not apply are 422 Invalid, nothing applied', () => {
  const cases: Array<[string, unknown, unknown[]]> = [
    ['failed test', { spec: { replicas: 1 } }, [{ op: 'replace', path: '/spec/replicas', value: 5 }, { op: 'test', path: '/spec/replicas', value: 1 }]],
    ['test without a value', { a: 1 }, [{ op: 'test', path: '/a' }]],
    ['test a missing member against a value', { a: 1 }, [{ op: 'test', path: '/b', value: 1 }]],
    ['add under a missing parent', {}, [{ op: 'add', path: '/x/y', value: 1 }]],
    ['add under a scalar', { x: 1 }, [{ op: 'add', path: '/x/y', value: 1 }]],
    ['add at the root', {}, [{ op: 'add', path: '', value: {} }]],
    ['add past the end', { a: [1] }, [{ op: 'add', path: '/a/2', value: 1 }]],
    ['add at a non-index', { a: [1] }, [{ op: 'add', path: '/a/x', value: 1 }]],
    ['remove a missing member', { a: 1 }, [{ op: 'remove', path: '/b' }]],
    ['remove past the end', { a: [1] }, [{ op: 'remove', path: '/a/1' }]],
    ['replace past the end', { a: [1] }, [{ op: 'replace', path: '/a/1', value: 2 }]],
    ['replace the root with a scalar', { a: 1 }, [{ op: 'replace', path: '', value: 5 }]],
    ['move from a missing member', { a: 1 }, [{ op: 'move', from: '/b', path: '/c' }]],
    ['move into its own child', { a: { b: 1 } }, [{ op: 'move', from: '/a', path: '/a/c' }]],
    ['copy without from', { a: 1 }, [{ op: 'copy', path: '/b' }]],
    ['missing path', { a: 1 }, [{ op: 'remove' }]],
    ['unknown op', { a: 1 }, [{ op: 'merge', path: '/a' }]],
    ['no op', { a: 1 }, [{ path: '/a' }]],
    ['null operation', { a: 1 }, [null]],
  ];
  for (const [name, doc, patch] of cases) {
    assert.throws(() => applyJsonPatch(doc, patch), (err: unknown) => {
      assert.ok(err instanceof StatusError, name);
      // NewGenericServerResponse(422, ...): json-patch's error is the one cause.
      const causes = err.status.details?.causes ?? [];
      assert.equal(causes.length, 1, name);
      assert.equal(causes[0].reason, 'UnexpectedServerResponse', name);
      assert.ok(causes[0].message, name);
      assert.deepEqual({ ...err.status, details: {} }, {
        kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: NOT_APPLICABLE, reason: 'Invalid', code: 422, details: {},
      }, name);
      return true;
    }, name);
  }
});

test('applyJsonPatch: patches that do not decode are 400 BadRequest', () => {
  failsWith(() => applyJsonPatch({}, { op: 'add' }), 400, 'BadRequest',
    'error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp');
  failsWith(() => applyJsonPatch({}, 'x'), 400, 'BadRequest',
    'error decoding patch: json: cannot unmarshal string into Go value of type []handlers.jsonPatchOp');
  failsWith(() => applyJsonPatch({}, [1]), 400, 'BadRequest',
    'error decoding patch: json: cannot unmarshal number into Go value of type handlers.jsonPatchOp');
  failsWith(() => applyJsonPatch({}, [{ op: 'add', path: ['a'] }]), 400, 'BadRequest',
    'error decoding patch: json: cannot unmarshal array into Go struct field jsonPatchOp.path of type string');
  // fieldValidation=Ignore skips the strict decoding and words errors as jsonpatch.DecodePatch.
  failsWith(() => applyJsonPatch({}, { op: 'add' }, { fieldValidation: 'Ignore' }), 400, 'BadRequest',
    'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  failsWith(() => applyJsonPatch({}, [true], { fieldValidation: 'Ignore' }), 400, 'BadRequest',
    'json: cannot unmarshal bool into Go value of type jsonpatch.Operation');
});

test('applyJsonPatch: at most 10000 operations', () => {
  const ops = (n: number) => Array.from({ length: n }, () => ({ op: 'test', path: '/a', value: 1 }));
  assert.deepEqual(applyJsonPatch({ a: 1 }, ops(10000)), { a: 1 });
  failsWith(() => applyJsonPatch({ a: 1 }, ops(10001)), 413, 'RequestEntityTooLarge',
    'Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001');
});

// ---- JSON merge patch ----

test('applyMergePatch: RFC 7386 examples (object patches)', () => {
  const cases: Array<[unknown, unknown, unknown]> = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
    [{ a: 1 }, {}, { a: 1 }],
  ];
  for (const [doc, patch, want] of cases) {
    const before = structuredClone(doc);
    assert.deepEqual(applyMergePatch(doc, patch), want, `${JSON.stringify(doc)} + ${JSON.stringify(patch)}`);
    assert.deepEqual(doc, before, 'the document must not be modified');
  }
});

test('applyMergePatch: evanphx v4 null pruning', () => {
  // Landing where nothing was: nulls in objects are pruned, null elements of arrays stay.
  assert.deepEqual(applyMergePatch({}, { a: [1, null, { b: null, c: 1 }] }), { a: [1, null, { c: 1 }] });
  // Replacing an object with a non-object: the value lands as sent.
  assert.deepEqual(applyMergePatch({ a: { x: 1 } }, { a: [{ b: null }] }), { a: [{ b: null }] });
  // Replacing a scalar with an object: pruned.
  assert.deepEqual(applyMergePatch({ a: 1 }, { a: { b: null, c: 2 } }), { a: { c: 2 } });
});

test('applyMergePatch: kube-typical metadata edits', () => {
  const doc = { metadata: { name: 'web', labels: { app: 'web', tier: 'fe' }, annotations: { note: 'x' } }, spec: { replicas: 1 } };
  const patch = { metadata: { labels: { tier: null, env: 'prod' }, annotations: null }, spec: { replicas: 3 } };
  assert.deepEqual(applyMergePatch(doc, patch), {
    metadata: { name: 'web', labels: { app: 'web', env: 'prod' } },
    spec: { replicas: 3 },
  });
});

test('applyMergePatch: patches that are not objects', () => {
  // Strict and Warn (the default) decode the patch as a JSON object first.
  failsWith(() => applyMergePatch({ a: 1 }, ['c']), 400, 'BadRequest',
    'error decoding patch: json: cannot unmarshal array into Go value of type map[string]interface {}');
  failsWith(() => applyMergePatch({ a: 1 }, 'bar', { fieldValidation: 'Strict' }), 400, 'BadRequest',
    'error decoding patch: json: cannot unmarshal string into Go value of type map[string]interface {}');
  failsWith(() => applyMergePatch({ a: 1 }, null), 400, 'BadRequest', 'Invalid JSON Patch');
  // Ignore: evanphx alone; an array patch replaces the document, null elements kept.
  const ignore = { fieldValidation: 'Ignore' as const };
  assert.deepEqual(applyMergePatch({ a: 1 }, ['c', null, { d: null }], ignore), ['c', null, {}]);
  for (const patch of [null, 'bar', 5, true]) {
    failsWith(() => applyMergePatch({ a: 1 }, patch, ignore), 400, 'BadRequest', 'Invalid JSON Patch');
  }
});
