/**
 * Horizontal bar charts as hand-written SVG: one row label column and one or more panels side by side,
 * each with its own linear scale and the value printed next to every bar. No dependency, readable diffs.
 */

export interface Panel {
  title: string;
  values: readonly (number | undefined)[];
  format(value: number): string;
}

export interface BarChart {
  title: string;
  subtitle?: string;
  rows: readonly string[];
  /** Rows drawn in the accent colour (ours). */
  highlight?: readonly boolean[];
  panels: readonly Panel[];
}

const ROW = 22;
const PANEL_WIDTH = 300;
const GAP = 30;
const TOP = 64;

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Wide enough for the longest label at ~7 px per character of 12 px sans-serif. */
function labelWidth(rows: readonly string[]): number {
  return Math.max(120, Math.ceil(Math.max(...rows.map((r) => r.length)) * 7 + 20));
}

interface Rendered {
  body: string;
  width: number;
  height: number;
}

function render(chart: BarChart): Rendered {
  const labelsWidth = labelWidth(chart.rows);
  const width = labelsWidth + chart.panels.length * (PANEL_WIDTH + GAP) + 20;
  const height = TOP + chart.rows.length * ROW + 30;
  const parts: string[] = [
    `<text x="10" y="20" font-size="15" font-weight="bold">${escapeXml(chart.title)}</text>`,
  ];
  if (chart.subtitle !== undefined) {
    parts.push(`<text x="10" y="38" fill="#555">${escapeXml(chart.subtitle)}</text>`);
  }
  chart.rows.forEach((row, i) => {
    const y = TOP + i * ROW + ROW / 2 + 4;
    const weight = chart.highlight?.[i] ? ' font-weight="bold"' : '';
    parts.push(`<text x="10" y="${y}"${weight}>${escapeXml(row)}</text>`);
  });
  chart.panels.forEach((panel, p) => {
    const x0 = labelsWidth + p * (PANEL_WIDTH + GAP);
    const barSpace = PANEL_WIDTH - 70;
    const finite = panel.values.filter((v): v is number => v !== undefined && Number.isFinite(v));
    const top = Math.max(...finite, 0) || 1;
    parts.push(`<text x="${x0}" y="${TOP - 10}" font-weight="bold">${escapeXml(panel.title)}</text>`);
    parts.push(
      `<line x1="${x0}" y1="${TOP}" x2="${x0}" y2="${TOP + chart.rows.length * ROW}" stroke="#999"/>`,
    );
    panel.values.forEach((value, i) => {
      const y = TOP + i * ROW + 4;
      if (value === undefined || !Number.isFinite(value)) {
        parts.push(`<text x="${x0 + 4}" y="${y + 12}" fill="#777">n/a</text>`);
        return;
      }
      const w = Math.max(1, (value / top) * barSpace);
      const fill = chart.highlight?.[i] ? '#1f77b4' : '#aaa';
      parts.push(`<rect x="${x0}" y="${y}" width="${w.toFixed(1)}" height="${ROW - 8}" fill="${fill}"/>`);
      parts.push(
        `<text x="${(x0 + w + 4).toFixed(1)}" y="${y + 12}">${escapeXml(panel.format(value))}</text>`,
      );
    });
  });
  return { body: parts.join('\n'), width, height };
}

function document(width: number, height: number, body: string): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    body,
    '</svg>',
    '',
  ].join('\n');
}

export function barChart(chart: BarChart): string {
  const r = render(chart);
  return document(r.width, r.height, r.body);
}

/** Several charts one above the other in one SVG. */
export function stackedCharts(charts: readonly BarChart[]): string {
  const rendered = charts.map(render);
  let y = 0;
  const body = rendered.map((r) => {
    const g = `<g transform="translate(0 ${y})">\n${r.body}\n</g>`;
    y += r.height;
    return g;
  });
  return document(Math.max(...rendered.map((r) => r.width)), y, body.join('\n'));
}
