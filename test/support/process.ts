// Test support: kubelite as a child process, started as users start it (bin/kubelite.js, the
// bundle in dist/), for the tests that kill it (crash safety) or run several (replicas); and
// the "is dist/ fresh" check they and the bench share. `npm test` builds dist/ once before
// the files run, so files running side by side never build it at the same time.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Brings dist/ up to date (`npm run build`, as `npm start` does) unless it is newer than every file in src/. */
export function ensureBuilt(): void {
  const stamp = join(repoRoot, 'dist', 'build-stamp');
  let newest = 0;
  for (const entry of readdirSync(join(repoRoot, 'src'), { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= newest) return;
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
}

export interface KubeliteProcess {
  child: ChildProcess;
  /** What `ready` matched in its output. */
  match: RegExpExecArray;
  /** The plain-HTTP URL, when started with --insecure-port. */
  insecureUrl?: string;
}

export interface SpawnOptions {
  /** The line that means it is up (default: the API server's "serving" line). */
  ready?: RegExp;
  /**
   * Run the bundle through bin/kubelite.js, as `npx kubelite` does (the default), or the
   * TypeScript through tsx (false). The bundle saves each process, and each of its worker
   * threads, tsx's loader: seconds of CPU for a server with its workers.
   */
  compiled?: boolean;
}

/** The node arguments that start `kubelite` (then its own arguments): bin/kubelite.js, built if stale, or src/main.ts through tsx. */
export function kubeliteEntry(compiled = true): string[] {
  if (!compiled) return ['--import', 'tsx', 'src/main.ts'];
  ensureBuilt();
  return ['bin/kubelite.js'];
}

const servingLine = /serving the Kubernetes API at (https:\/\/\S+)/;
const insecureLine = /insecure port \(plain HTTP, no authentication\): (http:\/\/\S+)/;

/** Starts `kubelite <args>` and resolves once it prints the ready line; rejects if it exits first. */
export function spawnKubelite(args: string[], opts: SpawnOptions = {}): Promise<KubeliteProcess> {
  const entry = kubeliteEntry(opts.compiled ?? true);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...entry, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr!.on('data', (d) => { err = (err + d).slice(-4000); });
    child.stdout!.on('data', (d) => {
      out += d;
      const match = (opts.ready ?? servingLine).exec(out);
      if (match) resolve({ child, match, insecureUrl: insecureLine.exec(out)?.[1] });
    });
    child.once('exit', (code) => reject(new Error(`kubelite ${args[0] ?? ''} exited with ${code}: ${err}`)));
  });
}
