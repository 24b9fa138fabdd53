// Container logs on disk (src/kubelet/logs.ts) and the archive formats the runtime speaks:
// the kubelet's /var/log/pods layout and CRI line format, partial lines, --previous, rotation
// by size, a new log store on the same directory reading what the last one wrote; through a
// kubelet restart, a running pod's log keeps its old lines and its loop keeps printing; tar
// archives that GNU tar lists and extracts, and GNU tar's archives read back.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../src/api/types.ts';
import { LogStore } from '../src/kubelet/logs.ts';
import { createLogger } from '../src/log.ts';
import { readTar, writeTar } from '../src/kubelet/runtime/commands/tar-format.ts';
import { runWorkerInProcess, type RunningWorker } from './support/workers.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { until, hangGuard } from './support/wait.ts';

const pod = { metadata: { namespace: 'default', name: 'web', uid: '1111-2222' } };

async function collect(it: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const chunk of it) out += chunk;
  return out;
}

describe('container log files', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kubelite-logs-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes CRI lines under <ns>_<pod>_<uid>/<container>/<restartCount>.log, a partial line once it ends', async () => {
    const logs = new LogStore({ dir });
    logs.write(pod, 'c', 'stdout', 'one\ntw');
    logs.write(pod, 'c', 'stderr', 'oops\n');
    logs.write(pod, 'c', 'stdout', 'o\n');
    const file = await readFile(join(dir, 'default_web_1111-2222', 'c', '0.log'), 'utf8');
    const lines = file.trim().split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z stdout F one$/);
    assert.match(lines[1], / stderr F oops$/);
    assert.match(lines[2], / stdout F two$/);
    assert.equal(await collect(logs.read(pod, 'c')), 'one\noops\ntwo\n');
    assert.equal(await collect(logs.read(pod, 'c', { tailLines: 1 })), 'two\n');
    assert.equal(await collect(logs.read(pod, 'c', { limitBytes: 6 })), 'one\noo');
    assert.match(await collect(logs.read(pod, 'c', { timestamps: true, tailLines: 1 })), /^\S+Z two\n$/);
  });

  it('keeps the previous instance for --previous and reads what an earlier store wrote (a kubelite restart)', async () => {
    const first = new LogStore({ dir });
    first.append(pod, 'r', ['run 0']);
    first.restart(pod, 'r');
    first.append(pod, 'r', ['run 1']);
    const second = new LogStore({ dir });
    assert.equal(await collect(second.read(pod, 'r')), 'run 1\n');
    assert.equal(await collect(second.read(pod, 'r', { previous: true })), 'run 0\n');
    second.append(pod, 'r', ['after restart']);
    assert.equal(await collect(second.read(pod, 'r')), 'run 1\nafter restart\n');
    assert.deepEqual((await readdir(join(dir, 'default_web_1111-2222', 'r'))).sort(), ['0.log', '1.log']);
  });

  it('rotates a file past the size limit, keeping one rotated file', async () => {
    const logs = new LogStore({ dir, maxBytes: 500 });
    for (let i = 0; i < 40; i++) logs.append(pod, 'big', [`line ${i} ${'x'.repeat(20)}`]);
    const files = (await readdir(join(dir, 'default_web_1111-2222', 'big'))).sort();
    assert.equal(files.length, 2);
    assert.equal(files[0], '0.log');
    assert.match(files[1], /^0\.log\.\d{8}-\d{6}$/);
    const current = await collect(logs.read(pod, 'big'));
    assert.ok(Buffer.byteLength(current) <= 500);
    assert.match(current, /line 39 x+\n$/);
  });

  it('follows new lines until the container stops', async () => {
    const logs = new LogStore({ dir });
    const followed = collect(logs.read(pod, 'f', { follow: true }));
    logs.append(pod, 'f', ['a']);
    logs.append(pod, 'f', ['b']);
    logs.close(pod, 'f');
    assert.equal(await followed, 'a\nb\n');
  });

  it('removes the pod directory with the pod', async () => {
    const logs = new LogStore({ dir });
    const gone = { metadata: { namespace: 'default', name: 'gone', uid: 'u' } };
    logs.append(gone, 'c', ['x']);
    logs.removePod(gone);
    assert.ok(!(await readdir(dir)).includes('default_gone_u'));
  });
});

describe('tar archives and GNU tar', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kubelite-tar-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes archives GNU tar lists and extracts, long names included', async () => {
    const long = `deep/${'d'.repeat(120)}/${'f'.repeat(90)}.txt`;
    const archive = writeTar([
      { path: 'deep', type: 'dir', mode: 0o755, mtime: new Date(), data: Buffer.alloc(0) },
      { path: 'deep/a.txt', type: 'file', mode: 0o644, mtime: new Date(), data: Buffer.from('alpha\n') },
      { path: long, type: 'file', mode: 0o644, mtime: new Date(), data: Buffer.from('long name\n') },
    ]);
    await writeFile(join(dir, 'ours.tar'), archive);
    const listing = execFileSync('tar', ['tf', join(dir, 'ours.tar')], { encoding: 'utf8' }).trim().split('\n');
    assert.deepEqual(listing, ['deep/', 'deep/a.txt', long]);
    await mkdir(join(dir, 'out'));
    execFileSync('tar', ['xf', join(dir, 'ours.tar'), '-C', join(dir, 'out')]);
    assert.equal(await readFile(join(dir, 'out', 'deep', 'a.txt'), 'utf8'), 'alpha\n');
    assert.equal(await readFile(join(dir, 'out', long), 'utf8'), 'long name\n');
  });

  it('reads what GNU tar writes, long names included', async () => {
    const src = join(dir, 'src');
    const long = 'n'.repeat(150);
    await mkdir(join(src, 'sub'), { recursive: true });
    await writeFile(join(src, 'sub', 'b.txt'), 'beta\n');
    await writeFile(join(src, long), 'gnu long\n');
    const archive = execFileSync('tar', ['cf', '-', '-C', src, '.']);
    const entries = readTar(archive);
    const byPath = new Map(entries.map((e) => [e.path.replace(/^\.\//, ''), e]));
    assert.equal(byPath.get('sub/b.txt')?.data.toString(), 'beta\n');
    assert.equal(byPath.get(long)?.data.toString(), 'gnu long\n');
    assert.equal(byPath.get('sub/')?.type, 'dir');
  });
});

describe('logs through a kubelet restart', { timeout: hangGuard(90_000) }, () => {
  let server: TestServer;
  let logsDir: string;
  let kubelet: RunningWorker | undefined;

  before(async () => {
    logsDir = await mkdtemp(join(tmpdir(), 'kubelite-podlogs-'));
    server = await startTestServer({ scheduler: true });
  });
  after(async () => {
    await kubelet?.stop();
    await server?.stop();
    await rm(logsDir, { recursive: true, force: true });
  });

  const startKubelet = () => runWorkerInProcess('kubelet', {
    connection: { kubeconfigPath: server.kubeconfigs.kubelet },
    options: { nodes: 1, servingCert: server.kubeletServingCert, stagesFile: 'stages/pod-fast.yaml', podLogsDir: logsDir },
    log: createLogger(process.env.LOG_LEVEL ?? 'error'),
  });

  it('keeps a running pod\'s log and its loop keeps printing after the kubelet restarts', async () => {
    kubelet = await startKubelet();
    const run = await server.kubectl(['run', 'counter', '--image=busybox', '--', 'sh', '-c', 'while true; do echo "tick $(date +%s%N)"; sleep 0.1; done']);
    assert.equal(run.code, 0, run.stderr);
    const logs = async () => (await server.kubectl(['logs', 'counter'])).stdout;
    const before = await until('three ticks before the restart', async () => {
      const out = await logs();
      return out.split('\n').filter(Boolean).length >= 3 && out;
    }, 30_000, 50);
    await kubelet.stop();
    kubelet = await startKubelet();
    const afterRestart = await until('more ticks after the restart', async () => {
      const out = await logs();
      return out.split('\n').filter(Boolean).length >= before.split('\n').filter(Boolean).length + 3 && out;
    }, 30_000, 50);
    assert.ok(afterRestart.startsWith(before), 'the lines from before the restart are still there, first');
    const pod = await server.getJson<KubeObject>('/api/v1/namespaces/default/pods/counter');
    const files = await readdir(join(logsDir, `default_counter_${pod.metadata.uid}`, 'counter'));
    assert.deepEqual(files, ['0.log']);
  });
});
