// One etcd watch turned into storage events: a prefix watch from `fromRevision + 1` with the
// previous value attached, so that MODIFIED and DELETED carry the version they replaced, as
// kube-apiserver's etcd3 watcher asks for. Across a reconnect the client resumes from the
// last revision delivered, so nothing is skipped and nothing repeated.
import { Range, type Namespace, type Watcher } from 'etcd3';
import { decodeKeyValue, isCompactedError, prefixRangeEnd, stamp, type EtcdKeyValue } from './etcd-codec.ts';
import { StorageError, type StorageEvent, type WatchHandle } from './interface.ts';

interface EtcdEvent {
  type: 'Put' | 'Delete';
  kv: EtcdKeyValue;
  prev_kv?: EtcdKeyValue | null;
}

export interface EtcdWatchCallbacks {
  onEvent(ev: StorageEvent): void;
  /** The watch ended on an error after it was established (e.g. its history was compacted). */
  onError(err: unknown): void;
}

/**
 * `latestRevision` is the newest revision the store has acknowledged: a watch stopped after a
 * write was acknowledged still delivers that write (etcd sends it a moment later), then ends.
 */
export function watchEtcd(kv: Namespace, prefix: string, fromRevision: number, callbacks: EtcdWatchCallbacks, latestRevision: () => number = () => 0): Promise<WatchHandle> {
  let lastDelivered = fromRevision;
  let established = false;
  let stopped = false;
  /** Set by stop(): deliver up to this revision, then cancel. */
  let drainTo: number | undefined;
  let drainTimer: NodeJS.Timeout | undefined;
  const cancel = () => {
    stopped = true;
    if (drainTimer) clearTimeout(drainTimer);
    watcher.cancel().catch(() => undefined);
  };
  const watcher: Watcher = kv.watch().inRange(new Range(prefix === '' ? Buffer.from([0]) : prefix, prefixRangeEnd(prefix))).startRevision(String(fromRevision + 1)).withPreviousKV().watcher();

  watcher.on('data', (res) => {
    if (stopped) return;
    for (const ev of res.events as unknown as EtcdEvent[]) {
      const storageEvent = toStorageEvent(ev);
      if (storageEvent.revision <= lastDelivered) continue;
      if (drainTo !== undefined && storageEvent.revision > drainTo) break;
      lastDelivered = storageEvent.revision;
      callbacks.onEvent(storageEvent);
    }
    if (drainTo !== undefined && lastDelivered >= drainTo) cancel();
  });
  // The client would resume from the newest revision it heard of, which may be past events
  // not yet sent to us; resume from what was delivered instead.
  watcher.on('disconnected', () => {
    (watcher as unknown as { request: { start_revision: string } }).request.start_revision = String(lastDelivered + 1);
  });

  const handle: WatchHandle = {
    stop() {
      if (stopped || drainTo !== undefined) return;
      drainTo = latestRevision();
      if (lastDelivered >= drainTo || !established) return cancel();
      // The acknowledged writes' events are on their way; never wait for them long.
      drainTimer = setTimeout(cancel, 2000);
      drainTimer.unref();
    },
  };
  return new Promise((resolve, reject) => {
    watcher.on('connected', () => {
      established = true;
      resolve(handle);
    });
    watcher.on('error', (err) => {
      if (stopped) return;
      if (!established) {
        stopped = true;
        reject(isCompactedError(err) ? new StorageError('Compacted', prefix, `revision ${fromRevision} has been compacted`) : err);
      } else {
        callbacks.onError(err);
      }
    });
  });
}

function toStorageEvent(ev: EtcdEvent): StorageEvent {
  const key = ev.kv.key.toString('utf8');
  const revision = Number(ev.kv.mod_revision);
  const prev = ev.prev_kv ? decodeKeyValue(key, ev.prev_kv) : undefined;
  if (ev.type === 'Delete') {
    // The last state, stamped with the deletion's revision, as the watch cache expects.
    if (!prev) throw new StorageError('NotFound', key, `etcd delete event for ${key} without its previous value`);
    return { type: 'DELETED', key, revision, current: stamp(key, prev.object, revision), prev };
  }
  const current = decodeKeyValue(key, ev.kv);
  const type = ev.kv.create_revision === ev.kv.mod_revision ? 'ADDED' : 'MODIFIED';
  return prev ? { type, key, revision, current, prev } : { type, key, revision, current };
}
