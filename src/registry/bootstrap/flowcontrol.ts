// The API Priority and Fairness configuration kube-apiserver 1.32 creates at start
// (apiserver/pkg/apis/flowcontrol/bootstrap): the mandatory exempt and catch-all objects
// and the suggested ones, as data. Like kube's config-producer, an object annotated
// `apf.kubernetes.io/autoupdate-spec: "true"` (all of them, as created) gets its spec back
// on every start; one a user took over ("false") is left alone; deleted suggested objects come back.
import type { KubeObject } from '../../api/types.ts';
import { isStatusError } from '../../api/errors.ts';
import { jsonEqual } from '../object-meta.ts';
import type { Registry } from '../registry.ts';
import { flowSchemaResource, priorityLevelConfigurationResource } from '../resources/flowcontrol.ts';

const autoUpdate = 'apf.kubernetes.io/autoupdate-spec';
const all = ['*'];

const group = (name: string) => ({ kind: 'Group', group: { name } });
const user = (name: string) => ({ kind: 'User', user: { name } });
const kubeSystemSA = (name: string) => ({ kind: 'ServiceAccount', serviceAccount: { namespace: 'kube-system', name } });
const everything = { verbs: all, apiGroups: all, resources: all, clusterScope: true, namespaces: all };
const allURLs = { verbs: all, nonResourceURLs: all };

function limited(shares: number, lendablePercent: number, queuing?: { queues: number; handSize: number }) {
  return {
    type: 'Limited',
    limited: {
      nominalConcurrencyShares: shares, lendablePercent,
      limitResponse: queuing ? { type: 'Queue', queuing: { ...queuing, queueLengthLimit: 50 } } : { type: 'Reject' },
    },
  };
}

const priorityLevels: Array<[string, Record<string, unknown>]> = [
  ['exempt', { type: 'Exempt', exempt: { nominalConcurrencyShares: 0, lendablePercent: 0 } }],
  ['catch-all', limited(5, 0)],
  ['system', limited(30, 33, { queues: 64, handSize: 6 })],
  ['node-high', limited(40, 25, { queues: 64, handSize: 6 })],
  ['leader-election', limited(10, 0, { queues: 16, handSize: 4 })],
  ['workload-high', limited(40, 50, { queues: 128, handSize: 6 })],
  ['workload-low', limited(100, 90, { queues: 128, handSize: 6 })],
  ['global-default', limited(20, 50, { queues: 128, handSize: 6 })],
];

type Rule = Record<string, unknown>;

function flowSchema(name: string, level: string, precedence: number, method: string | undefined, subjects: Rule[], resourceRules: Rule[], nonResourceRules: Rule[] = []) {
  const rule: Rule = { subjects };
  if (resourceRules.length) rule.resourceRules = resourceRules;
  if (nonResourceRules.length) rule.nonResourceRules = nonResourceRules;
  return [name, {
    priorityLevelConfiguration: { name: level }, matchingPrecedence: precedence,
    ...(method ? { distinguisherMethod: { type: method } } : {}), rules: [rule],
  }] as [string, Record<string, unknown>];
}

const leaderElectionRules = (namespaces: string[]) => [
  { verbs: ['get', 'create', 'update'], apiGroups: [''], resources: ['endpoints', 'configmaps'], namespaces },
  { verbs: ['get', 'create', 'update'], apiGroups: ['coordination.k8s.io'], resources: ['leases'], namespaces: all },
];

const flowSchemas: Array<[string, Record<string, unknown>]> = [
  flowSchema('exempt', 'exempt', 1, undefined, [group('system:masters')], [everything], [allURLs]),
  flowSchema('probes', 'exempt', 2, undefined, [group('system:unauthenticated'), group('system:authenticated')], [],
    [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/readyz', '/livez'] }]),
  flowSchema('system-leader-election', 'leader-election', 100, 'ByUser',
    [user('system:kube-controller-manager'), user('system:kube-scheduler'), kubeSystemSA('*')], leaderElectionRules(['kube-system'])),
  flowSchema('endpoint-controller', 'workload-high', 150, 'ByUser',
    [user('system:kube-controller-manager'), kubeSystemSA('endpoint-controller'), kubeSystemSA('endpointslicemirroring-controller')],
    [{ verbs: ['get', 'create', 'update'], apiGroups: [''], resources: ['endpoints'], namespaces: all }]),
  flowSchema('workload-leader-election', 'leader-election', 200, 'ByUser', [kubeSystemSA('*')], leaderElectionRules(all)),
  flowSchema('system-node-high', 'node-high', 400, 'ByUser', [group('system:nodes')], [
    { verbs: all, apiGroups: [''], resources: ['nodes', 'nodes/status'], clusterScope: true, namespaces: all },
    { verbs: all, apiGroups: ['coordination.k8s.io'], resources: ['leases'], namespaces: all },
  ]),
  flowSchema('system-nodes', 'system', 500, 'ByUser', [group('system:nodes')], [everything], [allURLs]),
  flowSchema('kube-controller-manager', 'workload-high', 800, 'ByNamespace', [user('system:kube-controller-manager')], [everything], [allURLs]),
  flowSchema('kube-scheduler', 'workload-high', 800, 'ByNamespace', [user('system:kube-scheduler')], [everything], [allURLs]),
  flowSchema('kube-system-service-accounts', 'workload-high', 900, 'ByNamespace', [kubeSystemSA('*')], [everything], [allURLs]),
  flowSchema('service-accounts', 'workload-low', 9000, 'ByUser', [group('system:serviceaccounts')], [everything], [allURLs]),
  flowSchema('global-default', 'global-default', 9900, 'ByUser', [group('system:unauthenticated'), group('system:authenticated')], [everything], [allURLs]),
  flowSchema('catch-all', 'catch-all', 10000, 'ByUser', [group('system:unauthenticated'), group('system:authenticated')], [everything], [allURLs]),
];

const apiVersion = 'flowcontrol.apiserver.k8s.io/v1';

export function bootstrapFlowControlObjects(): Array<{ plural: 'flowschemas' | 'prioritylevelconfigurations'; object: KubeObject }> {
  const metadata = (name: string) => ({ name, annotations: { [autoUpdate]: 'true' } });
  return [
    ...priorityLevels.map(([name, spec]) => ({ plural: 'prioritylevelconfigurations' as const, object: { apiVersion, kind: 'PriorityLevelConfiguration', metadata: metadata(name), spec: structuredClone(spec) } })),
    ...flowSchemas.map(([name, spec]) => ({ plural: 'flowschemas' as const, object: { apiVersion, kind: 'FlowSchema', metadata: metadata(name), spec: structuredClone(spec) } })),
  ];
}

/** Creates the missing objects and restores the spec of those still marked for auto-update; FlowSchemas get their Dangling condition. */
export async function ensureFlowControlBootstrap(registry: Registry): Promise<void> {
  const objects = bootstrapFlowControlObjects();
  const levels = new Set(objects.filter((o) => o.plural === 'prioritylevelconfigurations').map((o) => o.object.metadata.name));
  await Promise.all(objects.map(async ({ plural, object }) => {
    const store = registry.store(plural === 'flowschemas' ? flowSchemaResource : priorityLevelConfigurationResource);
    const name = object.metadata.name!;
    try {
      const existing = await store.get(undefined, name).catch(() => undefined);
      let current = existing?.object;
      if (!current) current = (await store.create(undefined, object, { serverBuilt: true })).object;
      else if (current.metadata.annotations?.[autoUpdate] === 'true') {
        const desired = { ...current, spec: object.spec };
        store.def.strategy.defaults?.(desired);
        if (!jsonEqual(desired.spec, current.spec)) current = (await store.update(undefined, name, desired, { serverBuilt: true })).object;
      }
      if (plural === 'flowschemas' && !current.status?.conditions) {
        const level = object.spec.priorityLevelConfiguration.name as string;
        const found = levels.has(level);
        await store.update(undefined, name, {
          ...current,
          status: {
            conditions: [{
              type: 'Dangling', status: found ? 'False' : 'True', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
              reason: found ? 'Found' : 'NotFound',
              message: `This FlowSchema references the PriorityLevelConfiguration object named "${level}" and it ${found ? 'exists' : 'does not exist'}`,
            }],
          },
        }, { subresource: 'status', serverBuilt: true });
      }
    } catch (err) {
      // Another server of the same cluster wrote it first.
      if (!isStatusError(err, 'AlreadyExists') && !isStatusError(err, 'Conflict')) throw err;
    }
  }));
}
