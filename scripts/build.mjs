// `npm run build` (also run by `npm install` through `prepare`, and before `npm start`):
// bundles src/ into dist/ with esbuild, so that `kubelite` starts plain JavaScript instead of
// transpiling some 250 TypeScript modules through tsx at every start (about 0.7 s of a 1.3 s
// start on a 2-core machine). Tests and the bench's own code keep running TypeScript
// through tsx; dist/ is not committed.
//
// One bundle per entry point, with the code they share split into chunks, all flat in dist/:
// every module then sits one directory below the package root, as it does in src/, which is
// what src/package-root.ts and the worker module table (src/workers/modules.ts) rely on.
//
// `--if-stale` (what `npm start` runs first): build only when a file in src/ is newer than
// dist/build-stamp, the check bin/kubelite.js makes, so a fresh dist/ costs a few ms, not a build.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const outdir = `${root}dist`;

// A fresh dist/ costs only this check: esbuild and build-ui.mjs (which imports it) load after it.
if (process.argv.includes('--if-stale') && isFresh()) process.exit(0);
const { build } = await import('esbuild');
const { buildUi } = await import('./build-ui.mjs');

/** Entry name (dist/<name>.js) → source. Worker threads load the last four by these names. */
export const entryPoints = {
  main: 'src/main.ts',
  'worker-thread': 'src/workers/thread-entry.ts',
  'kubelet-worker': 'src/kubelet/worker.ts',
  'scheduler-worker': 'src/scheduler/worker.ts',
  'controllers-worker': 'src/controllers/worker.ts',
};

const started = performance.now();
await rm(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints,
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunk-[hash]',
  // Packages that load files from beside themselves stay in node_modules: a native addon
  // (classic-level), and gRPC's protocol files (etcd3, loaded only for --storage=etcd).
  // And Fastify's route-schema compilers: kubelite declares no route schema and gives Fastify
  // factories of its own (server/app.ts), so they are never loaded; outside the bundle they
  // are not even parsed at start-up.
  external: ['level', 'classic-level', 'etcd3', '@fastify/ajv-compiler', '@fastify/fast-json-stringify-compiler'],
  // Whitespace and syntax only: names stay, so stack traces and CPU profiles stay readable.
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  // Bundled CommonJS dependencies (fastify, ajv, pino) call require(); give ESM chunks one.
  banner: { js: "import { createRequire as __kubeliteCreateRequire } from 'node:module'; const require = __kubeliteCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
// The browser console, served at /ui/ (scripts/build-ui.mjs).
await buildUi(root);
// What bin/kubelite.js compares source modification times with to tell a stale build.
await writeFile(`${outdir}/build-stamp`, `${new Date().toISOString()}\n`);
process.stderr.write(`kubelite: built dist/ in ${Math.round(performance.now() - started)} ms\n`);

/** Whether dist/build-stamp is newer than every file under src/. */
function isFresh() {
  const stamp = `${outdir}/build-stamp`;
  if (!existsSync(stamp)) return false;
  const built = statSync(stamp).mtimeMs;
  for (const entry of readdirSync(`${root}src`, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && statSync(`${entry.parentPath ?? entry.path}/${entry.name}`).mtimeMs > built) return false;
  }
  return true;
}
