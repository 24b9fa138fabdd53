// GET /metrics: kube-apiserver's Prometheus metrics in the text format 0.0.4 (what
// `kubectl get --raw /metrics` prints). Every request is counted and timed when its response
// ends; long-running ones (watches, exec, logs) are also counted while open. Added to the
// families of this API server: the process, the storage (objects per resource, write
// latency), and the work queues of this thread and of the worker threads (workers/thread.ts
// asks each for its families through the thread's message port).
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { ApiServerMetrics } from '../metrics/apiserver.ts';
import { expositionContentType, renderFamilies, type FamilySnapshot } from '../metrics/exposition.ts';
import { processCollector } from '../metrics/process.ts';
import { defaultRegistry, formatValue } from '../metrics/registry.ts';
import { requestLabels, type LabelledRequest } from './request-labels.ts';
import { remoteFamilies } from '../metrics/remote.ts';
import { groupResourceOf } from '../storage/metrics.ts';
import type { Registry } from '../registry/registry.ts';
import { isCachedStorage } from '../storage/interface.ts';

export interface PrometheusOptions {
  registry: Registry;
}

declare module 'fastify' {
  interface FastifyRequest {
    kubeMetrics?: LabelledRequest | null;
  }
}

export const prometheusRoutes: FastifyPluginAsync<PrometheusOptions> = async (app, opts) => {
  const metrics = new ApiServerMetrics();
  const { catalog, storage } = opts.registry;
  metrics.registry.register({ collect: () => storageObjects(storage) });
  metrics.registry.register({ collect: () => unservableObjects(opts.registry) });
  instrument(app, metrics, catalog);

  app.get('/metrics', async (_req, reply) => {
    const families = [...await metrics.registry.collect(), ...processCollector.collect() as FamilySnapshot[],
      ...await defaultRegistry.collect(), ...await remoteFamilies()];
    return reply.header('Content-Type', expositionContentType).send(renderFamilies(families));
  });
};
// Hooks and the route apply to the whole server, not only to this plugin's routes.
(prometheusRoutes as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;

function instrument(app: FastifyInstance, metrics: ApiServerMetrics, catalog: Registry['catalog']): void {
  // Callback hooks, not async ones: they run twice per request and never wait for anything.
  app.addHook('onRequest', (req, reply, done) => {
    const labelled = requestLabels({ method: req.method, url: req.url, raw: req.raw, query: req.query as Record<string, unknown>, contentType: req.headers['content-type'] }, catalog) ?? null;
    req.kubeMetrics = labelled;
    if (!labelled?.longRunning) return done();
    const open = metrics.longRunningGauge(labelled.labels);
    const watchers = labelled.labels.verb === 'WATCH' && labelled.def
      ? metrics.watchersGauge(labelled.def.group, labelled.def.version, labelled.def.kind) : undefined;
    open.inc();
    watchers?.inc();
    // A watch ends when either side closes it, and only a server-side end runs onResponse:
    // count it when the connection closes, as kube does when its handler returns.
    reply.raw.once('close', () => {
      open.dec();
      watchers?.dec();
      metrics.observe(labelled.labels, reply.raw.statusCode, reply.elapsedTime / 1000);
    });
    done();
  });
  app.addHook('onResponse', (req, reply, done) => {
    const labelled = req.kubeMetrics;
    // A path that names nothing is not counted, as kube's NotFound handler is not instrumented.
    if (labelled && !labelled.longRunning && (labelled.def || reply.statusCode !== 404)) {
      metrics.observe(labelled.labels, reply.statusCode, reply.elapsedTime / 1000);
    }
    done();
  });
}

/** kubelite_unservable_stored_objects: stored objects the server cannot serve (registry/unservable.ts). */
function unservableObjects(registry: Registry): FamilySnapshot[] {
  return [{
    name: 'kubelite_unservable_stored_objects', type: 'gauge',
    help: 'Number of stored objects that could not be loaded or served; listed on /readyz?verbose, left for the user to delete.',
    lines: [`kubelite_unservable_stored_objects ${formatValue(registry.unservable.size)}`],
  }];
}

/** apiserver_storage_objects{resource}: the watch cache's count of each resource's objects. */
function storageObjects(storage: Registry['storage']): FamilySnapshot[] {
  if (!isCachedStorage(storage)) return [];
  const lines: string[] = [];
  for (const [bucket, count] of storage.objectCounts()) lines.push(`apiserver_storage_objects{resource="${groupResourceOf(bucket)}"} ${formatValue(count)}`);
  return [{ name: 'apiserver_storage_objects', help: 'Number of stored objects at the time of last check split by kind. In case of a fetching error, the value will be -1.', type: 'gauge', lines }];
}
