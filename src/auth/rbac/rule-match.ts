// Whether one PolicyRule allows a request, as plugin/pkg/auth/authorizer/rbac's RuleAllows and
// the rbacv1helpers matchers: `*` matches anything, resources match as `pods`, `pods/log` or
// `*/log`, resourceNames narrow by name, nonResourceURLs match exactly or by a trailing `*`.
import type { AuthorizationAttributes } from '../../api/authorization.ts';
import { all, type PolicyRule } from './types.ts';

export function verbMatches(rule: PolicyRule, verb: string): boolean {
  return rule.verbs.some((v) => v === all || v === verb);
}

export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return (rule.apiGroups ?? []).some((g) => g === all || g === group);
}

/** `combined` is `resource` or `resource/subresource`. */
export function resourceMatches(rule: PolicyRule, combined: string, subresource: string | undefined): boolean {
  for (const r of rule.resources ?? []) {
    if (r === all || r === combined) return true;
    // `*/scale` grants the scale subresource of every resource.
    if (subresource && r.length === subresource.length + 2 && r.startsWith('*/') && r.endsWith(subresource)) return true;
  }
  return false;
}

export function resourceNameMatches(rule: PolicyRule, name: string | undefined): boolean {
  const names = rule.resourceNames ?? [];
  return names.length === 0 || names.includes(name ?? '');
}

export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  for (const url of rule.nonResourceURLs ?? []) {
    if (url === all || url === path) return true;
    if (url.endsWith('*') && path.startsWith(url.slice(0, -1))) return true;
  }
  return false;
}

export function ruleAllows(attrs: AuthorizationAttributes, rule: PolicyRule): boolean {
  if (!verbMatches(rule, attrs.verb)) return false;
  if (!attrs.resourceRequest) return nonResourceURLMatches(rule, attrs.path);
  const combined = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource ?? '';
  return apiGroupMatches(rule, attrs.apiGroup ?? '')
    && resourceMatches(rule, combined, attrs.subresource)
    && resourceNameMatches(rule, attrs.name);
}
