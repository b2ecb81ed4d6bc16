import { createHash } from 'node:crypto';

/**
 * Class keys: short, single-line and stable across machines, since shared history (Redis) is keyed by
 * them. User text never appears raw in a key: names are reduced to printable ASCII and bounded, and
 * anything long or altered carries a hash of the original so that distinct inputs stay distinct.
 */

export function shortHash(text: string, hexChars = 16): string {
  return createHash('sha256').update(text).digest('hex').slice(0, hexChars);
}

/** A printable, bounded label for a tool or verb; altered or shortened names get a hash suffix. */
export function safeName(text: string, max: number): string {
  const cleaned = text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[^\x21-\x7e ]/g, '_');
  const changed = cleaned !== text || cleaned.length > max || cleaned === '';
  if (!changed) return cleaned;
  const keep = Math.max(1, max - 9);
  const head = cleaned === '' ? '_' : cleaned.slice(0, keep);
  return `${head}~${shortHash(text, 8)}`;
}

/** One line, printable, at most `max` characters: for labels shown to people, never for keys. */
export function displayText(text: string, max: number): string {
  // Only the head can be shown; flattening a megabyte prompt to show 100 characters would be waste.
  const head = text.length > max * 4 + 64 ? text.slice(0, max * 4 + 64) : text;
  const flat = head
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length > max || head !== text ? `${flat.slice(0, max - 1)}…` : flat;
}

export const TOOL_NAME_MAX = 32;
export const VERB_MAX = 64;

/**
 * The classifier's version, carried in every class key. Bump it whenever a change would give an existing
 * command another key: history under the old keys is then set aside in one visible step (`history list`
 * marks it) instead of being orphaned class by class without a word.
 */
export const CLASSIFIER_VERSION = 2;

const CURRENT_PREFIX = `v${CLASSIFIER_VERSION}/`;

/** What every class key starts with; the simulated agent's classes live in a namespace of their own. */
export function classKeyPrefix(simulated: boolean): string {
  return simulated ? `${CURRENT_PREFIX}sim/` : CURRENT_PREFIX;
}

/** True for a key this classifier version writes; other keys are history no task will read again. */
export function isCurrentClassKey(key: string): boolean {
  return key.startsWith(CURRENT_PREFIX);
}
