// kube-controller-manager's flags on `kubelite` and `kubelite controllers`: Go durations,
// integers, the --controllers list, and kube's "invalid argument" errors.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { controllerOptionsFromFlags, parseGoDuration } from '../src/controllers/flags.ts';
import { parseOptions } from '../src/controllers/options.ts';
import { until } from './support/wait.ts';
import { kubeliteEntry } from './support/process.ts';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

test('parseGoDuration reads Go durations and refuses what Go refuses', () => {
  assert.equal(parseGoDuration('15s'), 15);
  assert.equal(parseGoDuration('1m30s'), 90);
  assert.equal(parseGoDuration('1h2m3.5s'), 3723.5);
  assert.equal(parseGoDuration('500ms'), 0.5);
  assert.equal(parseGoDuration('0'), 0);
  assert.throws(() => parseGoDuration('15'), { message: 'time: missing unit in duration "15"' });
  assert.throws(() => parseGoDuration('1d'), { message: 'time: invalid duration "1d"' });
  assert.throws(() => parseGoDuration(''), /invalid duration/);
});

test('controller manager flags become options the manager accepts', () => {
  const opts = controllerOptionsFromFlags({
    controllers: ['*,-ttl-after-finished', 'garbage-collector'],
    'concurrent-gc-syncs': ['5'],
    'horizontal-pod-autoscaler-sync-period': ['1s', '30s'], // the last one wins, as pflag's
    'horizontal-pod-autoscaler-tolerance': ['0.2'],
  });
  assert.deepEqual(opts, {
    controllers: ['*', '-ttl-after-finished', 'garbage-collector'],
    concurrentGcSyncs: 5,
    horizontalPodAutoscalerSyncPeriodSeconds: 30,
    horizontalPodAutoscalerTolerance: 0.2,
  });
  const parsed = parseOptions(opts);
  assert.equal(parsed.concurrentGcSyncs, 5);
  assert.equal(parsed.horizontalPodAutoscalerSyncPeriodSeconds, 30);
  assert.throws(() => controllerOptionsFromFlags({ 'concurrent-gc-syncs': ['two'] }),
    { message: 'invalid argument "two" for "--concurrent-gc-syncs" flag: parsing "two": invalid syntax' });
  assert.throws(() => controllerOptionsFromFlags({ 'node-monitor-period': ['5'] }),
    { message: 'invalid argument "5" for "--node-monitor-period" flag: time: missing unit in duration "5"' });
});

test('`kubelite controllers` accepts the flags docs/workloads.md names, and refuses a bad value', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kubelite-flags-'));
  const args = [...kubeliteEntry(), 'controllers', '--kubeconfig', join(dir, 'missing.conf'),
    '--controllers', '*,-ttl-after-finished', '--horizontal-pod-autoscaler-sync-period', '15s', '--concurrent-gc-syncs', '20'];
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  try {
    // Past flag parsing it waits for its kubeconfig, which never comes here.
    await until('the controller manager to wait for its kubeconfig', async () => out.includes('waiting for the kubeconfig'), 60_000);
    assert.doesNotMatch(out, /Unknown option/);
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
  const bad = spawn(process.execPath, [...args, '--concurrent-gc-syncs', 'many'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  bad.stderr!.on('data', (d) => { err += d; });
  const [code] = await once(bad, 'exit');
  assert.equal(code, 1);
  assert.match(err, /invalid argument "many" for "--concurrent-gc-syncs" flag/);
  await rm(dir, { recursive: true, force: true });
});
