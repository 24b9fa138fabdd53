// `npm test` runs the test files as JavaScript bundles, not as TypeScript through tsx: tsx's
// loader costs each test process about a second of CPU (its hooks thread, one round trip per
// module for some 300 modules), and the suite starts over a hundred processes on a 2-core
// machine. esbuild (what tsx transpiles with) bundles every test/*.test.ts with the src/ code
// it imports into node_modules/.cache/kubelite-tests/, shared code split into chunks; packages
// stay in node_modules. `node --import tsx --test test/x.test.ts` runs one file as before.
//
// `import.meta.url` (and dirname, filename) is replaced in each module by its source file's
// own, so paths computed from it (src/package-root.ts, fixtures, the worker modules a worker
// thread loads through tsx) point where they do under tsx.
//
// Usage: node test/support/bundle-tests.mjs [test/a.test.ts …]   (default: every test/*.test.ts)
import { readdirSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../../', import.meta.url));
export const outdir = join(root, 'node_modules', '.cache', 'kubelite-tests');

const requested = process.argv.slice(2);
const entryPoints = requested.length
  ? requested
  : readdirSync(join(root, 'test')).filter((f) => f.endsWith('.test.ts')).map((f) => `test/${f}`);

/** Each module keeps the import.meta of its source file. */
const sourceImportMeta = {
  name: 'source-import-meta',
  setup(b) {
    b.onLoad({ filter: /\.[cm]?ts$/ }, async (args) => {
      let contents = await readFile(args.path, 'utf8');
      if (contents.includes('import.meta.')) {
        contents = contents
          .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href))
          .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path)))
          .replaceAll('import.meta.filename', JSON.stringify(args.path));
      }
      return { contents, loader: 'ts' };
    });
  },
};

const started = performance.now();
await rm(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints,
  outdir,
  outbase: 'test',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  chunkNames: 'chunks/[name]-[hash]',
  // Maps for a failure's stack: run with NODE_OPTIONS=--enable-source-maps to read .ts lines.
  sourcemap: 'linked',
  plugins: [sourceImportMeta],
  logLevel: 'warning',
});
process.stderr.write(`kubelite: bundled ${entryPoints.length} test files in ${Math.round(performance.now() - started)} ms\n`);
