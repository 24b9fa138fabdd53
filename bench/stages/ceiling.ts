// Stage 0: the Fastify no-op ceiling — ConfigMap-shaped POSTs at 64 clients against a server
// that only parses and echoes them (bench/lib/noop-server.mjs, its own process). The insecure
// API server's create rate is budgeted as a share of this, measured in the same run.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { progress } from '../lib/context.ts';
import { HttpClient } from '../lib/http.ts';
import { configMap } from '../lib/objects.ts';
import { ratePerSecond, runPool } from '../lib/pool.ts';
import { summarize } from '../lib/stats.ts';
import { formatCount, noBudget, type Row } from '../lib/table.ts';

const script = fileURLToPath(new URL('../lib/noop-server.mjs', import.meta.url));

export async function fastifyCeiling(opts: { count: number; clients: number }): Promise<{ row: Row; ratePerSecond: number }> {
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const match = /noop server at (\S+)/.exec(out);
        if (match) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`the no-op server exited (${code})`)));
    });
    const client = new HttpClient(url, opts.clients);
    try {
      // A short warm-up, so the JIT has seen the path before it is timed.
      await runPool({ count: 2000, concurrency: opts.clients, deadlineMs: 10_000 }, (i) => client.expectOk('POST', '/api/v1/namespaces/x/configmaps', { body: configMap(`warm-${i}`) }));
      const result = await runPool({ count: opts.count, concurrency: opts.clients, deadlineMs: 30_000 }, (i) =>
        client.expectOk('POST', '/api/v1/namespaces/x/configmaps', { body: configMap(`cm-${i}`) }));
      const s = summarize(result.latenciesMs);
      const rate = ratePerSecond(result);
      progress(`stage 0: Fastify no-op ceiling, ${opts.clients} clients: ${formatCount(rate)}/s, p99 ${s.p99.toFixed(2)} ms`);
      return {
        ratePerSecond: rate,
        row: { stage: `0. Fastify no-op POST ceiling, ${opts.clients} clients (plain HTTP)`, result: `${formatCount(rate)}/s (${formatCount(result.completed)})`, p50Ms: s.p50, p99Ms: s.p99, budget: noBudget },
      };
    } finally {
      client.close();
    }
  } finally {
    child.kill('SIGTERM');
  }
}
