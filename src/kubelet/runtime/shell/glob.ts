// Pathname expansion (XCU 2.13): `*`, `?` and `[...]` in each path segment matched against the
// directory's entries; dot files only when the pattern starts with a dot. Segment by segment,
// with a bounded number of results.
import { normalizePath, type FileSystem } from '../filesystem.ts';

const maxMatches = 10_000;

export function globPaths(fs: FileSystem, pattern: string, cwd: string): string[] {
  const absolute = pattern.startsWith('/');
  const segments = pattern.split('/').filter(Boolean);
  let candidates: string[] = [absolute ? '/' : ''];
  for (const segment of segments) {
    const next: string[] = [];
    const re = /[*?[]/.test(segment) ? segmentRegExp(segment) : undefined;
    for (const base of candidates) {
      const dir = normalizePath(base || '.', cwd);
      const join = (name: string) => (base === '' ? name : base === '/' ? `/${name}` : `${base}/${name}`);
      if (!re) {
        if (fs.lookup(normalizePath(join(segment), cwd))) next.push(join(segment));
        continue;
      }
      const node = fs.lookup(dir);
      if (node?.type !== 'dir') continue;
      for (const name of [...node.children.keys()].sort()) {
        if (name.startsWith('.') && !segment.startsWith('.')) continue;
        if (re.test(name)) next.push(join(name));
        if (next.length >= maxMatches) break;
      }
    }
    candidates = next;
    if (!candidates.length) return [];
  }
  return candidates;
}

function segmentRegExp(segment: string): RegExp {
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i];
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else if (ch === '[') {
      const end = segment.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        const body = segment.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\');
        re += `[${body}]`;
        i = end;
      }
    } else re += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
