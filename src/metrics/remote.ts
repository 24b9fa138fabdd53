// Metric families that live in other threads: each worker thread (controllers, scheduler,
// kubelets) keeps its own work queue metrics, and /metrics asks every registered source for
// its families when scraped. A source that does not answer in time is left out of that scrape.
import type { FamilySnapshot } from './exposition.ts';

export type RemoteSource = () => Promise<FamilySnapshot[]>;

const sources = new Set<RemoteSource>();
const answerWithinMs = 1000;

/** Adds a source; the function returned removes it. */
export function addRemoteSource(source: RemoteSource): () => void {
  sources.add(source);
  return () => sources.delete(source);
}

export async function remoteFamilies(): Promise<FamilySnapshot[]> {
  const answers = await Promise.all([...sources].map((source) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<FamilySnapshot[]>((resolve) => (timer = setTimeout(() => resolve([]), answerWithinMs)));
    return Promise.race([source().catch(() => []), timeout]).finally(() => clearTimeout(timer));
  }));
  return answers.flat();
}
