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
  /** The same, parsed (records in the current format come parsed with the record). */
  object?: KubeObject;
}

/** Where the object's JSON starts in a record: no `"` in the key is unescaped, so the first match is the field. */
const objectField = ',"object":';

/**
 * A record as stored: `{"type":…,"key":…,"object":<the object's JSON>}`, the version's JSON
 * embedded as it is rather than escaped into a string (which cost a pass over every write's
 * JSON, a quarter more bytes on disk for a typical pod, and one more copy of a large object).
 */
export function encodeHistory(ev: StorageEvent): string {
  return `{"type":"${ev.type}","key":${JSON.stringify(ev.key)}${objectField}${ev.current.json}}`;
}

/** Reads a record in the current format, or in the earlier one (`"json"`: the object's JSON as a string). */
export function decodeHistory(value: string): HistoryRecord {
  const raw = JSON.parse(value) as { type: StorageEventType; key: string; json?: string; object?: KubeObject };
  if (typeof raw.json === 'string') return { type: raw.type, key: raw.key, json: raw.json };
  const json = value.slice(value.indexOf(objectField) + objectField.length, -1);
  return { type: raw.type, key: raw.key, json, object: raw.object };
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
        yield { revision: revisionOfHistoryKey(levelKey), record: decodeHistory(value) };
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
    : { key: record.key, object: record.object ?? JSON.parse(record.json) as KubeObject, json: record.json, revision };
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
