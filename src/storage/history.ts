// History records: one per revision, the event that revision produced. They let a watch
// resume from a revision (replay) and are dropped by compaction.
import type { Level } from 'level';
import type { KubeObject } from '../api/types.ts';
import type { StorageEvent, StorageEventType, StoredObject } from './interface.ts';
import { historyKey, historyPrefix, historyRangeEnd, revisionOfHistoryKey } from './keys.ts';

interface HistoryRecord {
  type: StorageEventType;
  key: string;
  /** The object after the write; for DELETED the last state stamped with the delete's revision. */
  json: string;
}

export function encodeHistory(ev: StorageEvent): string {
  const record: HistoryRecord = { type: ev.type, key: ev.key, json: ev.current.json };
  return JSON.stringify(record);
}

/**
 * Reads the history after `fromRevision` from LevelDB. The iterator is created before this
 * resolves its first chunk and reads one snapshot, so a compaction that starts later does not
 * tear the replay; `afterSnapshot` runs once the snapshot is taken (to check the compaction mark).
 */
export async function* readHistory(
  db: Level<string, string>,
  fromRevision: number,
  afterSnapshot: () => void,
): AsyncGenerator<{ revision: number; record: HistoryRecord }> {
  const iterator = db.iterator({ gt: historyKey(fromRevision), lt: historyRangeEnd });
  try {
    afterSnapshot();
    for (;;) {
      const entries = await iterator.nextv(512);
      if (entries.length === 0) return;
      for (const [levelKey, value] of entries) {
        yield { revision: revisionOfHistoryKey(levelKey), record: JSON.parse(value) as HistoryRecord };
      }
    }
  } finally {
    await iterator.close();
  }
}

/** The event a history record stands for; `reuse` supplies the live version when it is the same. */
export function historyEvent(revision: number, record: HistoryRecord, reuse?: StoredObject): StorageEvent {
  const current: StoredObject = reuse?.revision === revision
    ? reuse
    : { key: record.key, object: JSON.parse(record.json) as KubeObject, json: record.json, revision };
  return { type: record.type, key: record.key, revision, current };
}

/** The newest revision in the history, 0 when there is none. */
export async function lastHistoryRevision(db: Level<string, string>): Promise<number> {
  const keys = await db.keys({ gte: historyPrefix, lt: historyRangeEnd, reverse: true, limit: 1 }).all();
  return keys.length ? revisionOfHistoryKey(keys[0]) : 0;
}

/**
 * Deletes history records up to and including `revision`, a chunk per batch, so that a long
 * history never holds up the writes queued behind it. `shouldStop` ends it early (on close).
 * Resolves with how many records it deleted.
 */
export async function deleteHistoryThrough(db: Level<string, string>, revision: number, shouldStop: () => boolean): Promise<number> {
  const chunk = 1000;
  let deleted = 0;
  while (!shouldStop()) {
    const keys = await db.keys({ gte: historyPrefix, lte: historyKey(revision), limit: chunk }).all();
    if (keys.length === 0) break;
    await db.batch(keys.map((key) => ({ type: 'del' as const, key })));
    deleted += keys.length;
    if (keys.length < chunk) break;
  }
  return deleted;
}
