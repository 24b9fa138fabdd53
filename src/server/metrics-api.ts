// The resource metrics API, metrics.k8s.io/v1beta1, served in-process as metrics-server
// serves it behind kube-apiserver's aggregator: GET and LIST of NodeMetrics (`nodes`) and
// PodMetrics (`pods`, one namespace or all), as objects, YAML or a Table, computed from the
// watch cache by the usage model (src/metrics-api/). Registering the plugin adds the group's
// rows to the catalog, so discovery lists it as it lists an available APIService's group.
// Named apart from the Prometheus `/metrics` endpoint, which is another thing entirely.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errors, StatusError } from '../api/errors.ts';
import type { KubeObject } from '../api/types.ts';
import { MetricsSource } from '../metrics-api/metrics-source.ts';
import { metricsGroup, metricsResources, metricsVersion, nodeMetricsResource, podMetricsResource } from '../metrics-api/resources.ts';
import type { UsageModel } from '../api/usage-model.ts';
import type { Registry } from '../registry/registry.ts';
import { parseIncludeObject, partialObjectMetadata, toTable } from '../registry/table.ts';
import type { ResourceDef } from '../registry/types.ts';
import { contentTypeOf, encodeYaml, negotiate, type Representation } from './negotiate.ts';
import { sendText } from './respond.ts';
import { queryBool } from '../api/query-bool.ts';

type Query = Record<string, string | undefined>;

/** What a path under /apis/metrics.k8s.io/v1beta1/ names: nodes[/name], [namespaces/ns/]pods[/name]. */
function parsePath(url: string): { def: ResourceDef; namespace?: string; name?: string } {
  const segs = url.split('?')[0].split('/').filter(Boolean).slice(3).map(decodeURIComponent);
  let namespace: string | undefined;
  if (segs[0] === 'namespaces' && segs.length >= 3) {
    namespace = segs[1];
    segs.splice(0, 2);
  }
  const [resource, name, ...rest] = segs;
  const def = resource === 'pods' ? podMetricsResource : resource === 'nodes' && namespace === undefined ? nodeMetricsResource : undefined;
  if (!def || rest.length) throw errors.notFoundPath();
  return { def, namespace, name };
}

/** apimachinery's NewMethodNotSupported, as a storage without Watch answers `?watch=true`. */
function watchNotSupported(def: ResourceDef): StatusError {
  return new StatusError(405, 'MethodNotAllowed', `watch is not supported on resources of kind "${def.plural}.${metricsGroup}"`, { group: metricsGroup, kind: def.plural });
}

function send(reply: FastifyReply, rep: Representation, doc: unknown): FastifyReply {
  return sendText(reply, 200, contentTypeOf(rep.encoding), rep.encoding === 'yaml' ? encodeYaml(doc) : JSON.stringify(doc));
}

export async function metricsApiRoutes(app: FastifyInstance, opts: { registry: Registry; usageModel?: UsageModel }): Promise<void> {
  const { registry } = opts;
  for (const def of metricsResources) {
    if (!registry.catalog.lookup(def.group, def.version, def.plural)) registry.catalog.add(def);
  }
  const source = new MetricsSource(registry, opts.usageModel);

  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    const { def, namespace, name } = parsePath(req.url);
    const query = req.query as Query;
    const includeObject = parseIncludeObject(query.includeObject);
    if (name !== undefined) {
      const rep = negotiate(req.headers.accept, ['Table', 'PartialObjectMetadata']);
      const obj = def === podMetricsResource ? await source.getPodMetrics(namespace ?? 'default', name) : await source.getNodeMetrics(name);
      if (rep.view === 'Table') return send(reply, rep, toTable(def, [obj], { includeObject, version: rep.viewVersion }));
      if (rep.view === 'PartialObjectMetadata') return send(reply, rep, partialObjectMetadata(obj, rep.viewVersion));
      return send(reply, rep, obj);
    }
    if (queryBool(query.watch)) throw watchNotSupported(def);
    const rep = negotiate(req.headers.accept, ['Table', 'PartialObjectMetadataList']);
    const selectors = { labelSelector: query.labelSelector || undefined, fieldSelector: query.fieldSelector || undefined };
    const items: KubeObject[] = def === podMetricsResource ? await source.listPodMetrics(namespace, selectors) : await source.listNodeMetrics(selectors);
    if (rep.view === 'Table') return send(reply, rep, toTable(def, items, { includeObject, version: rep.viewVersion }));
    if (rep.view === 'PartialObjectMetadataList') {
      return send(reply, rep, { kind: 'PartialObjectMetadataList', apiVersion: `meta.k8s.io/${rep.viewVersion}`, metadata: {}, items: items.map((i) => partialObjectMetadata(i, rep.viewVersion)) });
    }
    return send(reply, rep, { kind: `${def.kind}List`, apiVersion: `${metricsGroup}/${metricsVersion}`, metadata: {}, items });
  };
  app.get(`/apis/${metricsGroup}/${metricsVersion}/*`, handler);
}
