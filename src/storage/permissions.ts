// The store holds Secrets: like etcd, which creates its data dir 0700 and warns at start when
// it finds it wider ("the recommended permission is -rwx------ to prevent possible
// unprivileged access to the data"), kubelite keeps <data-dir> and <data-dir>/db private.
// The db dir is kubelite's alone, so it is tightened (0700, files 0600); a wider data dir
// chosen by the user is only warned about, as etcd does.
import { chmod, mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { StorageLogger } from './watchers.ts';

export const privateDirMode = 0o700;
export const privateFileMode = 0o600;

async function modeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mode & 0o777;
  } catch {
    return undefined;
  }
}

function octal(mode: number): string {
  return `0${mode.toString(8)}`;
}

export async function restrictDataDir(dataDir: string, dbDir: string, log?: StorageLogger): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: privateDirMode });
  const dataMode = await modeOf(dataDir);
  if (dataMode !== undefined && (dataMode & 0o077) !== 0) {
    log?.warn({ dir: dataDir, mode: octal(dataMode), recommended: octal(privateDirMode) },
      'the data dir is readable by other users; the recommended permission is 0700 to prevent unprivileged access to the data');
  }
  const dbMode = await modeOf(dbDir);
  if (dbMode === undefined) {
    await mkdir(dbDir, { mode: privateDirMode });
  } else if ((dbMode & 0o077) !== 0) {
    log?.warn({ dir: dbDir, mode: octal(dbMode) }, 'the store was readable by other users; made private (0700, files 0600)');
    await chmod(dbDir, privateDirMode);
  }
}

/** LevelDB creates its files with the process umask: make the ones there are private. */
export async function restrictFiles(dbDir: string): Promise<void> {
  for (const entry of await readdir(dbDir, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(dbDir, entry.name);
    const mode = await modeOf(path);
    if (mode !== undefined && (mode & 0o077) !== 0) await chmod(path, privateFileMode).catch(() => undefined);
  }
}
