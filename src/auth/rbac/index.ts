// RBAC in the API server: the policy cache over storage, the authorizer and rule resolver that
// read it, and the default policy reconciled at start. ClusterRole aggregation (admin, edit,
// view) is a controller's job, as kube-controller-manager's clusterrole-aggregation controller.
import type { Logger } from 'pino';
import type { Registry } from '../../registry/registry.ts';
import { RBACAuthorizer } from './authorizer.ts';
import { reconcileDefaultPolicy } from './bootstrap.ts';
import { PolicyCache } from './policy-cache.ts';
import { RuleResolver } from './rule-resolver.ts';

export interface Rbac {
  authorizer: RBACAuthorizer;
  ruleResolver: RuleResolver;
  stop(): void;
}

export async function startRbac(registry: Registry, log: Logger): Promise<Rbac> {
  const cache = await PolicyCache.start(registry.storage);
  await reconcileDefaultPolicy(registry);
  const ruleResolver = new RuleResolver(cache);
  return { authorizer: new RBACAuthorizer(ruleResolver), ruleResolver, stop: () => cache.stop() };
}
