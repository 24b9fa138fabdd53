// A small notation for the default policy's rules, as rbacv1helpers.NewRule(...).Groups(...)
// .Resources(...): verbs, resources and URLs as space-separated words, groups as a list (the
// core group is ''). Like NewRule, it sorts each list, so rules read back as kube stores them.
import type { PolicyRule } from './types.ts';

const words = (s: string) => s.split(/\s+/).filter(Boolean).sort();

export const core = '';
export const read = 'get list watch';
export const readWrite = 'create delete deletecollection get list patch update watch';
export const write = 'create delete deletecollection patch update';

export function rule(verbs: string, groups: string[], resources: string, resourceNames?: string): PolicyRule {
  const r: PolicyRule = { verbs: words(verbs), apiGroups: [...groups].sort(), resources: words(resources) };
  if (resourceNames) r.resourceNames = words(resourceNames);
  return r;
}

export function urls(verbs: string, nonResourceURLs: string): PolicyRule {
  return { verbs: words(verbs), nonResourceURLs: words(nonResourceURLs) };
}

/** bootstrappolicy's eventsRule(): write events in either events API. */
export const eventsRule = rule('create patch update', [core, 'events.k8s.io'], 'events');
