// Logs survive a restart of the whole of kubelite, as a kubelet's /var/log/pods outlives the
// kubelet: `kubelite --data-dir D` runs a pod whose command prints in a loop; after kubelite
// is stopped and started again on D, `kubectl logs` shows the lines from before, first, and
// the loop (started again with the container's process) goes on adding to the same file.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { spawnKubelite, type KubeliteProcess } from './support/process.ts';
import { runKubectl } from './support/server.ts';
import { until } from './support/wait.ts';

describe('container logs across a kubelite restart', { timeout: 120_000 }, () => {
  let dataDir: string;
  let running: KubeliteProcess | undefined;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kubelite-restart-logs-'));
  });

  after(async () => {
    running?.child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  const start = () => spawnKubelite(['--data-dir', dataDir, '--port', '0', '--nodes', '1']);
  async function stop(p: KubeliteProcess): Promise<void> {
    const exited = new Promise((resolve) => p.child.once('exit', resolve));
    p.child.kill('SIGTERM');
    await exited;
  }
  const kubectl = (args: string[]) => runKubectl(join(dataDir, 'kubeconfig'), args);
  const lines = (text: string) => text.split('\n').filter(Boolean);

  it('keeps the log on disk and the loop printing after kubelite restarts', async () => {
    running = await start();
    const run = await kubectl(['run', 'ticker', '--image=busybox', '--', 'sh', '-c', 'i=0; while true; do i=$((i+1)); echo "tick $i"; sleep 0.2; done']);
    assert.equal(run.code, 0, run.stderr);
    const before = await until('ticks before the restart', async () => {
      const r = await kubectl(['logs', 'ticker']);
      return r.code === 0 && lines(r.stdout).length >= 3 && r.stdout;
    }, 60_000, 200);
    await stop(running);
    running = await start();
    const afterRestart = await until('more ticks after the restart', async () => {
      const r = await kubectl(['logs', 'ticker']);
      return r.code === 0 && lines(r.stdout).length >= lines(before).length + 3 && r.stdout;
    }, 60_000, 200);
    assert.ok(afterRestart.startsWith(before), 'the lines from before the restart come first');
    // The process started again with the container: its count starts over, in the same file.
    assert.ok(lines(afterRestart).slice(lines(before).length).includes('tick 1'), 'the restarted loop counts from 1 again');
    const podDirs = await readdir(join(dataDir, 'pods'));
    assert.equal(podDirs.length, 1);
    assert.match(podDirs[0], /^default_ticker_[0-9a-f-]{36}$/);
    assert.deepEqual(await readdir(join(dataDir, 'pods', podDirs[0], 'ticker')), ['0.log']);
  });
});
