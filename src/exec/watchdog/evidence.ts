/** Readable evidence for kills: which limit fired, where it came from and what was (not) happening. */

/** A measured duration: always one decimal, so "120.0s" reads as a measurement. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** A configured limit: as short as exact ("120s", "0.25s"). */
export function limit(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))}s`;
}

export interface LastProgress {
  kind: string | undefined;
  atMs: number;
}

function lastProgressText(last: LastProgress): string {
  return last.kind === undefined ? 'none since the start' : `${last.kind} at ${seconds(last.atMs)}`;
}

/** The thresholds below which CPU and I/O did not count, named in evidence when some was seen. */
export interface IdleThresholds {
  minCpuShare: number;
  minIoBytesPerSecond: number;
  windowMs: number;
}

/**
 * `silentMs` runs from the last real progress. `weak` names the signals that were seen since but carry no
 * information (repeated output, keep-alives, an open tool call); `idle` is set when CPU or I/O was seen
 * but stayed under the thresholds.
 */
export function stallEvidence(input: {
  silentMs: number;
  stallMs: number;
  source: string;
  procSignals: boolean;
  last: LastProgress;
  weak?: string | undefined;
  idle?: IdleThresholds | undefined;
}): string {
  const watched = input.procSignals ? 'no output, CPU or I/O' : 'no output';
  const what = input.weak === undefined ? watched : `only ${input.weak}`;
  const idle =
    input.idle === undefined
      ? ''
      : `; CPU and I/O stayed below ${Number((input.idle.minCpuShare * 100).toFixed(2))}% of a core and ` +
        `${input.idle.minIoBytesPerSecond} B/s over ${limit(input.idle.windowMs)} (idle, not counted)`;
  return (
    `${what} for ${seconds(input.silentMs)} (stall limit ${limit(input.stallMs)}, from ${input.source}); ` +
    `last progress: ${lastProgressText(input.last)}${idle}`
  );
}

/** A task that said nothing new for longer than its class's runs do: a loop, not work. */
export function quietEvidence(input: {
  quietMs: number;
  limitMs: number;
  source: string;
  seen: string;
}): string {
  return (
    `nothing new (no new output or agent work) for ${seconds(input.quietMs)}, only ${input.seen} ` +
    `(quiet limit ${limit(input.limitMs)}, from ${input.source})`
  );
}

export function maxEvidence(input: {
  elapsedMs: number;
  maxMs: number;
  source: string;
  extensions: number;
  extension: { times: number; byMs: number };
  silentMs: number;
  windowMs: number;
  last: LastProgress;
}): string {
  const { extension } = input;
  const extended =
    input.extensions > 0
      ? `; extended ${input.extensions} of ${extension.times} times by ${limit(extension.byMs)}`
      : '';
  let why: string;
  if (extension.times <= 0 || extension.byMs <= 0) why = 'no extension allowed';
  else if (input.silentMs > input.windowMs) {
    why = `not extended: no progress in the last ${limit(input.windowMs)}`;
  } else why = 'still progressing but no extension left';
  return (
    `ran ${seconds(input.elapsedMs)} (max limit ${limit(input.maxMs)}, from ${input.source}${extended}); ` +
    `${why}; last progress: ${lastProgressText(input.last)}`
  );
}
