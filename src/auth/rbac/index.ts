// RBAC in the API server: the policy cache over storage, the authorizer and rule resolver that
// read it, the default policy reconciled at start, and ClusterRole aggregation kept in step.
import type { Logger } from 'pino';
import type { Registry } from '../../registry/registry.ts';
import { ClusterRoleAggregation } from './aggregation.ts';
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
  const aggregation = new ClusterRoleAggregation(registry, cache, log);
  await reconcileDefaultPolicy(registry);
  await aggregation.schedule();
  const ruleResolver = new RuleResolver(cache);
  return { authorizer: new RBACAuthorizer(ruleResolver), ruleResolver, stop: () => cache.stop() };
}
