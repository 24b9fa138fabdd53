#!/usr/bin/env node
// Starts the compiled bundle in dist/ (`npm run build`, run by `npm install` and `npm start`),
// which starts in a fraction of the time tsx takes to transpile src/ at every start. Without a
// build, or when a file in src/ changed after it, runs the TypeScript through tsx instead, so
// that a stale bundle never runs and a checkout with no build still works.
import { existsSync, readdirSync, statSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const stamp = new URL('dist/build-stamp', root);

/** The newest modification time of a file under `dir` (a few ms for src/'s ~250 files). */
function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(`${entry.parentPath ?? entry.path}/${entry.name}`).mtimeMs);
  }
  return newest;
}

// An install without src/ (the container image: dist/ only) has nothing a build could be older than.
const src = new URL('src/', root);
const built = existsSync(stamp) && (!existsSync(src) || statSync(stamp).mtimeMs >= newestMtime(src));
if (built) {
  await import('../dist/main.js');
} else {
  if (existsSync(stamp)) process.stderr.write('kubelite: src/ changed since the last build; running it through tsx (npm run build to start faster)\n');
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main.ts');
}
