/**
 * Masks the parts of a command that vary between runs of the same kind of task — numbers, paths, URLs,
 * ids and free text — so that `pytest tests/a.py -x` and `pytest tests/b.py -x` share a template.
 */

export type LengthBucket = 'none' | 'xs' | 's' | 'm' | 'l' | 'xl';

/** Character-count buckets for prompts and free text; the upper bound of each is exclusive. */
export const LENGTH_BUCKETS: ReadonlyArray<readonly [LengthBucket, number]> = [
  ['none', 1],
  ['xs', 100],
  ['s', 500],
  ['m', 2000],
  ['l', 8000],
  ['xl', Number.POSITIVE_INFINITY],
];

export function lengthBucket(chars: number): LengthBucket {
  for (const [name, below] of LENGTH_BUCKETS) if (chars < below) return name;
  return 'xl';
}

export function describeBucket(bucket: LengthBucket): string {
  const index = LENGTH_BUCKETS.findIndex(([name]) => name === bucket);
  if (bucket === 'none') return 'no prompt';
  const from = LENGTH_BUCKETS[index - 1]?.[1] ?? 0;
  const to = LENGTH_BUCKETS[index]?.[1] ?? Number.POSITIVE_INFINITY;
  return Number.isFinite(to) ? `${from}–${to - 1} characters` : `${from}+ characters`;
}

const NUMBER = /^[+-]?\d+(\.\d+)?[a-z%\u00b5]{0,3}$/i;
const VERSION = /^v?\d+(\.\d+)+([-+][\w.]+)?$/i;
const URL = /^[a-z][a-z0-9+.-]*:\/\//i;
const ID = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{12,})$/i;
const FILE_EXTENSION = /[A-Za-z0-9_-]\.[A-Za-z][A-Za-z0-9]{0,5}$/;
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;

/** Whether a word is an id that changes on every run (session ids, hashes). */
export function isRunId(word: string): boolean {
  return ID.test(word);
}

export function maskWord(word: string): string {
  if (word === '') return "''";
  if (NUMBER.test(word) || VERSION.test(word)) return '<n>';
  if (URL.test(word)) return '<url>';
  if (ID.test(word)) return '<id>';
  if (/\s/.test(word) || word.length > 40) return `<text:${lengthBucket(word.length)}>`;
  const assignment = ASSIGNMENT.exec(word);
  if (assignment) return `${assignment[1]}=${maskWord(assignment[2]!)}`;
  if (word.includes('/') || word.includes('\\') || word.startsWith('.') || word.startsWith('~'))
    return '<path>';
  if (FILE_EXTENSION.test(word)) return '<path>';
  return word;
}
