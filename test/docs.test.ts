// Docs that are true: every fenced shell block of README.md and docs/*.md marked runnable —
// an HTML comment `<!-- runnable -->` on the line before the fence, optionally
// `<!-- runnable expect: REGEX -->` — runs with bash against a fresh kubelite this test
// starts (one per page, KUBECONFIG pointed at it), from the repository's root so that
// `manifests/…` paths work. Each block must exit 0, and its output must match its REGEX.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { spawnKubelite } from './support/process.ts';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

export interface RunnableBlock {
  page: string;
  /** 1-based line of the fence. */
  line: number;
  script: string;
  expect?: RegExp;
}

/** The runnable blocks of one page, in order. */
export function runnableBlocks(page: string, text: string): RunnableBlock[] {
  const lines = text.split('\n');
  const blocks: RunnableBlock[] = [];
  for (let i = 1; i < lines.length; i++) {
    const marker = /^<!--\s*runnable(?:\s+expect:\s*(.*?))?\s*-->\s*$/.exec(lines[i - 1].trim());
    if (!marker || !/^```(sh|bash|shell)\s*$/.test(lines[i].trim())) continue;
    const end = lines.findIndex((l, j) => j > i && l.trim() === '```');
    assert.ok(end > i, `${page}:${i + 1}: a runnable block is not closed`);
    blocks.push({ page, line: i + 1, script: lines.slice(i + 1, end).join('\n'), expect: marker[1] ? new RegExp(marker[1]) : undefined });
  }
  return blocks;
}

async function pages(): Promise<string[]> {
  const docs = (await readdir(join(repoRoot, 'docs'))).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`);
  return ['README.md', ...docs];
}

/** Runs a block with bash; background jobs it leaves (`kubectl get cm -w &`) are ended with it. */
async function runBlock(block: RunnableBlock, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const child = spawn('bash', ['-e', '-o', 'pipefail', '-c', block.script], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout!.on('data', (d) => { output += d; });
  child.stderr!.on('data', (d) => { output += d; });
  const [code] = await once(child, 'exit');
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // the group is already gone
  }
  return { code, output };
}

const all = await Promise.all((await pages()).map(async (page) => runnableBlocks(page, await readFile(join(repoRoot, page), 'utf8'))));

describe('runnable blocks in the docs', { timeout: 600_000 }, () => {
  it('finds the marked blocks (README.md and docs/crds.md at least)', () => {
    const marked = new Set(all.flat().map((b) => b.page));
    assert.ok(marked.has('README.md') && marked.has('docs/crds.md'), `runnable blocks only in ${[...marked].join(', ')}`);
  });

  for (const blocks of all.filter((b) => b.length > 0)) {
    it(`${blocks[0].page}: every runnable block exits 0 against a fresh server`, async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'kubelite-docs-'));
      const server = await spawnKubelite(['--data-dir', dataDir, '--port', '0']);
      try {
        const env = { ...process.env, KUBECONFIG: join(dataDir, 'kubeconfig') };
        for (const block of blocks) {
          const { code, output } = await runBlock(block, env);
          assert.equal(code, 0, `${block.page}:${block.line} exited ${code}:\n${output}`);
          if (block.expect) assert.match(output, block.expect, `${block.page}:${block.line}: output does not match`);
        }
      } finally {
        if (server.child.exitCode === null && server.child.signalCode === null) {
          server.child.kill('SIGTERM');
          await once(server.child, 'exit');
        }
        await rm(dataDir, { recursive: true, force: true });
      }
    });
  }
});
