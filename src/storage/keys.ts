// The key layout of kubelite's LevelDB: one keyspace per record kind, told apart by the first
// byte, so that each is one contiguous range to scan.
//   o<key>            → the object's JSON (the current version, resourceVersion set)
//   h<16 hex digits>  → the history record of that revision (the event, for watch replay)
//   m:rev, m:compacted → the revision counter and the compaction mark
// Revisions are fixed-width hex so that LevelDB's byte order is revision order.

export const objectPrefix = 'o';
export const historyPrefix = 'h';
export const metaRevision = 'm:rev';
export const metaCompacted = 'm:compacted';

/** The first byte after each keyspace: an exclusive upper bound for range scans. */
export const objectRangeEnd = 'p';
export const historyRangeEnd = 'i';

export function objectKey(key: string): string {
  return objectPrefix + key;
}

export function historyKey(revision: number): string {
  return historyPrefix + revision.toString(16).padStart(16, '0');
}

export function revisionOfHistoryKey(levelKey: string): number {
  return parseInt(levelKey.slice(historyPrefix.length), 16);
}

/**
 * The watch-cache bucket of a key: the resource prefix `/registry/<group>/<resource>/`
 * (the key up to and including its fourth `/`), as kube keeps one cacher per resource.
 * Keys with fewer segments fall into the bucket of their parent path.
 */
export function resourcePrefixOf(key: string): string {
  let slash = -1;
  for (let seen = 0; seen < 4; seen++) {
    const next = key.indexOf('/', slash + 1);
    if (next < 0) break;
    slash = next;
  }
  return key.slice(0, slash + 1);
}
