/**
 * Figures and how they are printed. Every figure is shown beside its limit (measured in the same
 * run) as a ratio, and beside its target where the issue sets one. A scenario prints a readable
 * table and one `BENCH_RESULT {json}` line that bench/run.ts collects.
 */

export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** Throughput: higher is better (ratio = share of the limit). Times and memory: lower is better (ratio = times the baseline). */
  better: 'higher' | 'lower';
  /** The limit or baseline this figure is compared with, measured in the same run. */
  limit?: { name: string; value: number };
  /** The target, when it sets one. */
  target?: { text: string; met: boolean };
  note?: string;
}

export interface ScenarioResult {
  scenario: string;
  /** Sizes and settings the figures were measured with. */
  setup: Record<string, string | number>;
  figures: Figure[];
  notes: string[];
}

export const RESULT_MARKER = 'BENCH_RESULT ';

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** "62% of limit" for throughput, "3.1× baseline" for times. */
export function ratioText(figure: Figure): string {
  if (!figure.limit || figure.limit.value === 0) return '';
  const ratio = figure.value / figure.limit.value;
  return figure.better === 'higher' ? `${formatNumber(ratio * 100)}% of limit` : `${formatNumber(ratio)}× baseline`;
}

export function figureRow(figure: Figure): string[] {
  return [
    figure.name,
    `${formatNumber(figure.value)} ${figure.unit}`,
    figure.limit ? `${figure.limit.name}: ${formatNumber(figure.limit.value)} ${figure.unit}` : '',
    ratioText(figure),
    figure.target ? `${figure.target.text} ${figure.target.met ? 'met' : 'MISSED'}` : '',
  ];
}

export const TABLE_HEADER = ['figure', 'value', 'limit / baseline (same run)', 'ratio', 'target'];

export function markdownTable(rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(TABLE_HEADER), line(TABLE_HEADER.map(() => '---')), ...rows.map(line)].join('\n');
}

export function markdownOf(result: ScenarioResult): string {
  const setup = Object.entries(result.setup).map(([k, v]) => `${k} ${typeof v === 'number' ? formatNumber(v) : v}`).join(', ');
  return [
    `### ${result.scenario}`,
    '',
    `Setup: ${setup}.`,
    '',
    markdownTable(result.figures.map(figureRow)),
    ...(result.notes.length > 0 ? ['', ...result.notes.map((n) => `- ${n}`)] : []),
  ].join('\n');
}

/** Print the scenario's table and the machine-readable line. */
export function report(result: ScenarioResult): void {
  console.log(`\n${markdownOf(result)}\n`);
  console.log(`${RESULT_MARKER}${JSON.stringify(result)}`);
}

/** Percentile of already sorted numbers (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** Run `fn` `times` times after one warm-up; the median in ms. */
export async function medianMs(fn: () => Promise<unknown>, times: number): Promise<number> {
  await fn();
  const runs: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await fn();
    runs.push(performance.now() - started);
  }
  runs.sort((a, b) => a - b);
  return percentile(runs, 50);
}
