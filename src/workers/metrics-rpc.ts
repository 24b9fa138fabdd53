// How the API server's /metrics reaches the metrics of a worker thread: the parent posts
// { type: 'metrics', id }, the thread answers with its default registry's families (plain
// data, copied across). Kept in the worker threads rather than pushed to the parent, so that
// nothing crosses threads unless someone scrapes.
import type { Worker } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import type { FamilySnapshot } from '../metrics/exposition.ts';
import { defaultRegistry } from '../metrics/registry.ts';

interface MetricsRequest {
  type: 'metrics-request';
  id: number;
}

interface MetricsResponse {
  type: 'metrics-response';
  id: number;
  families: FamilySnapshot[];
}

export function isMetricsRequest(msg: unknown): msg is MetricsRequest {
  return (msg as { type?: string } | null)?.type === 'metrics-request';
}

export function isMetricsResponse(msg: unknown): msg is MetricsResponse {
  return (msg as { type?: string } | null)?.type === 'metrics-response';
}

/** In the worker thread: answer one request with this thread's families. */
export async function answerMetrics(port: MessagePort, msg: MetricsRequest): Promise<void> {
  const response: MetricsResponse = { type: 'metrics-response', id: msg.id, families: await defaultRegistry.collect() };
  port.postMessage(response);
}

/** In the parent: asks whichever thread is current; a thread that exits answers nothing. */
export class WorkerMetricsClient {
  private nextId = 0;
  private readonly pending = new Map<number, (families: FamilySnapshot[]) => void>();

  constructor(private readonly current: () => Worker | undefined) {}

  collect(): Promise<FamilySnapshot[]> {
    const worker = this.current();
    if (!worker) return Promise.resolve([]);
    const id = ++this.nextId;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      worker.postMessage({ type: 'metrics-request', id } satisfies MetricsRequest);
    });
  }

  handle(msg: MetricsResponse): void {
    this.pending.get(msg.id)?.(msg.families);
    this.pending.delete(msg.id);
  }

  /** The thread is gone: whoever waits gets nothing from it. */
  disconnect(): void {
    for (const resolve of this.pending.values()) resolve([]);
    this.pending.clear();
  }
}
