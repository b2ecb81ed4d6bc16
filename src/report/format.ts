/** Text helpers shared by the terminal reporters. */

const ANSI_SEQUENCE =
  /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;
// C0 and C1 controls except tab; newlines are handled separately so callers choose how lines join.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI_SEQUENCE, '');
}

/**
 * One printable line from text that came from a task (names, ids, output, messages): a task must not be
 * able to move the cursor, clear the screen or break our line-per-event output.
 */
export function oneLine(text: string, maxLength = 300): string {
  const flat = stripAnsi(text)
    .replace(/\r?\n|\r/g, ' | ')
    .replace(/\t/g, ' ')
    .replace(CONTROL, '')
    .trim();
  return truncate(flat, maxLength);
}

export function truncate(text: string, maxLength: number): string {
  const chars = Array.from(text);
  if (chars.length <= maxLength) return text;
  if (maxLength <= 1) return chars.slice(0, Math.max(0, maxLength)).join('');
  return chars.slice(0, maxLength - 1).join('') + '…';
}

/** Visible width, counting code points; good enough for the ASCII and box characters we draw. */
export function visibleWidth(text: string): number {
  return Array.from(stripAnsi(text)).length;
}

export function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - visibleWidth(text)));
}

export function padStart(text: string, width: number): string {
  return ' '.repeat(Math.max(0, width - visibleWidth(text))) + text;
}

export { formatDuration } from '../text/duration.js';

export function formatPercent(ratio: number): string {
  if (!Number.isFinite(ratio)) return '-';
  return `${(ratio * 100).toFixed(1)}%`;
}

/** How a task is named to a person: its name, with the id when the id says something more. */
export function taskLabel(task: { id: string; name: string }): string {
  const name = oneLine(task.name, 80);
  const id = oneLine(task.id, 80);
  return name === id || name === '' ? id : `${name} [${id}]`;
}

/**
 * Breaks a line (which may hold colour codes) into pieces of at most `width` visible characters, for
 * output where the terminal's own wrapping is switched off.
 */
export function hardWrap(text: string, width: number): string[] {
  if (width < 1) return [text];
  const lines: string[] = [];
  let current = '';
  let visible = 0;
  const sequence = new RegExp(ANSI_SEQUENCE.source, 'y');
  let index = 0;
  while (index < text.length) {
    sequence.lastIndex = index;
    const match = sequence.exec(text);
    if (match !== null) {
      current += match[0];
      index += match[0].length;
      continue;
    }
    const char = String.fromCodePoint(text.codePointAt(index)!);
    if (visible === width) {
      lines.push(current);
      current = '';
      visible = 0;
    }
    current += char;
    visible++;
    index += char.length;
  }
  lines.push(current);
  return lines;
}

/**
 * Breaks a line at spaces to fit `width` columns (colour codes do not count), continuing with an indent;
 * only a word longer than a whole line is cut.
 */
export function wordWrap(text: string, width: number, indent = '    '): string[] {
  if (width < 1 || visibleWidth(text) <= width) return [text];
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(' ')) {
    const candidate = current === '' ? word : `${current} ${word}`;
    if (visibleWidth(candidate) <= width) {
      current = candidate;
      continue;
    }
    if (current.trim() !== '') lines.push(current);
    const start = lines.length > 0 ? indent + word : word;
    const pieces = hardWrap(start, width);
    lines.push(...pieces.slice(0, -1));
    current = pieces.at(-1)!;
  }
  if (current.trim() !== '') lines.push(current);
  return lines;
}
