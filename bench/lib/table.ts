// The bench's one output: a Markdown table (or the same rows as JSON) of result, latency
// percentiles, budget and whether the budget holds.

export interface Row {
  stage: string;
  result: string;
  p50Ms?: number;
  p99Ms?: number;
  /** '—' when the row only informs. */
  budget: string;
  /** Undefined when there is no budget to hold. */
  holds?: boolean;
}

export const noBudget = '—';

export function formatMs(ms: number | undefined): string {
  if (ms === undefined || Number.isNaN(ms)) return '—';
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  return `${Math.round(ms).toLocaleString('en-US')} ms`;
}

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function formatMiB(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function holdsCell(row: Row): string {
  return row.holds === undefined ? '—' : row.holds ? 'yes' : '**no**';
}

export function renderTable(rows: Row[]): string {
  const header = ['stage', 'result', 'p50', 'p99', 'budget', 'holds'];
  const cells = rows.map((r) => [r.stage, r.result, formatMs(r.p50Ms), formatMs(r.p99Ms), r.budget, holdsCell(r)]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((v, i) => v.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join('\n') + '\n';
}

export function renderJson(rows: Row[], machine: object): string {
  const json = rows.map((r) => ({
    stage: r.stage, result: r.result, p50Ms: r.p50Ms ?? null, p99Ms: r.p99Ms ?? null, budget: r.budget, holds: r.holds ?? null,
  }));
  return `${JSON.stringify({ machine, rows: json }, null, 2)}\n`;
}
