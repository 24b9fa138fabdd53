// core/v1 ComponentStatus (`kubectl get cs`), read-only and computed at each request as
// kube-apiserver's componentstatus REST does, reporting kubelite's own parts: `etcd-0` is the
// store (a read through it), `scheduler` and `controller-manager` are healthy while their
// leader-election Lease in kube-system is held and renewed — whichever scheduler or
// controller manager holds it, kubelite's or kube's own. Deprecated, with kube's warning.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errors, StatusError } from '../api/errors.ts';
import type { KubeObject } from '../api/types.ts';
import { queryBool } from '../api/query-bool.ts';
import type { Registry } from '../registry/registry.ts';
import { componentStatusResource } from '../registry/resources/component-status.ts';
import { parseIncludeObject } from '../registry/table.ts';
import { negotiate } from './negotiate.ts';
import { sendList, sendObject, sendWarnings } from './respond.ts';
import type { ListPage } from '../registry/list.ts';

const deprecation = 'v1 ComponentStatus is deprecated in v1.19+';

interface Probe {
  healthy: boolean;
  message?: string;
  error?: string;
}

async function leaseProbe(registry: Registry, name: string): Promise<Probe> {
  const def = registry.catalog.lookup('coordination.k8s.io', 'v1', 'leases')!;
  const lease = await registry.store(def).get('kube-system', name).catch(() => undefined);
  const spec = (lease?.object.spec ?? {}) as { holderIdentity?: string; renewTime?: string; leaseDurationSeconds?: number };
  const renewed = spec.renewTime ? Date.parse(spec.renewTime) : NaN;
  if (spec.holderIdentity && Date.now() - renewed <= (spec.leaseDurationSeconds ?? 15) * 1000) return { healthy: true, message: 'ok' };
  return { healthy: false, error: `no holder of Lease kube-system/${name} renewed it within its duration` };
}

async function storageProbe(registry: Registry): Promise<Probe> {
  try {
    await registry.store(registry.catalog.lookup('', 'v1', 'namespaces')!).get(undefined, 'default');
    return { healthy: true, message: 'ok' };
  } catch (err) {
    return { healthy: false, error: (err as Error).message };
  }
}

/** The components kube lists, in its order. */
const components: Array<[string, (r: Registry) => Promise<Probe>]> = [
  ['scheduler', (r) => leaseProbe(r, 'kube-scheduler')],
  ['controller-manager', (r) => leaseProbe(r, 'kube-controller-manager')],
  ['etcd-0', storageProbe],
];

function toComponentStatus(name: string, p: Probe): KubeObject {
  const condition: Record<string, string> = { type: 'Healthy', status: p.healthy ? 'True' : 'False' };
  if (p.message) condition.message = p.message;
  if (p.error) condition.error = p.error;
  return { kind: 'ComponentStatus', apiVersion: 'v1', metadata: { name }, conditions: [condition] };
}

export async function componentStatusRoutes(app: FastifyInstance, opts: { registry: Registry }): Promise<void> {
  const { registry } = opts;
  const def = componentStatusResource;
  app.get('/api/v1/componentstatuses', async (req: FastifyRequest, reply: FastifyReply) => {
    const query = req.query as Record<string, string | undefined>;
    // The componentstatus storage has no Watch: apimachinery's NewMethodNotSupported.
    if (queryBool(query.watch)) {
      throw new StatusError(405, 'MethodNotAllowed', 'watch is not supported on resources of kind "componentstatuses"', { kind: 'componentstatuses' });
    }
    const rep = negotiate(req.headers.accept, ['Table', 'PartialObjectMetadataList']);
    const items = await Promise.all(components.map(async ([name, probe]) => toComponentStatus(name, await probe(registry))));
    sendWarnings(reply, [deprecation]);
    const page = { items: items.map((object) => ({ object, json: JSON.stringify(object) })), resourceVersion: '' };
    return sendList(reply, rep, def, page as ListPage, parseIncludeObject(query.includeObject));
  });
  app.get('/api/v1/componentstatuses/:name', async (req: FastifyRequest, reply: FastifyReply) => {
    const { name } = req.params as { name: string };
    const component = components.find(([n]) => n === name);
    if (!component) throw errors.notFound({ group: '', resource: 'componentstatus' }, name);
    const rep = negotiate(req.headers.accept, ['Table', 'PartialObjectMetadata']);
    sendWarnings(reply, [deprecation]);
    const query = req.query as Record<string, string | undefined>;
    return sendObject(reply, rep, { code: 200, def, object: toComponentStatus(name, await component[1](registry)), includeObject: parseIncludeObject(query.includeObject) });
  });
}
