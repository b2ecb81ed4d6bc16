import { createRng } from './rng.js';

const WORDS = [
  'the',
  'function',
  'returns',
  'a',
  'list',
  'of',
  'tests',
  'that',
  'pass',
  'after',
  'refactoring',
  'module',
  'config',
  'parser',
  'handles',
  'edge',
  'cases',
  'I',
  'will',
  'update',
  'file',
  'and',
  'check',
  'types',
  'build',
  'succeeds',
  'now',
  'with',
  'error',
  'handling',
  'for',
  'empty',
  'input',
  'next',
  'step',
  'is',
  'to',
  'run',
  'suite',
  'again',
  'looks',
  'good',
  'changes',
  'are',
  'small',
  'focused',
];

/**
 * Prose-like text of exactly `bytes` bytes (ASCII), the same for the same seed. Generated when it is
 * written, so a session that prints megabytes never holds them in its plan.
 */
export function fillerText(seed: number, bytes: number): string {
  if (bytes <= 0) return '';
  const rng = createRng(seed);
  const parts: string[] = [];
  let length = 0;
  let sentence = 0;
  while (length < bytes) {
    let word = rng.pick(WORDS);
    if (sentence === 0) word = word[0]!.toUpperCase() + word.slice(1);
    sentence++;
    const end = sentence > 6 && rng.next() < 0.2;
    if (end) sentence = 0;
    const piece = `${word}${end ? '.' : ''} `;
    parts.push(piece);
    length += piece.length;
  }
  return parts.join('').slice(0, bytes);
}
