#!/usr/bin/env node
// The container image's HEALTHCHECK: GET /readyz over HTTPS, verifying the server against the
// CA kubelite generated in the data dir (anonymous requests may read /readyz). Exits 0 when
// ready, 1 otherwise (not listening yet, no CA yet, not ready, or too slow).
//   node scripts/container-healthcheck.mjs [URL] [CA-FILE]
// Defaults: https://127.0.0.1:6443/readyz and /data/pki/ca.crt, the image's CMD; override them
// with KUBELITE_HEALTHCHECK_URL and KUBELITE_HEALTHCHECK_CA when running it differently.
import { readFileSync } from 'node:fs';
import { request } from 'node:https';

const url = process.argv[2] ?? process.env.KUBELITE_HEALTHCHECK_URL ?? 'https://127.0.0.1:6443/readyz';
const caFile = process.argv[3] ?? process.env.KUBELITE_HEALTHCHECK_CA ?? '/data/pki/ca.crt';

function fail(why) {
  process.stderr.write(`unhealthy: ${why}\n`);
  process.exit(1);
}

let ca;
try {
  ca = readFileSync(caFile);
} catch (err) {
  fail(`${caFile}: ${err.code ?? err.message}`);
}
const req = request(url, { ca, timeout: 2500 }, (res) => {
  let body = '';
  res.setEncoding('utf8');
  res.on('data', (chunk) => (body += chunk));
  res.on('end', () => {
    if (res.statusCode !== 200) fail(`${url}: HTTP ${res.statusCode} ${body.trim()}`);
    process.stdout.write(`${url}: ${body.trim()}\n`);
    process.exit(0);
  });
});
req.on('timeout', () => req.destroy(new Error('timed out')));
req.on('error', (err) => fail(`${url}: ${err.message}`));
req.end();
