// The scale stage's LISTs: every pod page by page as kubectl's --chunk-size=500 reads them
// (limit and continue, each page decoded, as a client must to follow the continue token), and
// a label-selected LIST of a few pods among all of them.
import type { HttpClient } from '../lib/http.ts';
import { runPool } from '../lib/pool.ts';
import { summarize } from '../lib/stats.ts';

interface PodPage {
  metadata: { continue?: string };
  items: Array<{ spec?: { nodeName?: string }; status?: { phase?: string } }>;
}

export interface PaginatedResult {
  items: number;
  running: number;
  bound: number;
  pages: number;
  bytes: number;
  totalMs: number;
  pageP50: number;
  pageP99: number;
}

export async function paginatedList(client: HttpClient, path: string, limit: number): Promise<PaginatedResult> {
  const pageMs: number[] = [];
  let items = 0;
  let running = 0;
  let bound = 0;
  let bytes = 0;
  let token: string | undefined;
  const t0 = performance.now();
  // Bounded: a server that kept answering continue tokens could not hold the bench forever.
  for (let page = 0; page < 100_000; page++) {
    const p0 = performance.now();
    const res = await client.expectOk('GET', `${path}?limit=${limit}${token ? `&continue=${encodeURIComponent(token)}` : ''}`);
    const list = JSON.parse(res.body) as PodPage;
    pageMs.push(performance.now() - p0);
    bytes += res.bytes;
    items += list.items.length;
    for (const pod of list.items) {
      if (pod.spec?.nodeName) bound++;
      if (pod.status?.phase === 'Running') running++;
    }
    token = list.metadata.continue;
    if (!token) break;
  }
  const s = summarize(pageMs);
  return { items, running, bound, pages: pageMs.length, bytes, totalMs: performance.now() - t0, pageP50: s.p50, pageP99: s.p99 };
}

/** `count` sequential LISTs of `path`; the first is decoded for its length. */
export async function selectedLists(client: HttpClient, path: string, count: number) {
  const first = await client.expectOk('GET', path);
  const items = (JSON.parse(first.body) as { items: unknown[] }).items.length;
  const result = await runPool({ count, concurrency: 1, deadlineMs: 30_000 }, () => client.expectOk('GET', path, { discardBody: true }));
  return { ...summarize(result.latenciesMs), items };
}
