import { isAbsolute, join, relative } from 'node:path';
import type { AttemptResult, RunReport, TaskResult } from '../run/types.js';
import { quantile } from '../timeouts/stats.js';
import { writeFileAtomic } from './atomic-write.js';
import { formatDuration, stripAnsi } from './format.js';
import type { Reporter } from './types.js';

export const HTML_REPORT_FILE = 'report.html';

const REASON_COLORS: Record<AttemptResult['reason'], string> = {
  passed: '#2e9d4f',
  failed: '#d1453b',
  'timed-out': '#b3261e',
  stalled: '#e08a00',
  crashed: '#7b1fa2',
  cancelled: '#8a8a8a',
};

const TIMELINE_WIDTH = 900;
const LABEL_WIDTH = 220;
const ROW_HEIGHT = 26;
/** Rows beyond this are left out of the timeline (the table still lists every attempt). */
const MAX_TIMELINE_ROWS = 400;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

interface Row {
  task: TaskResult;
  attempt: AttemptResult;
}

function rowsOf(report: RunReport): Row[] {
  return report.tasks.flatMap((task) => task.attempts.map((attempt) => ({ task, attempt })));
}

function timeline(report: RunReport, rows: readonly Row[]): string {
  const shown = rows.slice(0, MAX_TIMELINE_ROWS);
  const t0 = Date.parse(report.startedAt);
  const span = Math.max(1, Date.parse(report.endedAt) - t0);
  const x = (ms: number): number => LABEL_WIDTH + (Math.min(ms, span) / span) * TIMELINE_WIDTH;
  const height = shown.length * ROW_HEIGHT + 30;
  const parts: string[] = [];
  shown.forEach(({ task, attempt }, i) => {
    const y = 10 + i * ROW_HEIGHT;
    const start = Date.parse(attempt.startedAt) - t0;
    const end = start + attempt.durationMs;
    const maxAt = start + attempt.limits.maxMs;
    const label = `${task.id}${task.attempts.length > 1 ? ` #${attempt.attempt}` : ''}`;
    const tip = `${label}: ${attempt.reason} after ${formatDuration(attempt.durationMs)}; max ${formatDuration(attempt.limits.maxMs)} (${attempt.limits.max.detail}); stall ${formatDuration(attempt.limits.stallMs)} (${attempt.limits.stall.detail}); longest silence ${formatDuration(attempt.longestSilenceMs)}`;
    parts.push(`<g class="attempt" data-task-id="${escapeHtml(task.id)}"><title>${escapeHtml(tip)}</title>`);
    parts.push(
      `<text x="${LABEL_WIDTH - 8}" y="${y + 12}" text-anchor="end" class="label">${escapeHtml(label.length > 30 ? `${label.slice(0, 29)}…` : label)}</text>`,
    );
    parts.push(
      `<rect x="${x(start).toFixed(1)}" y="${y}" width="${Math.max(2, x(end) - x(start)).toFixed(1)}" height="12" rx="2" fill="${REASON_COLORS[attempt.reason]}"/>`,
    );
    // The max limit where it falls, or an arrow at the edge when it lies beyond the run.
    if (maxAt <= span) {
      parts.push(
        `<line x1="${x(maxAt).toFixed(1)}" x2="${x(maxAt).toFixed(1)}" y1="${y - 2}" y2="${y + 14}" class="max"/>`,
      );
    } else {
      parts.push(
        `<text x="${LABEL_WIDTH + TIMELINE_WIDTH + 4}" y="${y + 11}" class="beyond">→ max ${formatDuration(attempt.limits.maxMs)}</text>`,
      );
    }
    // Longest silence against the stall limit, on the same time scale, under the bar.
    const stallEnd = Math.min(start + attempt.limits.stallMs, span);
    parts.push(
      `<rect x="${x(start).toFixed(1)}" y="${y + 15}" width="${Math.max(1, x(stallEnd) - x(start)).toFixed(1)}" height="4" class="stall"/>`,
    );
    parts.push(
      `<rect x="${x(start).toFixed(1)}" y="${y + 15}" width="${Math.max(0, x(Math.min(start + attempt.longestSilenceMs, span)) - x(start)).toFixed(1)}" height="4" class="silence"/>`,
    );
    parts.push('</g>');
  });
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => {
      const tx = LABEL_WIDTH + f * TIMELINE_WIDTH;
      return `<line x1="${tx}" x2="${tx}" y1="0" y2="${height - 18}" class="grid"/><text x="${tx}" y="${height - 4}" text-anchor="middle" class="tick">${formatDuration(f * span)}</text>`;
    })
    .join('');
  const omitted =
    rows.length > shown.length
      ? `<p>${rows.length - shown.length} more attempts are in the table below.</p>`
      : '';
  return `<svg viewBox="0 0 ${LABEL_WIDTH + TIMELINE_WIDTH + 110} ${height}" role="img" aria-label="timeline of every attempt">${ticks}${parts.join('')}</svg>${omitted}`;
}

function categoryTable(report: RunReport): string {
  const byCategory = new Map<string, TaskResult[]>();
  for (const task of report.tasks) {
    const key = task.category ?? '(none)';
    byCategory.set(key, [...(byCategory.get(key) ?? []), task]);
  }
  const rows = [...byCategory.entries()].map(([category, tasks]) => {
    const passed = tasks.filter((t) => t.reason === 'passed').length;
    const durations = tasks.map((t) => t.durationMs);
    return `<tr data-category="${escapeHtml(category)}"><td>${escapeHtml(category)}</td><td class="n">${tasks.length}</td><td class="n">${passed}</td><td class="n">${((passed / tasks.length) * 100).toFixed(1)}%</td><td class="n">${formatDuration(quantile(durations, 0.5) ?? Number.NaN)}</td><td class="n">${formatDuration(quantile(durations, 0.95) ?? Number.NaN)}</td></tr>`;
  });
  return `<table><thead><tr><th>category</th><th>tasks</th><th>passed</th><th>success</th><th>p50</th><th>p95</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function logLink(logPath: string, outDir: string): string {
  if (logPath === '') return '';
  const rel = relative(outDir, logPath);
  const href =
    rel.startsWith('..') || isAbsolute(rel)
      ? `file://${logPath}`
      : rel.split('/').map(encodeURIComponent).join('/');
  return `<a href="${escapeHtml(href)}">full log</a>`;
}

function attemptsTable(rows: readonly Row[], outDir: string): string {
  const body = rows.map(({ task, attempt }) => {
    const messages = attempt.messages.map((m) => `<li>${escapeHtml(stripAnsi(m))}</li>`).join('');
    const tail = stripAnsi(attempt.outputTail);
    return `<tr class="reason-${attempt.reason}" data-task-id="${escapeHtml(task.id)}" data-attempt="${attempt.attempt}" data-reason="${attempt.reason}" data-duration-ms="${attempt.durationMs}">
<td><b>${escapeHtml(task.id)}</b>${task.name !== task.id ? `<br><small>${escapeHtml(task.name)}</small>` : ''}</td>
<td class="n">${attempt.attempt}</td>
<td><span class="badge" style="background:${REASON_COLORS[attempt.reason]}">${attempt.reason}</span></td>
<td class="n">${formatDuration(attempt.durationMs)}</td>
<td>${formatDuration(attempt.limits.maxMs)}<br><small>${escapeHtml(attempt.limits.max.detail)}</small></td>
<td>${formatDuration(attempt.limits.stallMs)}<br><small>${escapeHtml(attempt.limits.stall.detail)}</small></td>
<td class="n">${formatDuration(attempt.longestSilenceMs)}</td>
<td>${messages === '' ? '' : `<ul>${messages}</ul>`}<details><summary>output tail</summary><pre>${escapeHtml(tail)}</pre></details>${logLink(attempt.logPath, outDir)}</td>
</tr>`;
  });
  return `<table class="attempts"><thead><tr><th>task</th><th>#</th><th>end</th><th>ran</th><th>max limit (from)</th><th>stall limit (from)</th><th>longest silence</th><th>evidence, output</th></tr></thead><tbody>${body.join('')}</tbody></table>`;
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1d1d1f;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}
.verdict{display:inline-block;padding:2px 10px;border-radius:4px;color:#fff;font-weight:600}
.pass{background:#2e9d4f}.fail{background:#d1453b}.interrupted{background:#8a8a8a}
table{border-collapse:collapse;margin:4px 0}td,th{border-bottom:1px solid #e3e3e3;padding:4px 8px;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}small{color:#666}
.badge{color:#fff;border-radius:3px;padding:0 6px;font-size:12px}
pre{max-height:240px;overflow:auto;background:#f6f6f6;padding:6px;white-space:pre-wrap;font-size:12px}
svg{width:100%;max-width:1230px;height:auto}svg .label,svg .tick,svg .beyond{font-size:11px;fill:#444}
svg .grid{stroke:#eee}svg .max{stroke:#b3261e;stroke-width:2;stroke-dasharray:3 2}
svg .stall{fill:#ddd}svg .silence{fill:#4a6fd1}
.legend span{margin-right:14px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
`;

/** The whole report as one self-contained page: no script, no network, nothing to load at view time. */
export function renderHtmlReport(report: RunReport, outDir: string): string {
  const rows = rowsOf(report);
  const verdictClass = report.interrupted ? 'interrupted' : report.verdict;
  const verdictText = report.interrupted ? 'interrupted' : report.verdict;
  const t = report.totals;
  const legend = Object.entries(REASON_COLORS)
    .map(([reason, color]) => `<span><i style="background:${color}"></i>${reason}</span>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<title>cc-stress: ${escapeHtml(report.suite.name)}</title><style>${STYLE}</style></head>
<body>
<h1>${escapeHtml(report.suite.name)} <span class="verdict ${verdictClass}" id="verdict">${verdictText}</span></h1>
<p id="headline" data-success-rate="${report.successRate}" data-target="${report.target}" data-total="${t.total}" data-passed="${t.passed}">
success rate <b>${(report.successRate * 100).toFixed(1)}%</b> against a target of ${(report.target * 100).toFixed(1)}% —
${t.passed} of ${t.total} passed, ${t.failed} failed, ${t.timedOut} timed out, ${t.stalled} stalled, ${t.crashed} crashed, ${t.cancelled} cancelled, ${t.flaky} flaky;
${formatDuration(report.durationMs)} from ${escapeHtml(report.startedAt)}</p>
<h2>Categories</h2>${categoryTable(report)}
<h2>Timeline</h2>
<p class="legend">${legend}<span><i style="background:#b3261e"></i>max limit</span><span><i style="background:#ddd"></i>stall limit</span><span><i style="background:#4a6fd1"></i>longest silence</span></p>
${timeline(report, rows)}
<h2>Attempts</h2>${attemptsTable(rows, outDir)}
<p><small>cc-stress ${escapeHtml(report.tool.version)} · ${escapeHtml(report.suite.file)}</small></p>
</body></html>
`;
}

export interface HtmlReporterOptions {
  outDir: string;
  fileName?: string;
}

/** Writes report.html when the run ends, interrupted or not. */
export class HtmlReporter implements Reporter {
  readonly name = 'html';
  readonly path: string;

  constructor(private readonly options: HtmlReporterOptions) {
    this.path = join(options.outDir, options.fileName ?? HTML_REPORT_FILE);
  }

  async onEnd(report: RunReport): Promise<void> {
    await writeFileAtomic(this.path, renderHtmlReport(report, this.options.outDir));
  }
}
