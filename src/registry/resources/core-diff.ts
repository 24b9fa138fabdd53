// A short line-per-field diff, standing in for the cmp.Diff that kube appends to its
// "may not change" messages (clients show it, none parses it).
import { jsonEqual } from '../object-meta.ts';
import { isObject } from './podspec.ts';

export function specDiff(before: unknown, after: unknown, path = 'core.PodSpec'): string {
  const lines: string[] = [];
  const walk = (a: any, b: any, p: string) => {
    if (jsonEqual(a, b)) return;
    if (isObject(a) && isObject(b)) {
      for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) walk(a[k], b[k], `${p}.${k}`);
      return;
    }
    if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
      a.forEach((v, i) => walk(v, b[i], `${p}[${i}]`));
      return;
    }
    if (a !== undefined) lines.push(`-\t${p}: ${JSON.stringify(a)}`);
    if (b !== undefined) lines.push(`+\t${p}: ${JSON.stringify(b)}`);
  };
  walk(before, after, path);
  return lines.join('\n');
}

