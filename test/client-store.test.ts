// The informer store's indexes and listers, and client-side label selectors.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../src/api/types.ts';
import { labelMatcher } from '../src/api/label-selector.ts';
import { controllerIndex, labelIndex, Store } from '../src/client/store.ts';

function pod(namespace: string, name: string, labels: Record<string, string>, owner?: string): KubeObject {
  return {
    metadata: {
      namespace, name, labels,
      ownerReferences: owner ? [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: owner, controller: true }, { apiVersion: 'v1', kind: 'X', name: 'x', uid: 'not-controller' }] : undefined,
    },
  };
}

const names = (objs: KubeObject[]) => objs.map((o) => o.metadata.name).sort();

describe('Store', () => {
  it('keys by namespace/name and indexes by namespace, label and controller owner', () => {
    const store = new Store();
    store.upsert(pod('a', 'p1', { app: 'web', tier: 'fe' }, 'rs-1'));
    store.upsert(pod('a', 'p2', { app: 'db' }, 'rs-2'));
    store.upsert(pod('b', 'p1', { app: 'web' }, 'rs-1'));
    store.upsert({ metadata: { name: 'node-1' } });
    assert.equal(store.get('a/p1')?.metadata.labels?.tier, 'fe');
    assert.ok(store.has('node-1'), 'cluster-scoped objects are keyed by name');
    assert.deepEqual(names(store.byNamespace('a')), ['p1', 'p2']);
    assert.deepEqual(store.indexKeys(labelIndex, 'app=web').sort(), ['a/p1', 'b/p1']);
    assert.deepEqual(store.indexKeys(controllerIndex, 'rs-1').sort(), ['a/p1', 'b/p1']);
    assert.deepEqual(store.byIndex(controllerIndex, 'not-controller'), [], 'only controller=true owners');
  });

  it('re-indexes on update and forgets on delete', () => {
    const store = new Store();
    store.upsert(pod('a', 'p', { app: 'web' }, 'rs-1'));
    const old = store.upsert(pod('a', 'p', { app: 'api' }, 'rs-2'));
    assert.equal(old?.metadata.labels?.app, 'web');
    assert.deepEqual(store.byIndex(labelIndex, 'app=web'), []);
    assert.deepEqual(names(store.byIndex(labelIndex, 'app=api')), ['p']);
    assert.deepEqual(store.byIndex(controllerIndex, 'rs-1'), []);
    assert.equal(store.delete('a/p')?.metadata.name, 'p');
    assert.equal(store.size, 0);
    assert.deepEqual(store.byNamespace('a'), []);
    assert.equal(store.delete('a/p'), undefined);
  });

  it('replace swaps the content; custom indexers see existing objects; lists filter by selector', () => {
    const store = new Store();
    store.upsert(pod('a', 'gone', { app: 'web' }));
    store.replace([pod('a', 'x', { app: 'web', env: 'prod' }), pod('b', 'y', { app: 'web', env: 'dev' }), pod('b', 'z', {})]);
    assert.equal(store.has('a/gone'), false);
    store.addIndexers({ env: (o) => (o.metadata.labels?.env ? [o.metadata.labels.env] : []) });
    assert.deepEqual(names(store.byIndex('env', 'dev')), ['y']);
    assert.deepEqual(names(store.list('app=web,env!=prod')), ['y']);
    assert.deepEqual(names(store.list({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] })), ['x']);
    assert.deepEqual(names(store.byNamespace('b', '!app')), ['z']);
    assert.throws(() => store.byIndex('nope', 'x'), /no indexer/);
  });
});

describe('labelMatcher', () => {
  it('matches as k8s.io/apimachinery/pkg/labels does', () => {
    const m = (sel: string, labels: Record<string, string>) => labelMatcher(sel)(labels);
    assert.equal(m('', {}), true);
    assert.equal(m('a=1', { a: '1' }), true);
    assert.equal(m('a==1', { a: '2' }), false);
    assert.equal(m('a!=1', {}), true, '!= matches a missing label');
    assert.equal(m('a in (1, 2),b', { a: '2', b: '' }), true);
    assert.equal(m('a notin (1,2)', { a: '3' }), true);
    assert.equal(m('a notin (1,2)', { a: '1' }), false);
    assert.equal(m('!a', { a: 'x' }), false);
    assert.throws(() => labelMatcher('a in 1'), /unable to parse/);
  });
});
