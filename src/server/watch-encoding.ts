// One watch event as the bytes a client receives: the stored JSON spliced into the event
// envelope (no re-serialisation), or a Table row / YAML document when those were asked for.
import type { KubeObject, WatchEventType } from '../api/types.ts';
import { partialObjectMetadata, toTable, type IncludeObject } from '../registry/table.ts';
import type { ResourceDef } from '../registry/types.ts';
import type { StoredObject } from '../storage/interface.ts';
import { encodeYaml, type Representation } from './negotiate.ts';

export type EventEncoder = (type: WatchEventType, obj: StoredObject | KubeObject) => string;

function isStored(obj: StoredObject | KubeObject): obj is StoredObject {
  return typeof (obj as StoredObject).json === 'string' && (obj as StoredObject).object !== undefined;
}

/** Encodes events for one watcher; a Table watch sends its column definitions once, first. */
export function watchEventEncoder(def: ResourceDef, rep: Representation, includeObject: IncludeObject): EventEncoder {
  let tableHeaderSent = false;
  const objectJson = (obj: StoredObject | KubeObject): string => {
    const object = isStored(obj) ? obj.object : obj;
    if (rep.view === 'Table' && object.kind !== 'Status') {
      const table = toTable(def, [object], { includeObject, version: rep.viewVersion, noHeaders: tableHeaderSent });
      tableHeaderSent = true;
      return JSON.stringify(table);
    }
    // A metadata-only watch (the garbage collector's) gets PartialObjectMetadata events, as kube's.
    if (rep.view === 'PartialObjectMetadata' && object.kind !== 'Status') return JSON.stringify(partialObjectMetadata(object, rep.viewVersion));
    return isStored(obj) ? obj.json : JSON.stringify(obj);
  };
  return (type, obj) => {
    if (rep.encoding === 'yaml') return `${encodeYaml({ type, object: JSON.parse(objectJson(obj)) })}---\n`;
    return `{"type":"${type}","object":${objectJson(obj)}}\n`;
  };
}

// One event line per stored version, event type and view, encoded to bytes once and written
// to every JSON watcher: 1,000 watchers of a resource cost one encoding, not 1,000, and so do
// the metadata-only watchers (the garbage collector's and the quota controller's monitors).
// A live event reaches every watcher in one synchronous fan-out, so only recent versions need
// their bytes: the cache is bounded by bytes. (Keyed weakly by version it kept the bytes of
// every version the watch cache's event ring still holds: up to 64 MiB of JSON per resource
// twice more, line and chunk frame, outside the V8 heap.)
const sharedLinesMaxBytes = 8 * 1024 * 1024;
const sharedLines = new Map<StoredObject, Map<string, Buffer>>();
let sharedLinesBytes = 0;

function sharedEventLine(type: WatchEventType, stored: StoredObject, view: string, encodeObject: () => string): Buffer {
  let byType = sharedLines.get(stored);
  if (!byType) sharedLines.set(stored, (byType = new Map()));
  const key = `${type} ${view}`;
  let line = byType.get(key);
  if (!line) {
    byType.set(key, (line = ownBytes(`{"type":"${type}","object":${encodeObject()}}\n`)));
    sharedLinesBytes += line.length;
    forgetOldestLines(stored);
  }
  return line;
}

/**
 * The string's bytes in a buffer of their own. Buffer.from slices a small string's bytes out of
 * a shared 8 KiB pool slab, and a kept slice keeps its whole slab: 1,000 nodes' Lease events
 * (~600 B lines, cached among other short-lived buffers) held ~15 MiB of slabs for <8 MiB of lines.
 */
function ownBytes(text: string): Buffer {
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
  bytes.write(text);
  return bytes;
}

/** Drops the oldest versions' lines past the bound, never `newest`'s (it is being sent). */
function forgetOldestLines(newest: StoredObject): void {
  for (const [stored, byType] of sharedLines) {
    if (sharedLinesBytes <= sharedLinesMaxBytes || stored === newest) return;
    sharedLines.delete(stored);
    for (const line of byType.values()) sharedLinesBytes -= line.length;
  }
}

/** Like watchEventEncoder, but JSON events of stored versions as objects or metadata come from the shared bytes. */
export function watchEventBytesEncoder(def: ResourceDef, rep: Representation, includeObject: IncludeObject): (type: WatchEventType, obj: StoredObject | KubeObject) => string | Buffer {
  const encode = watchEventEncoder(def, rep, includeObject);
  if (rep.encoding !== 'json') return encode;
  if (rep.view === 'object') return (type, obj) => (isStored(obj) ? sharedEventLine(type, obj, '', () => obj.json) : encode(type, obj));
  if (rep.view !== 'PartialObjectMetadata') return encode;
  const view = `PartialObjectMetadata/${rep.viewVersion}`;
  return (type, obj) => (isStored(obj)
    ? sharedEventLine(type, obj, view, () => JSON.stringify(partialObjectMetadata(obj.object, rep.viewVersion)))
    : encode(type, obj));
}
