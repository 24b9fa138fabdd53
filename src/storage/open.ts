// Chooses the storage backend under the watch cache: LevelDB in the data dir (the default, one
// server), or etcd (`--storage=etcd --etcd-servers=…`), which several kubelite servers can share.
import { join } from 'node:path';
import type { Storage } from './interface.ts';
import { LevelStore } from './leveldb.ts';
import type { OnUnloadable } from './leveldb-load.ts';
import { restrictDataDir, restrictFiles } from './permissions.ts';
import type { StorageLogger } from './watchers.ts';

export type StorageBackendOptions =
  | { kind: 'leveldb' }
  | { kind: 'etcd'; servers: string[]; /** kube-apiserver's --etcd-prefix (default /registry is already in every key). */ prefix?: string; compactionIntervalMs?: number };

export async function openStorageBackend(dataDir: string, opts: StorageBackendOptions = { kind: 'leveldb' }, logger?: StorageLogger,
  onUnloadable?: OnUnloadable): Promise<Storage> {
  if (opts.kind === 'etcd') {
    if (opts.servers.length === 0) throw new Error('--storage=etcd needs --etcd-servers');
    // Loaded only when asked for: the etcd client (gRPC) would add to every start-up.
    const { EtcdStore } = await import('./etcd.ts');
    return EtcdStore.open({ servers: opts.servers, keyPrefix: opts.prefix, compactionIntervalMs: opts.compactionIntervalMs, logger });
  }
  const dir = join(dataDir, 'db');
  await restrictDataDir(dataDir, dir, logger);
  const store = await LevelStore.open(dir, { logger, onUnloadable });
  await restrictFiles(dir);
  return store;
}
