// Where a server's time went: `node --import tsx bench/profile-summary.ts FILE.cpuprofile [N]`
// prints the top N functions by self time and the top N source files and packages by self time,
// from a V8 CPU profile (`npm run bench -- --server-cpu-prof DIR`).
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function selfTimes(profile: Profile): Map<number, number> {
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  return self;
}

function where(url: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  const src = /\/(src\/.+|bench\/.+)$/.exec(url)?.[1];
  return src ?? (url || '(native/vm)');
}

function top(totals: Map<string, number>, n: number, totalMs: number): string[] {
  return [...totals.entries()].sort((a, b) => b[1] - a[1]).slice(0, n)
    .map(([name, ms]) => `${ms.toFixed(0).padStart(7)} ms ${((100 * ms) / totalMs).toFixed(1).padStart(5)}%  ${name}`);
}

const [file, count] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: profile-summary.ts FILE.cpuprofile [N]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const n = Number(count ?? 25);
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const byFunction = new Map<string, number>();
const byPlace = new Map<string, number>();
let totalMs = 0;
for (const [id, ms] of selfTimes(profile)) {
  const frame = byId.get(id)!.callFrame;
  const place = where(frame.url);
  const fn = `${frame.functionName || '(anonymous)'} ${place}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
  byPlace.set(place, (byPlace.get(place) ?? 0) + ms);
  totalMs += ms;
}
process.stdout.write([`total ${totalMs.toFixed(0)} ms sampled`, '', 'by function (self):', ...top(byFunction, n, totalMs),
  '', 'by file or package (self):', ...top(byPlace, n, totalMs), ''].join('\n'));
