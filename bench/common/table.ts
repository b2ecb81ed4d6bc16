/** Plain-text tables for terminal output: numbers right-aligned, everything else left-aligned. */

const NUMERIC = /^[-+]?[\d.,]+\s?(%|x|ms|s|m|h|MB\/s|MB|KB)?$|^[<>≤≥]/;

export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const right = headers.map((_, i) => rows.length > 0 && rows.every((r) => NUMERIC.test(r[i] ?? '')));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (right[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

/** A duration for people: "45s", "12.5m", "2.1h"; "-" when unknown. */
export function duration(ms: number | undefined): string {
  if (ms === undefined || Number.isNaN(ms)) return '-';
  if (!Number.isFinite(ms)) return '∞';
  const s = ms / 1000;
  if (s < 120) return `${s.toFixed(s < 10 ? 1 : 0)}s`;
  if (s < 7200) return `${(s / 60).toFixed(1)}m`;
  return `${(s / 3600).toFixed(1)}h`;
}

export function pct(value: number, digits = 2): string {
  return `${value.toFixed(digits)}%`;
}

export function fixed(value: number | undefined, digits = 1): string {
  return value === undefined || Number.isNaN(value) ? '-' : value.toFixed(digits);
}
