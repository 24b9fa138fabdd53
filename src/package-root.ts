// The directory kubelite is installed in (the one holding package.json, schemas/, stages/).
// This file sits one level below it both as TypeScript (src/) and compiled into a bundle
// (dist/), so one relative URL finds it either way; modules deeper in src/ must not compute
// their own `../../..`, which would point elsewhere once bundled.
import { fileURLToPath } from 'node:url';

export const packageRoot = fileURLToPath(new URL('../', import.meta.url));

/** Whether this module runs compiled (dist/*.js) rather than through tsx (src/*.ts). */
export const compiled = import.meta.url.endsWith('.js');
