// Who holds a LevelDB store. LevelDB locks its directory (the LOCK file) so that one process
// at a time opens it; a second kubelite on the same --data-dir would only hear "Database
// failed to open". Beside LOCK we write which process holds it, so the second one can say so,
// as etcd names the member already bound to a data dir.
import { hostname } from 'node:os';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const holderFile = 'kubelite.pid';

interface Holder {
  pid: number;
  hostname: string;
  startedAt: string;
}

/** Records this process as the store's holder (called once LevelDB has taken its lock). */
export function writeHolder(dir: string): void {
  const holder: Holder = { pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString() };
  writeFileSync(join(dir, holderFile), `${JSON.stringify(holder)}\n`);
}

/** Forgets the holder on a clean close; a crash leaves the file, which the next holder overwrites. */
export function removeHolder(dir: string): void {
  rmSync(join(dir, holderFile), { force: true });
}

function readHolder(dir: string): Holder | undefined {
  try {
    const h = JSON.parse(readFileSync(join(dir, holderFile), 'utf8')) as Partial<Holder>;
    return typeof h.pid === 'number' ? { pid: h.pid, hostname: String(h.hostname ?? ''), startedAt: String(h.startedAt ?? '') } : undefined;
  } catch {
    return undefined;
  }
}

/** classic-level reports a held lock as LEVEL_DATABASE_NOT_OPEN caused by LEVEL_LOCKED. */
export function isLockedError(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } } | undefined;
  return e?.code === 'LEVEL_LOCKED' || e?.cause?.code === 'LEVEL_LOCKED';
}

/** The error for a store another process holds, naming it when it said who it is. */
export function inUseError(dir: string): Error {
  const h = readHolder(dir);
  const who = h
    ? `kubelite process ${h.pid}${h.hostname && h.hostname !== hostname() ? ` on ${h.hostname}` : ''}${h.startedAt ? `, started ${h.startedAt}` : ''}`
    : 'another process';
  return new Error(`the store in ${dir} is in use by ${who}: stop it, or give this server another --data-dir`);
}
