// The browser console (src/ui/) bundled for the browser into dist/ui/: app.js and app.css
// (esbuild gathers the CSS the app imports, xterm.js's included) beside index.html. No CDN:
// everything the page loads is in these files, served by src/server/ui.ts.
import { build } from 'esbuild';
import { copyFile, mkdir, stat } from 'node:fs/promises';

/** Builds dist/ui/ under `root`; resolves to the bundle's sizes in bytes. */
export async function buildUi(root) {
  const outdir = `${root}dist/ui`;
  await mkdir(outdir, { recursive: true });
  await build({
    absWorkingDir: root,
    entryPoints: { app: 'src/ui/main.tsx' },
    outdir,
    bundle: true,
    format: 'esm',
    // The terminal (xterm.js) is a chunk of its own, loaded when first opened.
    splitting: true,
    chunkNames: 'chunk-[hash]',
    platform: 'browser',
    target: ['chrome110', 'firefox115'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    sourcemap: 'linked',
    tsconfig: 'src/ui/tsconfig.json',
    logLevel: 'warning',
  });
  await copyFile(`${root}src/ui/index.html`, `${outdir}/index.html`);
  await copyFile(`${root}src/ui/favicon.svg`, `${outdir}/favicon.svg`);
  return { js: (await stat(`${outdir}/app.js`)).size, css: (await stat(`${outdir}/app.css`)).size };
}
