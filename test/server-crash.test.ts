// An acknowledged write survives kill -9 of the whole server: restart, the object is there,
// and the next resourceVersion is larger than any handed out before.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { spawnKubelite } from './support/process.ts';

async function startKubelite(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const started = await spawnKubelite(['--data-dir', dataDir, '--port', '0', '--insecure-port', '0']);
  return { child: started.child, url: started.insecureUrl! };
}

const cm = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { k: name } });

it('acknowledged creates survive kill -9', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'kubelite-crash-'));
  try {
    const first = await startKubelite(dataDir);
    const acknowledged: Array<{ name: string; rv: number }> = [];
    // Concurrent creates, so that some are in flight when the process dies.
    const inflight: Promise<void>[] = [];
    for (let i = 0; i < 40; i++) {
      inflight.push(fetch(`${first.url}/api/v1/namespaces/default/configmaps`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: cm(`c${i}`),
      }).then(async (res) => {
        if (res.status === 201) {
          const obj = await res.json() as { metadata: { resourceVersion: string } };
          acknowledged.push({ name: `c${i}`, rv: Number(obj.metadata.resourceVersion) });
          if (acknowledged.length === 20) first.child.kill('SIGKILL');
        }
      }).catch(() => undefined));
    }
    await Promise.all(inflight);
    if (first.child.exitCode === null && first.child.signalCode === null) {
      const exited = once(first.child, 'exit');
      first.child.kill('SIGKILL');
      await exited;
    }
    assert.ok(acknowledged.length >= 20);

    const second = await startKubelite(dataDir);
    try {
      for (const { name } of acknowledged) {
        const res = await fetch(`${second.url}/api/v1/namespaces/default/configmaps/${name}`);
        assert.equal(res.status, 200, `${name} was acknowledged but is gone`);
      }
      const res = await fetch(`${second.url}/api/v1/namespaces/default/configmaps`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: cm('after-restart'),
      });
      const created = await res.json() as { metadata: { resourceVersion: string } };
      const maxBefore = Math.max(...acknowledged.map((a) => a.rv));
      assert.ok(Number(created.metadata.resourceVersion) > maxBefore, `rv ${created.metadata.resourceVersion} not after ${maxBefore}`);
    } finally {
      second.child.kill('SIGTERM');
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
