// Test support: kubelite as a child process, started as users start it, for the tests that
// kill it (crash safety) or run several (replicas); and the "is dist/ fresh" check they and
// the bench share.
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
  /** Run the bundle through bin/kubelite.js (default: the TypeScript through tsx). */
  compiled?: boolean;
}

const servingLine = /serving the Kubernetes API at (https:\/\/\S+)/;
const insecureLine = /insecure port \(plain HTTP, no authentication\): (http:\/\/\S+)/;

/** Starts `kubelite <args>` and resolves once it prints the ready line; rejects if it exits first. */
export function spawnKubelite(args: string[], opts: SpawnOptions = {}): Promise<KubeliteProcess> {
  const entry = opts.compiled ? ['bin/kubelite.js'] : ['--import', 'tsx', 'src/main.ts'];
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
