// Starting kubelite processes in the orders people start them (docs/scaling-out.md): a worker
// started before its server waits for the kubeconfig and the server with one clear line each,
// and a second server on a data dir in use says which process holds it.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { ApiClient, resources } from '../src/client/index.ts';
import { kubeliteEntry, spawnKubelite, type KubeliteProcess } from './support/process.ts';
import { hangGuard, until } from './support/wait.ts';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** `kubelite <args>` with its output collected as it comes. */
function launch(args: string[]): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [...kubeliteEntry(), ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  return { child, output: () => out };
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

describe('starting processes', { timeout: hangGuard(120_000) }, () => {
  let dataDir: string;
  let server: KubeliteProcess | undefined;
  let kubelet: ReturnType<typeof launch> | undefined;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kubelite-startup-'));
  });

  after(async () => {
    await stop(kubelet?.child);
    await stop(server?.child);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('a kubelet started before its server waits for the kubeconfig, then registers its nodes', async () => {
    const kubeconfig = join(dataDir, 'kubelet.conf');
    kubelet = launch(['kubelet', '--kubeconfig', kubeconfig, '--nodes', '2', '--node-prefix', 'early']);
    await until('the kubelet to say it waits for its kubeconfig', async () => kubelet!.output().includes(`waiting for the kubeconfig ${kubeconfig}`), 60_000);
    assert.equal(kubelet.child.exitCode, null, `the kubelet exited: ${kubelet.output()}`);

    server = await spawnKubelite(['--data-dir', dataDir, '--port', '0', '--no-kubelet', '--no-scheduler', '--no-controllers']);
    await until('the kubelet to run', async () => kubelet!.output().includes('kubelite kubelet is running'), 60_000);
    const client = ApiClient.fromKubeconfig(join(dataDir, 'kubeconfig'), { qps: 0 });
    try {
      const names = await until('both nodes registered', async () => {
        const nodes = (await client.list(resources.nodes)).items.map((n) => n.metadata.name).sort();
        return nodes.length === 2 ? nodes : undefined;
      }, 60_000);
      assert.deepEqual(names, ['early-1', 'early-2']);
    } finally {
      client.close();
    }
    const output = kubelet.output();
    assert.equal(output.split('waiting for the kubeconfig').length - 1, 1, `said more than once:\n${output}`);
    assert.doesNotMatch(output, /ENOENT|\n\s+at /, 'a raw error or a stack was printed');
  });

  it('a second server on the same data dir says which process holds it', async () => {
    assert.ok(server, 'the first test started the server');
    const second = launch(['--data-dir', dataDir, '--port', '0', '--no-kubelet', '--no-scheduler', '--no-controllers']);
    const [code] = await once(second.child, 'exit');
    assert.equal(code, 1);
    assert.match(second.output(), new RegExp(`is in use by kubelite process ${server.child.pid}\\b.*another --data-dir`));
    assert.doesNotMatch(second.output(), /Database failed to open/);
  });
});
