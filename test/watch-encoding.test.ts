// The bytes of a watch event are encoded once per version and shared by every JSON watcher,
// but only for recent versions: the cache is bounded by bytes, so the versions the watch
// cache's ring still holds do not keep their encoded copies alive (server/watch-encoding.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { watchEventBytesEncoder } from '../src/server/watch-encoding.ts';
import { configMapResource } from '../src/registry/resources/core-config.ts';
import type { StoredObject } from '../src/storage/interface.ts';

const rep = { encoding: 'json', view: 'object', viewVersion: 'v1' } as const;

function version(revision: number, bytes: number): StoredObject {
  const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big', namespace: 'ns', resourceVersion: String(revision) }, data: { blob: 'x'.repeat(bytes) } };
  return { key: '/registry/core/configmaps/ns/big', object, json: JSON.stringify(object), revision };
}

describe('shared watch event bytes', () => {
  it('are one Buffer for every watcher of a version, and the event line is the stored JSON in an envelope', () => {
    const stored = version(1, 10);
    const a = watchEventBytesEncoder(configMapResource, rep, 'Object');
    const b = watchEventBytesEncoder(configMapResource, rep, 'Object');
    const line = a('MODIFIED', stored);
    assert.ok(Buffer.isBuffer(line));
    assert.equal(b('MODIFIED', stored), line);
    assert.equal(line.toString(), `{"type":"MODIFIED","object":${stored.json}}\n`);
  });

  it('are forgotten for old versions once recent ones pass the byte bound, never for the newest', () => {
    const encode = watchEventBytesEncoder(configMapResource, rep, 'Object');
    const versions = Array.from({ length: 40 }, (_, i) => version(100 + i, 512 * 1024)); // 20 MiB of events
    const first = versions.map((v) => encode('MODIFIED', v));
    const newest = versions[versions.length - 1];
    assert.equal(encode('MODIFIED', newest), first[first.length - 1], 'the newest version is still shared');
    const again = encode('MODIFIED', versions[0]);
    assert.notEqual(again, first[0], 'the oldest version was encoded again: its bytes were not kept');
    assert.deepEqual(again, first[0]);
  });
});
