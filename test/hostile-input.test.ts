// Issue 16: hostile input never crashes, bricks, starves or 5xx's the server. One test per
// finding reproduced on the issue (2, 3, 4, 5, 6, 7, 9); every error answer is a metav1.Status,
// nothing is written when the answer is an error, and the server still answers afterwards.
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { rawExchange } from './support/raw-http.ts';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { maxNestingDepth } from '../src/api/json-limits.ts';
import { startTestServer, type TestServer } from './support/server.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.stop();
});

const cms = '/api/v1/namespaces/default/configmaps';

async function call(method: string, path: string, body?: string, contentType = 'application/json') {
  const res = await server.request(path, { method, body, headers: body === undefined ? {} : { 'content-type': contentType } });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text.startsWith('{') ? JSON.parse(text) : undefined };
}

function assertStatus(res: { status: number; json?: any; text: string }, code: number, reason: string): any {
  assert.equal(res.status, code, res.text.slice(0, 500));
  assert.equal(res.json?.kind, 'Status', res.text.slice(0, 500));
  assert.equal(res.json.code, code);
  assert.equal(res.json.reason, reason);
  return res.json;
}

async function createConfigMap(name: string, data: Record<string, string> = { a: '1' }) {
  const res = await call('POST', cms, JSON.stringify({ metadata: { name }, data }));
  assert.equal(res.status, 201, res.text);
  return res.json;
}

/** Sends raw bytes to the plain port; resolves with everything read until the server closes. */
function raw(data: string | Buffer, opts: { keepOpen?: boolean } = {}): Promise<string> {
  return rawExchange(server.url, data, opts);
}

function statusOf(response: string): { code: number; body: any } {
  const [head, body] = response.split('\r\n\r\n');
  return { code: Number(head.split(' ')[1]), body: JSON.parse(body) };
}

function nested(levels: number): unknown {
  let v: unknown = 'x';
  for (let i = 0; i < levels; i++) v = { a: v };
  return v;
}

describe('hostile input (issue 16)', () => {
  it('finding 2: a JSON patch copying a value into itself is bounded (422), not a 6 GB heap', async () => {
    await createConfigMap('copy-bomb');
    const ann = await call('PATCH', `${cms}/copy-bomb`, JSON.stringify({ metadata: { annotations: { big: 'x'.repeat(1024) } } }), 'application/merge-patch+json');
    assert.equal(ann.status, 200);
    const ops = Array.from({ length: 40 }, (_, i) => ({ op: 'copy', from: '/metadata/annotations', path: `/metadata/annotations/c${i}` }));
    const res = await call('PATCH', `${cms}/copy-bomb`, JSON.stringify(ops), 'application/json-patch+json');
    const status = assertStatus(res, 422, 'Invalid');
    assert.match(status.details.causes[0].message, /^Unable to complete the copy, the accumulated size increase of copy is \d+, exceeding the limit 3145728$/);
    const got = await call('GET', `${cms}/copy-bomb`);
    assert.deepEqual(Object.keys(got.json.metadata.annotations), ['big'], 'nothing was written');
    // And past 10,000 operations, kube's 413.
    const many = Array.from({ length: 10_001 }, () => ({ op: 'test', path: '/data/a', value: '1' }));
    assertStatus(await call('PATCH', `${cms}/copy-bomb`, JSON.stringify(many), 'application/json-patch+json'), 413, 'RequestEntityTooLarge');
  });

  it('finding 3: an unknown field named outside Latin-1 gives a Warning header, not a 500 after the write', async () => {
    await createConfigMap('emoji');
    const res = await call('PATCH', `${cms}/emoji`, '{"😀":1,"data":{"x":"y"}}', 'application/merge-patch+json');
    assert.equal(res.status, 200, res.text);
    // The header carries the UTF-8 octets, as Go writes them; fetch reads them as Latin-1.
    const warning = Buffer.from(res.headers.get('warning') ?? '', 'latin1').toString('utf8');
    assert.equal(warning, '299 - "unknown field \\"😀\\""');
    assert.equal(res.json.data.x, 'y');
    // Control characters and quotes in a field name are safe too.
    const odd = await call('PATCH', `${cms}/emoji`, JSON.stringify({ 'a\n"b\u0000': 1 }), 'application/merge-patch+json');
    assert.equal(odd.status, 200, odd.text);
    assert.equal(odd.headers.get('warning'), '299 - "unknown field \\"a \\"b \\""');
    // Strict refuses the field and writes nothing.
    const strict = await call('PATCH', `${cms}/emoji?fieldValidation=Strict`, '{"😀":1,"data":{"z":"y"}}', 'application/merge-patch+json');
    assert.ok(strict.status === 400 || strict.status === 422, strict.text);
    assert.equal((await call('GET', `${cms}/emoji`)).json.data.z, undefined);
  });

  it('finding 4: an object past 1.5 MiB is refused with 413 and not stored', async () => {
    // 1 MiB of data is valid, and so are 10,000 labels; together they pass what etcd stores.
    const labels = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`label-${i}`, 'v'.repeat(60)]));
    const body = JSON.stringify({ metadata: { name: 'too-big', labels }, data: { a: 'x'.repeat(1000 * 1024) } });
    assert.ok(body.length < 3 * 1024 * 1024 && body.length > 1.5 * 1024 * 1024);
    const res = await call('POST', '/api/v1/namespaces/default/configmaps', body);
    const status = assertStatus(res, 413, 'RequestEntityTooLarge');
    assert.equal(status.message, 'Request entity too large: limit is 3145728');
    assert.equal((await call('GET', '/api/v1/namespaces/default/configmaps/too-big')).status, 404);
  });

  it('finding 5: the store is private to its user (0700, files 0600)', async () => {
    const db = join(server.dataDir, 'db');
    assert.equal((await stat(server.dataDir)).mode & 0o777, 0o700);
    assert.equal((await stat(db)).mode & 0o777, 0o700);
    assert.equal((await stat(join(db, 'CURRENT'))).mode & 0o077, 0, 'LevelDB files are not readable by others');
  });

  it('finding 7: nesting past the bound is a 400 for every verb and patch type; at the bound it works', async () => {
    await createConfigMap('deep');
    const tooDeep = nested(maxNestingDepth + 10);
    const cases: Array<[string, string, string, string]> = [
      ['POST', cms, JSON.stringify({ metadata: { name: 'd2' }, x: tooDeep }), 'application/json'],
      ['PUT', `${cms}/deep`, JSON.stringify({ metadata: { name: 'deep' }, x: tooDeep }), 'application/json'],
      ['PATCH', `${cms}/deep`, JSON.stringify({ x: tooDeep }), 'application/merge-patch+json'],
      ['PATCH', `${cms}/deep`, JSON.stringify({ x: tooDeep }), 'application/strategic-merge-patch+json'],
      ['PATCH', `${cms}/deep`, JSON.stringify([{ op: 'add', path: '/x', value: tooDeep }]), 'application/json-patch+json'],
      ['PATCH', `${cms}/deep?fieldManager=t`, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'deep' }, x: tooDeep }), 'application/apply-patch+yaml'],
      ['POST', cms, `metadata: {name: d3}\nx: ${'['.repeat(5000)}${']'.repeat(5000)}\n`, 'application/yaml'],
    ];
    for (const [method, path, body, type] of cases) {
      const status = assertStatus(await call(method, path, body, type), 400, 'BadRequest');
      assert.match(status.message, /exceeded max depth/, `${method} ${type}`);
    }
    // Deep unknown fields at the bound are pruned with a warning, not a stack overflow.
    const atBound = nested(maxNestingDepth - 2);
    for (const type of ['application/merge-patch+json', 'application/strategic-merge-patch+json']) {
      const res = await call('PATCH', `${cms}/deep`, JSON.stringify({ x: atBound }), type);
      assert.equal(res.status, 200, `${type}: ${res.text.slice(0, 300)}`);
    }
    // A JSON patch that copies a value into itself until it is too deep is refused.
    const grow = [{ op: 'add', path: '/metadata/annotations', value: {} }, { op: 'add', path: '/metadata/annotations/x', value: {} },
      ...Array.from({ length: maxNestingDepth + 5 }, () => ({ op: 'copy', from: '/metadata/annotations', path: '/metadata/annotations/x' }))];
    const deepened = await call('PATCH', `${cms}/deep`, JSON.stringify(grow), 'application/json-patch+json');
    assert.ok(deepened.status === 422, deepened.text.slice(0, 300));
    assert.equal(deepened.json.kind, 'Status');
  });

  it('finding 7: YAML alias bombs, unknown anchors and huge resourceVersions are 400s', async () => {
    const bomb = 'a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n' +
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n';
    let status = assertStatus(await call('POST', cms, bomb, 'application/yaml'), 400, 'BadRequest');
    assert.equal(status.message, 'error converting YAML to JSON: yaml: document contains excessive aliasing');
    status = assertStatus(await call('POST', cms, 'metadata: *x\n', 'application/yaml'), 400, 'BadRequest');
    assert.equal(status.message, "error converting YAML to JSON: yaml: unknown anchor 'x' referenced");
    status = assertStatus(await call('GET', `${cms}?resourceVersion=${'9'.repeat(100)}`), 400, 'BadRequest');
    assert.match(status.message, /value out of range/);
  });

  it('finding 9: bad URLs, unknown methods, garbage and oversize headers are answered with a Status', async () => {
    let res = statusOf(await raw('GET /api/v1/namespaces/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
    assert.equal(res.code, 400);
    assert.deepEqual([res.body.kind, res.body.reason, res.body.message], ['Status', 'BadRequest', 'invalid URL escape "%zz"']);
    res = statusOf(await raw('FOO /api/v1/namespaces HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
    assert.deepEqual([res.code, res.body.reason], [405, 'MethodNotAllowed']);
    res = statusOf(await raw('OPTIONS /api/v1/namespaces HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
    assert.deepEqual([res.code, res.body.reason], [405, 'MethodNotAllowed']);
    res = statusOf(await raw('GARBAGE\r\n\r\n'));
    assert.deepEqual([res.code, res.body.kind, res.body.reason], [400, 'Status', 'BadRequest']);
    // kube allows 1 MiB of headers: 100 KB is served, past 1 MiB a 431 Status.
    res = statusOf(await raw(`GET /api/v1/namespaces/default HTTP/1.1\r\nHost: x\r\nX-A: ${'a'.repeat(100_000)}\r\nConnection: close\r\n\r\n`));
    assert.equal(res.code, 200);
    res = statusOf(await raw(`GET /api/v1/namespaces/default HTTP/1.1\r\nHost: x\r\nX-A: ${'a'.repeat(1100 * 1024)}\r\nConnection: close\r\n\r\n`));
    assert.deepEqual([res.code, res.body.kind, res.body.reason], [431, 'Status', 'RequestHeaderFieldsTooLarge']);
    // And the server is still there.
    assert.equal((await call('GET', '/api/v1/namespaces/default')).status, 200);
  });
});
