// `--stages 1,8` or `--stages start,pods`: which stages a run measures. Stages are known by
// number and by name; the default is every stage but the long ones (the 1,000-node scale
// stage), `all` adds those.

export interface StageInfo {
  number: number;
  name: string;
  what: string;
  /** Run only when asked for by number, name or `all`. */
  optIn?: boolean;
}

export const stageCatalogue: readonly StageInfo[] = [
  { number: 0, name: 'ceiling', what: 'Fastify no-op POST ceiling' },
  { number: 1, name: 'start', what: 'start-to-ready, empty and with 50,000 ConfigMaps' },
  { number: 2, name: 'creates', what: 'ConfigMap creates (default npm start over HTTPS, and the insecure port)' },
  { number: 3, name: 'get', what: 'GET latency' },
  { number: 4, name: 'list', what: '10,000 pod creates and LISTs' },
  { number: 5, name: 'watch', what: 'watch delivery, 1 and 1,000 watchers' },
  { number: 6, name: 'slow-watcher', what: 'a watcher that never reads' },
  { number: 7, name: 'footprint', what: 'RSS idle and at 10,000 pods, data dir size' },
  { number: 8, name: 'pods', what: '1,000 pods over 10 nodes → Running' },
  { number: 9, name: 'deployment', what: 'Deployment of 1,000 → Available, rolling update' },
  { number: 10, name: 'scale', what: '1,000 nodes and 100,000 pods → Running, probes, LISTs, RSS', optIn: true },
  { number: 11, name: 'kinds', what: 'RSS growth per object, by kind, against its JSON size' },
];

export class StageSelection {
  private constructor(private readonly chosen: ReadonlySet<number>) {}

  /** Parses `--stages` (undefined: the default set). Unknown entries are an error naming them. */
  static parse(spec: string | undefined): StageSelection {
    if (spec === undefined || spec.trim() === '') return new StageSelection(new Set(stageCatalogue.filter((s) => !s.optIn).map((s) => s.number)));
    const chosen = new Set<number>();
    for (const raw of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
      if (raw === 'all') {
        for (const s of stageCatalogue) chosen.add(s.number);
        continue;
      }
      const info = stageCatalogue.find((s) => String(s.number) === raw || s.name === raw);
      if (!info) throw new Error(`--stages: unknown stage ${JSON.stringify(raw)}; known: all, ${stageCatalogue.map((s) => `${s.number} (${s.name})`).join(', ')}`);
      chosen.add(info.number);
    }
    return new StageSelection(chosen);
  }

  has(...stages: number[]): boolean {
    return stages.some((n) => this.chosen.has(n));
  }

  describe(): string {
    return stageCatalogue.filter((s) => this.chosen.has(s.number)).map((s) => `${s.number} ${s.name}`).join(', ');
  }
}

/** The list `--help` prints. */
export function stageHelp(): string {
  return stageCatalogue.map((s) => `  ${String(s.number).padStart(2)}  ${s.name.padEnd(13)}${s.what}${s.optIn ? ' (opt-in)' : ''}`).join('\n');
}
