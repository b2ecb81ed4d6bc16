/**
 * Tells new output from output that says nothing new: the same line again, spinner frames, progress-bar
 * redraws, dots printed one at a time, keep-alive lines, lines that differ only in a counter or a clock.
 */

/** Distinct normalised lines remembered; a line seen among them is a repeat. */
export const REPEAT_MEMORY = 64;
/** Characters of a normalised line kept as its key; longer lines keep their start, end and length. */
const KEY_CHARS = 256;
/** A big chunk is judged on its start and its end only, so judging costs the same for any chunk size. */
const SAMPLE_CHARS = 1024;

// Terminal escapes (colours, cursor moves, OSC titles) change nothing a reader sees as content.
const ANSI = /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])/g;
/** Identifiers that change on every line without meaning anything: UUIDs and long hex runs with a digit. */
const IDS =
  /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b|\b(?=[a-f]*\d)[0-9a-f]{12,}\b/gi;
const DIGITS = /\d+(?:[.,:]\d+)*/g;
/** Spinner glyphs: ASCII |/-\\, Braille dots, circle quarters and moons, block and bar heights, bullets. */
const SPINNER =
  /[-|/\\\u2800-\u28ff\u25d0-\u25d3\u25f4-\u25f7\u2581-\u2588\u2590-\u259f\u00b7\u2022\u25cf\u25cb\u25e6]/g;
/** A run of one repeated non-word character ("....", "=====", "   ") is one character: bars of any length. */
const RUNS = /([^\p{L}\p{N}])\1+/gu;

/**
 * The content of one line as a reader would compare it: what is left after a `\r` redraw, without escapes,
 * ids, numbers and spinner glyphs, with runs of one character collapsed. Two frames of a spinner, a
 * progress bar at 41% and at 42%, "waiting (3s)" and "waiting (4s)" all give the same text.
 */
export function normaliseLine(line: string): string {
  let shown = line.slice(line.lastIndexOf('\r', line.length - 2) + 1);
  if (shown.length > 2 * SAMPLE_CHARS) {
    shown = `${shown.slice(0, SAMPLE_CHARS)}\u0000${shown.length}\u0000${shown.slice(-SAMPLE_CHARS)}`;
  }
  return shown
    .replace(ANSI, '')
    .replace(IDS, '#')
    .replace(DIGITS, '#')
    .replace(SPINNER, '*')
    .replace(RUNS, '$1')
    .trim();
}

function keyOf(normalised: string): string {
  if (normalised.length <= KEY_CHARS) return normalised;
  const half = KEY_CHARS / 2;
  return `${normalised.slice(0, half)}\u0000${normalised.length}\u0000${normalised.slice(-half)}`;
}

/**
 * A bounded memory of recently seen normalised lines (least recently seen forgotten first). Judging a
 * line also remembers it, so the first appearance of a line is new and every later one, while remembered,
 * is a repeat.
 */
export class RepeatMemory {
  private readonly seen = new Set<string>();

  constructor(private readonly capacity = REPEAT_MEMORY) {}

  /** True when the line says something not seen recently; empty lines say nothing. */
  isNew(line: string): boolean {
    const normalised = normaliseLine(line);
    if (normalised === '') return false;
    const key = keyOf(normalised);
    const known = this.seen.delete(key);
    this.seen.add(key);
    if (this.seen.size > this.capacity) {
      const oldest = this.seen.values().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    return !known;
  }

  /**
   * Judges a chunk of raw text as it arrived, before it is cut into lines, so that output without
   * newlines (dots, `\r` redraws) is judged as soon as it is written: new when any of its `\r`- or
   * `\n`-separated pieces is new.
   */
  chunkIsNew(text: string): boolean {
    const sample =
      text.length <= 2 * SAMPLE_CHARS
        ? text
        : `${text.slice(0, SAMPLE_CHARS)}\n${text.slice(text.length - SAMPLE_CHARS)}`;
    let anyNew = false;
    for (const piece of sample.split(/[\r\n]+/)) if (this.isNew(piece)) anyNew = true;
    return anyNew;
  }
}
