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
}

/** Reads, validates and expands a suite file. Every problem is a one-line SuiteError. */
export function loadSuite(file: string, options: SuiteOptions = {}): Suite {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
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
  return parseSuite(text, file, options);
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
  });
}
