import { isUtf8 } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SuiteError } from './errors.js';
import { expandSuite } from './expand.js';
import { parseYaml } from './load.js';
import type { Suite } from './types.js';
import { validateSuite } from './validate.js';

export { detectAgent } from '../command/model.js';
export { formatCommand, quoteArg, type SplitResult, splitCommand } from './command.js';
export { SuiteError } from './errors.js';
export { MAX_TASKS } from './expand.js';
export { suiteJsonSchema } from './json-schema.js';
export type * from './types.js';

export interface SuiteOptions {
  /** Where `${NAME}` looks after the matrix and `vars`; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Multiplies every task's repeat (the CLI's --repeat); an integer from 1, default 1. */
  repeat?: number;
  /** Refuse a task whose cwd does not exist (loadSuite does). */
  checkFolders?: boolean;
}

/** Reads, validates and expands a suite file. Every problem is a one-line SuiteError. */
export function loadSuite(file: string, options: SuiteOptions = {}): Suite {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a folder, not a suite file'
          : `cannot read (${code})`;
    throw new SuiteError({ file, reason });
  }
  return parseSuite(decodeUtf8(bytes, file), file, { ...options, checkFolders: true });
}

/**
 * The file's text, or an error at its first byte that is not UTF-8: decoding leniently would turn it into
 * U+FFFD and run a command nobody wrote.
 */
function completeUpTo(bytes: Buffer, end: number): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, end));
    return true;
  } catch {
    return false;
  }
}

function decodeUtf8(bytes: Buffer, file: string): string {
  if (isUtf8(bytes)) return bytes.toString('utf8');
  // Valid prefixes are monotonic (streaming tolerates a cut character), so bisect for the first bad byte.
  const validUpTo = (end: number): boolean => {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, end), { stream: true });
      return true;
    } catch {
      return false;
    }
  };
  let low = 0;
  let high = bytes.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (validUpTo(mid)) low = mid;
    else high = mid - 1;
  }
  // The byte that broke decoding may end a sequence that began earlier (a lead byte with no continuation).
  let offset = low;
  for (let back = 1; back <= 3 && offset > 0 && !completeUpTo(bytes, offset); back += 1) offset -= 1;
  const before = bytes.subarray(0, offset).toString('utf8');
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  throw new SuiteError({
    file,
    line,
    column,
    reason: `not valid UTF-8 at byte ${offset} (0x${bytes[offset]!.toString(16).padStart(2, '0')}); save the file as UTF-8`,
  });
}

/** Validates and expands suite text; `file` names it in messages and anchors relative `cwd` values. */
export function parseSuite(text: string, file: string, options: SuiteOptions = {}): Suite {
  const repeat = options.repeat ?? 1;
  if (!Number.isInteger(repeat) || repeat < 1) {
    throw new RangeError(`repeat must be an integer of at least 1 (got ${repeat})`);
  }
  const source = parseYaml(text, file);
  const raw = validateSuite(source);
  const absoluteFile = resolve(file);
  return expandSuite(raw, source, {
    env: options.env ?? process.env,
    repeat,
    absoluteFile,
    baseDir: dirname(absoluteFile),
    checkFolders: options.checkFolders === true,
  });
}
