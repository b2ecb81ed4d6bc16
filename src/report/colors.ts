import { Chalk, type ChalkInstance } from 'chalk';

export type { ChalkInstance };

/** The part of a stream colour detection looks at; a tty.WriteStream satisfies it. */
export interface ColorStream {
  isTTY?: boolean;
  getColorDepth?(): number;
}

export interface ColorOptions {
  /** False when the user passed --no-color. */
  color: boolean;
  stream: ColorStream;
  env?: NodeJS.ProcessEnv;
}

type Level = 0 | 1 | 2 | 3;

/**
 * Colour level for a stream. --no-color and NO_COLOR (https://no-color.org) always win; FORCE_COLOR lets
 * CI log viewers that render ANSI opt in; otherwise colours only go to a terminal.
 */
export function colorLevel(options: ColorOptions): Level {
  const env = options.env ?? process.env;
  if (!options.color) return 0;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '0' || force === 'false') return 0;
    if (force === '2') return 2;
    if (force === '3') return 3;
    return 1;
  }
  if (options.stream.isTTY !== true) return 0;
  if (env.TERM === 'dumb') return 0;
  const depth = options.stream.getColorDepth?.() ?? 4;
  if (depth >= 24) return 3;
  if (depth >= 8) return 2;
  return depth >= 4 ? 1 : 0;
}

export function createColors(options: ColorOptions): ChalkInstance {
  return new Chalk({ level: colorLevel(options) });
}
