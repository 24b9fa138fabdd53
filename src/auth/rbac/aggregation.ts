// ClusterRole aggregation, as kube-controller-manager's clusterrole-aggregation controller does
// it: a ClusterRole with an aggregationRule gets as rules the union of the rules of every
// ClusterRole its selectors match (visited by name, each rule once), rewritten whenever any
// ClusterRole changes. kubelite runs it inside the API server, over the policy cache the
// authorizer already keeps: the roles are in memory there, no second watch is needed, and
// admin/edit/view are filled before the server first answers. Its writes are the loopback
// client's, as the controller's would be with the `escalate` verb.
import type { Logger } from 'pino';
import { isStatusError } from '../../api/errors.ts';
import type { Registry } from '../../registry/registry.ts';
import { labelSelectorFromObject } from '../../registry/selectors/label-selector.ts';
import { clusterRoleResource } from '../../registry/resources/rbac.ts';
import type { PolicyCache } from './policy-cache.ts';
import type { PolicyRule, RoleObject } from './types.ts';

const sameRule = (a: PolicyRule, b: PolicyRule) => JSON.stringify(normalise(a)) === JSON.stringify(normalise(b));
const normalise = (r: PolicyRule) => [r.verbs, r.apiGroups ?? [], r.resources ?? [], r.resourceNames ?? [], r.nonResourceURLs ?? []];

/** The rules an aggregated role should have now. */
export function aggregatedRules(role: RoleObject, all: Iterable<RoleObject>): PolicyRule[] {
  const selectors = (role.aggregationRule?.clusterRoleSelectors ?? []).map((s) => labelSelectorFromObject(s));
  const matched = [...all]
    .filter((cr) => cr.metadata.name !== role.metadata.name && selectors.some((s) => s.matches(cr.metadata.labels)))
    .sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
  const rules: PolicyRule[] = [];
  for (const cr of matched) {
    for (const rule of cr.rules ?? []) if (!rules.some((r) => sameRule(r, rule))) rules.push(rule);
  }
  return rules;
}

export class ClusterRoleAggregation {
  private pending: Promise<void> | undefined;
  private again = false;

  constructor(private readonly registry: Registry, private readonly cache: PolicyCache, private readonly log: Logger) {
    cache.onClusterRoleChange(() => void this.schedule());
  }

  /** Runs a pass soon (coalescing bursts of changes); resolves when the roles are in step. */
  schedule(): Promise<void> {
    if (this.pending) {
      this.again = true;
      return this.pending;
    }
    this.pending = (async () => {
      await Promise.resolve();
      do {
        this.again = false;
        await this.syncAll();
      } while (this.again);
      this.pending = undefined;
    })();
    return this.pending;
  }

  private async syncAll(): Promise<void> {
    for (const role of [...this.cache.clusterRoles.values()]) {
      if (!role.aggregationRule) continue;
      const rules = aggregatedRules(role, this.cache.clusterRoles.values());
      const current = role.rules ?? [];
      if (current.length === rules.length && current.every((r, i) => sameRule(r, rules[i]))) continue;
      try {
        await this.registry.store(clusterRoleResource).patch(undefined, role.metadata.name!, 'merge', { rules },
          { fieldManager: 'clusterrole-aggregation-controller' });
      } catch (err) {
        if (!isStatusError(err, 'NotFound')) this.log.warn({ err, clusterRole: role.metadata.name }, 'aggregating ClusterRole failed');
      }
    }
  }
}
