// The ClusterRole aggregation controller (kube-controller-manager's
// `clusterrole-aggregation-controller`, pkg/controller/clusterroleaggregation): a ClusterRole
// with an aggregationRule gets as rules the union of the rules of every other ClusterRole its
// selectors match, visited by name, each distinct rule once. Any ClusterRole change wakes every
// aggregated role. As a client of the API it works against any API server, kube-apiserver too.
import type { KubeObject } from '../api/types.ts';
import { isNotFound, labelMatcher, objectKey, resources, type LabelSelector, type ResourceDescriptor } from '../client/index.ts';
import type { ControllerDefinition } from './types.ts';

export const controllerName = 'clusterrole-aggregation-controller';

interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface ClusterRole extends KubeObject {
  rules?: PolicyRule[] | null;
  aggregationRule?: { clusterRoleSelectors?: LabelSelector[] } | null;
}

const clusterRolesResource = resources.clusterRoles as ResourceDescriptor<ClusterRole>;

/** Semantic equality of two rules (kube compares with equality.Semantic.DeepEqual; nil and empty lists alike). */
function sameRule(a: PolicyRule, b: PolicyRule): boolean {
  const fields = (r: PolicyRule) => JSON.stringify([r.verbs ?? [], r.apiGroups ?? [], r.resources ?? [], r.resourceNames ?? [], r.nonResourceURLs ?? []]);
  return fields(a) === fields(b);
}

/** syncClusterRole's rule set: matched roles sorted by name, rules appended unless already present. */
export function aggregateRules(role: ClusterRole, all: ClusterRole[]): PolicyRule[] {
  // LabelSelectorAsSelector: an empty selector matches every role.
  const selectors = (role.aggregationRule?.clusterRoleSelectors ?? []).map((s) => labelMatcher(s ?? {}));
  const matched = all
    .filter((cr) => cr.metadata.name !== role.metadata.name && selectors.some((m) => m(cr.metadata.labels ?? {})))
    .sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0));
  const rules: PolicyRule[] = [];
  for (const cr of matched) for (const rule of cr.rules ?? []) if (!rules.some((r) => sameRule(r, rule))) rules.push(rule);
  return rules;
}

export const clusterRoleAggregationController: ControllerDefinition = {
  name: controllerName,
  aliases: ['clusterrole-aggregation'],
  workers: () => 5, // kube starts 5 workers
  setup(ctx, queue) {
    const roles = ctx.factory.informerFor(clusterRolesResource);
    const enqueueAggregated = () => {
      for (const role of roles.store.list()) if (role.aggregationRule) queue.add(objectKey(role));
    };
    roles.addEventHandler({ onAdd: enqueueAggregated, onUpdate: enqueueAggregated, onDelete: enqueueAggregated });
    return {
      async reconcile(key) {
        const role = roles.store.get(key);
        if (!role?.aggregationRule) return;
        const rules = aggregateRules(role, roles.store.list());
        const current = role.rules ?? [];
        if (current.length === rules.length && current.every((r, i) => sameRule(r, rules[i]))) return;
        try {
          await ctx.client.patch(clusterRolesResource, role.metadata.name!, 'merge', { rules });
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      },
    };
  },
};
