// Durability under kill -9: a child process creates objects and reports each acknowledged
// one; we kill it at a random moment, reopen the store, and check that every acknowledged
// object survived and that the revision counter did not go back.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { createLogger } from '../src/log.ts';
import { LevelStore } from '../src/storage/leveldb.ts';
import { hangGuard } from './support/wait.ts';

interface Ack {
  key: string;
  revision: number;
}

/** Runs the writer until `killAfter` acknowledgements have been read, then SIGKILLs it. */
async function writeAndKill(dir: string, killAfter: number): Promise<Ack[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/crash-writer.ts', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = once(child, 'exit');
  const acks: Ack[] = [];
  let partial = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d; });
  child.stdout.on('data', (d: Buffer) => {
    const lines = (partial + d).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      const [key, revision] = line.split(' ');
      if (revision !== undefined) acks.push({ key, revision: Number(revision) });
    }
    if (acks.length >= killAfter) child.kill('SIGKILL');
  });
  const [code, signal] = await exited;
  assert.equal(signal, 'SIGKILL', `writer exited by itself (code ${code}): ${stderr}`);
  return acks;
}

it('every acknowledged write survives SIGKILL, and revisions never go back', { timeout: hangGuard(30_000) }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kubelite-crash-'));
  try {
    const acknowledged: Ack[] = [];
    for (let round = 0; round < 5; round++) {
      acknowledged.push(...await writeAndKill(dir, 20 + Math.floor(Math.random() * 300)));
      const store = await LevelStore.open(dir, { logger: createLogger('silent') });
      try {
        const highest = Math.max(...acknowledged.map((a) => a.revision));
        for (const ack of acknowledged) {
          const stored = await store.get(ack.key);
          assert.equal(stored?.revision, ack.revision, `${ack.key} was acknowledged at ${ack.revision}, found ${stored?.revision}`);
        }
        assert.ok(store.revision >= highest);
        const next = await store.create(`/registry/core/configmaps/crash/after-${round}`, {
          apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `after-${round}` },
        });
        assert.ok(next.revision > highest, `next revision ${next.revision} must exceed ${highest}`);
      } finally {
        await store.close();
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
