import { Chalk } from 'chalk';
import type { ClassLevel } from './classify.js';
import { formatDuration } from './duration-text.js';
import type { ExplainedLimit, Explanation } from './explain.js';
import { displayText } from './keys.js';

const KEY_WIDTH = 40;

function pad(text: string, width: number, right = false): string {
  const gap = Math.max(0, width - [...text].length);
  return right ? ' '.repeat(gap) + text : text + ' '.repeat(gap);
}

function optionalDuration(ms: number | undefined): string {
  return ms === undefined ? '—' : formatDuration(ms);
}

function limitLine(label: string, limit: ExplainedLimit, paint: InstanceType<typeof Chalk>): string {
  const value = paint.bold(pad(formatDuration(limit.ms), 9, true));
  return `${pad(label, 12)} ${value}   ${paint.dim(`${limit.source.origin}:`)} ${limit.source.detail}`;
}

/** The explanation as readable lines for a terminal. */
/** Cut-offs at the deciding level that did not loosen the limit, so a user can tell hangs were seen. */
function presumedHangs(e: Explanation, level: ClassLevel): string[] {
  const n = e.levels.find((l) => l.level === level)?.dropped.presumedHung ?? 0;
  return n === 0 ? [] : [`${n} cut-off${n === 1 ? '' : 's'} presumed hung`];
}

/** The counted cut-offs at the deciding level, as the evidence they are: "at least the limit they met". */
function cutOffs(e: Explanation, level: ClassLevel, censored: number): string[] {
  if (censored === 0) return [];
  const range = e.levels.find((l) => l.level === level)?.cutOffsMs;
  if (range === undefined) return [`${censored} cut off`];
  const low = formatDuration(range.lowestMs);
  const high = formatDuration(range.highestMs);
  return [
    `${censored} cut-off${censored === 1 ? '' : 's'} counted as ≥ ${low === high ? low : `${low}–${high}`}`,
  ];
}

export function formatExplanation(e: Explanation, color: boolean): string {
  const paint = new Chalk({ level: color ? 1 : 0 });
  const lines: string[] = [];
  lines.push(paint.bold(displayText(e.command, 200)));
  const facts = [
    e.class.kind,
    e.class.verb,
    ...(e.class.simulated ? ['simulated agent (history kept apart from real agents)'] : []),
    `category ${e.class.category}`,
    `complexity ${e.class.complexity}`,
    ...(e.class.model === undefined ? [] : [`model ${e.class.model}`]),
    ...(e.class.prompt === undefined
      ? []
      : [`prompt ${e.class.prompt.chars} chars (${e.class.prompt.bucket})`]),
  ];
  lines.push(`  ${facts.join(' · ')}`);
  for (const reason of e.class.reasons) lines.push(paint.dim(`  · ${reason}`));
  lines.push('');

  const header = `  ${pad('level', 12)} ${pad('key', KEY_WIDTH)} ${pad('runs', 5, true)} ${pad('finished', 8, true)} ${pad('cut off', 7, true)} ${pad('p50', 8, true)} ${pad('p90', 8, true)} ${pad('p99', 8, true)}`;
  lines.push(paint.dim('Class levels, most specific first'));
  lines.push(paint.dim(header));
  for (const l of e.levels) {
    const marks = [l.usedForMax ? 'max' : '', l.usedForStall ? 'stall' : '']
      .filter((m) => m !== '')
      .join(', ');
    const row = `${l.usedForMax || l.usedForStall ? '▶' : ' '} ${pad(l.level, 12)} ${pad(displayText(l.key, KEY_WIDTH), KEY_WIDTH)} ${pad(String(l.runs), 5, true)} ${pad(String(l.finished), 8, true)} ${pad(String(l.censored), 7, true)} ${pad(optionalDuration(l.p50Ms), 8, true)} ${pad(optionalDuration(l.p90Ms), 8, true)} ${pad(optionalDuration(l.p99Ms), 8, true)}`;
    const note = [
      marks === '' ? '' : `← ${marks}`,
      l.trusted ? '' : l.finished > 0 ? 'too few to tighten' : '',
    ].filter((n) => n !== '');
    lines.push(
      (l.usedForMax ? paint.cyan(row) : row) + (note.length > 0 ? paint.dim(`  ${note.join('; ')}`) : ''),
    );
  }
  lines.push('');
  lines.push(limitLine('Max limit', e.max, paint));
  lines.push(limitLine('Stall limit', e.stall, paint));
  lines.push(
    e.quiet !== undefined
      ? limitLine('Quiet limit', e.quiet, paint)
      : `${pad('Quiet limit', 12)} ${pad('none', 9, true)}   ${paint.dim('CPU, I/O and repeated output keep the task alive up to the max limit')}`,
  );
  lines.push(
    `${pad('Extension', 12)} ${
      e.extension.times === 0
        ? 'none'
        : `up to ${e.extension.times} × ${formatDuration(e.extension.byMs)} while the task is still making progress${
            e.extension.widened
              ? paint.dim(
                  ' (wider than usual: cut-offs presumed hung may have been slow runs that looked alive, so a run still working gets the room counting them would give)',
                )
              : ''
          }`
    }`,
  );
  lines.push(`${pad('Why', 12)} ${e.why}`);
  if (e.next !== undefined) lines.push(`${pad('Next', 12)} ${e.next.message}`);
  const p = e.max.predicted;
  if (p.level !== undefined) {
    const parts = [
      `${p.method} at ${p.level}`,
      `n ${p.n}`,
      ...cutOffs(e, p.level, p.censored),
      ...presumedHangs(e, p.level),
      ...(p.k !== undefined ? [`k ${p.k}`] : []),
      ...(p.t !== undefined ? [`t ${p.t.toFixed(2)}`] : []),
      ...(p.borrowedFrom !== undefined
        ? [`spread ${p.borrowedFrom.ratio.toFixed(2)} from ${p.borrowedFrom.level}`]
        : []),
      `bound ${formatDuration(p.boundMs)}`,
      `× ${p.safetyFactor} = ${formatDuration(p.scaledMs)}`,
      ...(p.clamp.applied === undefined ? [] : [`clamped (${p.clamp.applied})`]),
    ];
    lines.push(`${pad('Max numbers', 12)} ${parts.join(' · ')}`);
  }
  lines.push(
    paint.dim(
      `${pad('Settings', 12)} alpha ${e.settings.alpha} · safety factor ${e.settings.safetyFactor} · min samples ${e.settings.minSamples} · window ${e.settings.window} · history ${e.history.store}`,
    ),
  );
  if (e.history.missing.length > 0) {
    const missing = e.history.missing.map((m) => `${m.level} (${m.reason})`).join(', ');
    const fallback = e.history.fallback?.summary ?? 'limits are no tighter than they would be';
    lines.push(paint.yellow(`${pad('Warning', 12)} no history for ${missing}; ${fallback}`));
  }
  return lines.join('\n');
}
