// Controller history (src/controllers/history.ts): the encoding and hashes revisions are named
// by, revision numbering, equality, truncation, applying a revision back, and creating a
// revision through a real API server when its name is already taken (a hash collision).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiClient, InformerFactory, resources } from '../src/client/index.ts';
import {
  applyRevision, computeHash, ControllerHistory, controllerRevisionHashLabel, controllerRevisionsResource, controllerRevisionName, equalRevision, findEqualRevisions, fnv32, fnv32a,
  goJson, hashControllerRevision, newControllerRevision, nextRevision, revisionsToTruncate, safeEncodeString, sortControllerRevisions, templatePatch,
  type ControllerRevision,
} from '../src/controllers/history.ts';
import { startTestServer, type TestServer } from './support/server.ts';

const owner = { metadata: { name: 'web', namespace: 'default', uid: 'u-1' } };
const kind = { apiVersion: 'apps/v1', kind: 'StatefulSet' };
const template = (image: string) => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image }] } });
const revision = (name: string, n: number, data: unknown = {}, created = '2024-01-01T00:00:00Z'): ControllerRevision =>
  ({ metadata: { name, creationTimestamp: created }, revision: n, data });

describe('controller history', () => {
  it('writes JSON as Go json.Marshal does for a map: keys sorted, HTML characters escaped', () => {
    assert.equal(goJson({ b: 1, a: [{ z: null, y: 'x' }], c: '<a&b>' }), '{"a":[{"y":"x","z":null}],"b":1,"c":"\\u003ca\\u0026b\\u003e"}');
    assert.equal(goJson({ k: undefined, s: 'line\n\u2028' }), '{"s":"line\\n\\u2028"}');
  });

  it('hashes with FNV-1 and FNV-1a and encodes with apimachinery’s safe alphabet', () => {
    const bytes = new TextEncoder().encode('foobar');
    assert.equal(fnv32(bytes), 0x31f0b262);
    assert.equal(fnv32a(bytes), 0xbf9cf968);
    assert.equal(fnv32(new Uint8Array()), 0x811c9dc5);
    assert.equal(safeEncodeString('0123456789'), '456789bcdf'); // '0' is byte 48, 48 % 27 = 21: '4'
  });

  it('names a StatefulSet revision exactly as a real cluster did (nginx-sts-6798d68dcd)', () => {
    // The data of a ControllerRevision read from a kube 1.24 cluster, for `nginx-sts` with image nginx.
    const data = { spec: { template: { $patch: 'replace', metadata: { creationTimestamp: null, labels: { app: 'nginx-sts' } }, spec: {
      containers: [{ image: 'nginx', imagePullPolicy: 'Always', name: 'nginx', resources: {}, terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' }],
      dnsPolicy: 'ClusterFirst', restartPolicy: 'Always', schedulerName: 'default-scheduler', securityContext: {}, terminationGracePeriodSeconds: 30 } } } };
    assert.equal(newControllerRevision({ metadata: { name: 'nginx-sts', uid: 'u' } }, kind, { data, revision: 1, collisionCount: 0 }).metadata.name, 'nginx-sts-6798d68dcd');
  });

  it('gives equal templates one hash whatever their key order, and another for a change or a collision count', () => {
    const a = { spec: { containers: [{ name: 'nginx', image: 'nginx:1' }] }, metadata: { labels: { app: 'web' } } };
    const b = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ image: 'nginx:1', name: 'nginx' }] } };
    assert.equal(hashControllerRevision(a, 0), hashControllerRevision(b, 0));
    assert.equal(computeHash(a), computeHash(b));
    assert.notEqual(hashControllerRevision(a, 0), hashControllerRevision(template('nginx:2'), 0));
    assert.notEqual(hashControllerRevision(a, 0), hashControllerRevision(a, 1));
    assert.notEqual(computeHash(a, 0), computeHash(a, 1));
    assert.notEqual(computeHash(a), computeHash(a, 0)); // no count is not a count of 0
    assert.match(hashControllerRevision(a, 0), /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
  });

  it('records the template as a replacing patch, and applies it back', () => {
    const set = { metadata: { name: 'web' }, spec: { replicas: 3, template: template('nginx:1') } };
    const patch = templatePatch(set);
    assert.deepEqual(patch, { spec: { template: { ...template('nginx:1'), $patch: 'replace' } } });
    const changed = { ...set, spec: { ...set.spec, template: template('nginx:2') } };
    assert.deepEqual(applyRevision(changed, revision('web-x', 1, patch)), set);
  });

  it('names a revision after its owner and hash, labelled, owned and numbered', () => {
    const r = newControllerRevision(owner, kind, { templateLabels: { app: 'web' }, data: templatePatch({ metadata: {}, spec: { template: template('a') } }), revision: 4, collisionCount: 0 });
    const hash = r.metadata.labels![controllerRevisionHashLabel];
    assert.equal(r.metadata.name, `web-${hash}`);
    assert.equal(r.metadata.labels!.app, 'web');
    assert.equal(r.revision, 4);
    assert.deepEqual(r.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u-1', controller: true, blockOwnerDeletion: true }]);
    assert.equal(controllerRevisionName('x'.repeat(300), 'h').length, 225);
  });

  it('numbers revisions after the highest and sorts by revision, then age, then name', () => {
    const sorted = sortControllerRevisions([revision('c', 2), revision('b', 1, {}, '2024-01-02T00:00:00Z'), revision('a', 1, {}, '2024-01-02T00:00:00Z'), revision('d', 1)]);
    assert.deepEqual(sorted.map((r) => r.metadata.name), ['d', 'a', 'b', 'c']);
    assert.equal(nextRevision(sorted), 3);
    assert.equal(nextRevision([]), 1);
  });

  it('finds revisions with equal data', () => {
    const revs = [revision('a', 1, { x: 1 }), revision('b', 2, { x: 2 }), revision('c', 3, { x: 1 })];
    assert.deepEqual(findEqualRevisions(revs, revision('new', 4, { x: 1 })).map((r) => r.metadata.name), ['a', 'c']);
    assert.ok(!equalRevision(revs[0], revs[1]));
    assert.ok(!equalRevision(revs[0], undefined));
  });

  it('truncates unused history oldest first down to the limit, never a live revision', () => {
    const revs = [1, 2, 3, 4, 5, 6].map((n) => revision(`r${n}`, n));
    const live = new Set(['r1', 'r6']);
    assert.deepEqual(revisionsToTruncate(revs, live, 2).map((r) => r.metadata.name), ['r2', 'r3']);
    assert.deepEqual(revisionsToTruncate(revs, live, 4), []);
    assert.deepEqual(revisionsToTruncate(revs, live, 0).map((r) => r.metadata.name), ['r2', 'r3', 'r4', 'r5']);
  });

  describe('through the API', () => {
    let server: TestServer;
    let client: ApiClient;
    let history: ControllerHistory;
    before(async () => {
      server = await startTestServer();
      client = ApiClient.fromKubeconfig(server.kubeconfigPath);
      history = new ControllerHistory(client, new InformerFactory(client).informerFor(controllerRevisionsResource));
    });
    after(async () => {
      client?.close();
      await server?.stop();
    });

    it('renames on a hash collision, and takes an existing revision with equal data', async () => {
      const data = templatePatch({ metadata: {}, spec: { template: template('nginx:1') } });
      const taken = controllerRevisionName('web', hashControllerRevision(data, 0));
      await client.create(resources.controllerRevisions, { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: taken }, data: { other: true }, revision: 1 } as never, { namespace: 'default' });
      const wanted = newControllerRevision(owner, kind, { data, revision: 2, collisionCount: 0 });
      const made = await history.create(owner, wanted, 0);
      assert.equal(made.collisionCount, 1);
      assert.equal(made.revision.metadata.name, controllerRevisionName('web', hashControllerRevision(data, 1)));
      assert.deepEqual(made.revision.data, data);
      const again = await history.create(owner, wanted, 1);
      assert.equal(again.collisionCount, 1);
      assert.equal(again.revision.metadata.uid, made.revision.metadata.uid);
      const renumbered = await history.updateRevision(made.revision, 7);
      assert.equal(renumbered.revision, 7);
    });
  });
});
