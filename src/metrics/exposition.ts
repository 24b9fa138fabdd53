// The Prometheus text exposition format, version 0.0.4: per family one `# HELP` and one
// `# TYPE` line, then its samples, families in name order. Families may arrive in pieces
// (the main thread's and each worker thread's work queues): pieces of one name are merged.

export const expositionContentType = 'text/plain; version=0.0.4; charset=utf-8';

/** One metric family as collected: sample lines already rendered. Plain data, so it crosses threads. */
export interface FamilySnapshot {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  lines: string[];
}

function escapeHelp(help: string): string {
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export function renderFamilies(families: readonly FamilySnapshot[]): string {
  const byName = new Map<string, FamilySnapshot>();
  for (const f of families) {
    const seen = byName.get(f.name);
    if (seen) seen.lines.push(...f.lines);
    else byName.set(f.name, { ...f, lines: [...f.lines] });
  }
  let out = '';
  for (const name of [...byName.keys()].sort()) {
    const f = byName.get(name)!;
    if (f.lines.length === 0) continue;
    out += `# HELP ${name} ${escapeHelp(f.help)}\n# TYPE ${name} ${f.type}\n${f.lines.join('\n')}\n`;
  }
  return out;
}
