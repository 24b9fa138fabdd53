// Retried failures are logged once per cause, without stacks (src/client/retry-log.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { failureCause, retryReporter } from '../src/client/index.ts';

function recorder() {
  const lines: Array<[level: string, fields: Record<string, unknown>, msg: string]> = [];
  return {
    lines,
    log: {
      warn: (fields: object, msg: string) => lines.push(['warn', fields as Record<string, unknown>, msg]),
      debug: (fields: object, msg: string) => lines.push(['debug', fields as Record<string, unknown>, msg]),
    },
  };
}

const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' });
const reset = Object.assign(new Error('aborted'), { code: 'ECONNRESET' });

test('failureCause: one line, the code when the message lacks it', () => {
  assert.equal(failureCause(refused), 'connect ECONNREFUSED 127.0.0.1:6443');
  assert.equal(failureCause(reset), 'ECONNRESET: aborted');
  assert.equal(failureCause(new Error('boom')), 'boom');
  assert.equal(failureCause('text'), 'text');
});

test('a repeated cause is debug until a success or a quiet minute; a new cause warns', () => {
  const { lines, log } = recorder();
  let now = 0;
  const r = retryReporter(log, 'informer failed', () => now);
  r.failed(refused, { during: 'watch' });
  now += 2000;
  r.failed(refused, { during: 'watch' });
  now += 2000;
  r.failed(reset);
  r.succeeded();
  r.failed(reset);
  now += 61_000;
  r.failed(reset);
  assert.deepEqual(lines.map(([level]) => level), ['warn', 'debug', 'warn', 'warn', 'warn']);
  assert.deepEqual(lines[0], ['warn', { during: 'watch', err: 'connect ECONNREFUSED 127.0.0.1:6443' }, 'informer failed; will retry']);
  assert.ok(lines.every(([, fields]) => typeof fields.err === 'string' && !String(fields.err).includes('\n')), 'no stacks');
});
