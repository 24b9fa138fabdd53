// Start-up: LevelDB is read fully once, into the in-memory index every read is served from.
import type { Level } from 'level';
import type { KubeObject } from '../api/types.ts';
import type { StoredObject } from './interface.ts';
import { lastHistoryRevision } from './history.ts';
import { KeyIndex } from './key-index.ts';
import { metaCompacted, metaRevision, objectPrefix, objectRangeEnd } from './keys.ts';

export interface LoadedState {
  index: KeyIndex;
  revision: number;
  compactedRevision: number;
}

/** Told of each stored record that cannot be parsed: it is skipped, not fatal (see registry/unservable.ts). */
export type OnUnloadable = (key: string, reason: string) => void;

export async function loadState(db: Level<string, string>, onUnloadable: OnUnloadable = () => undefined): Promise<LoadedState> {
  const [index, maxObjectRevision] = await loadObjects(db, onUnloadable);
  const [rev, compacted] = await db.getMany([metaRevision, metaCompacted]);
  // m:rev is written in every batch; the other two only guard against a store written by an
  // older layout. Whatever the source, the counter never goes back below a revision handed out.
  const revision = Math.max(Number(rev ?? 0), maxObjectRevision, await lastHistoryRevision(db));
  return { index, revision, compactedRevision: Number(compacted ?? 0) };
}

async function loadObjects(db: Level<string, string>, onUnloadable: OnUnloadable): Promise<[KeyIndex, number]> {
  const index = new KeyIndex();
  let maxRevision = 0;
  const iterator = db.iterator({ gte: objectPrefix, lt: objectRangeEnd });
  try {
    for (;;) {
      const entries = await iterator.nextv(1000);
      if (entries.length === 0) break;
      for (const [levelKey, json] of entries) {
        const key = levelKey.slice(objectPrefix.length);
        let stored: StoredObject;
        try {
          stored = parseStored(key, json);
        } catch (err) {
          onUnloadable(key, `cannot be decoded: ${(err as Error).message}`);
          continue;
        }
        index.set(stored);
        if (stored.revision > maxRevision) maxRevision = stored.revision;
      }
    }
  } finally {
    await iterator.close();
  }
  return [index, maxRevision];
}

function parseStored(key: string, json: string): StoredObject {
  const object = JSON.parse(json) as KubeObject;
  if (typeof object !== 'object' || object === null || Array.isArray(object) || typeof object.metadata !== 'object' || object.metadata === null) {
    throw new Error('not an object with metadata');
  }
  return { key, object, json, revision: Number(object.metadata?.resourceVersion ?? 0) };
}
