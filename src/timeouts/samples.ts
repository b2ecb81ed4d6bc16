import type { RunRecord } from '../history/types.js';
import { median, quantile } from './stats.js';

/**
 * Turns recorded runs into samples for the bounds. What counts:
 * - success and failed runs: full samples (a failed run still took that long);
 * - killed-max runs: censored at the limit that cut them off (`limitMs`), not at their recorded duration,
 *   which also holds the extensions and the grace period: a cut-off says "at least the limit", no more.
 *   Records written before the limit was recorded fall back to their duration. A class that hangs now and
 *   then (a busy loop, an output loop: progress to the watchdog, so only the max limit ends them) would
 *   raise its own limit with every hang it is cut off in. So up to `presumedHangRate` of the window,
 *   rounded up (one cut-off in a handful of runs fits any hang rate), cut-offs are presumed hangs and left
 *   out: the longest ones, since a hang's cut-off is as long as the limit it met and the longest limits are
 *   the ones earlier hangs already raised. Only the rest count;
 * - killed-stall runs: the same for the silence metric (the run was silent at least the stall limit): a
 *   caught hang must not raise the stall limit, but a class whose runs keep being stall-killed (it now
 *   thinks or writes silently for longer) must learn it. For the duration metric they are dropped: a stall
 *   kill says nothing about how long the run would have taken. Likewise a max-limit kill is dropped for the
 *   silence metric: the watchdog had seen progress, so its silences say nothing about the stall limit;
 * - the quiet metric (the longest stretch with nothing new) counts like the silence metric, but
 *   a stall kill is a cut-off at the quiet stretch it reached (the quiet limit or the stall limit, whichever
 *   fired first, both evidence "at least"); records without the field (older ones) are no sample at all.
 *   A kill by the quiet limit is no silence sample: CPU or I/O kept counting, so no silence was cut off;
 * - retry-later runs (rate limits, overload): dropped, they measure the API, not the task;
 * - records with a negative or non-finite duration: dropped.
 */

export type Metric = 'duration' | 'silence' | 'quiet';

export interface SampleSet {
  /** Finished runs' values, ascending. */
  finite: Float64Array;
  /** Limits runs were cut off at (lower bounds), ascending; presumed hangs (the longest) left out. */
  censored: Float64Array;
  /** Cut-offs within the window left out as presumed hangs (the longest ones). */
  presumedHung: number;
  /** Records given, and those left out of the window and why. */
  given: number;
  droppedStall: number;
  droppedRetryLater: number;
  droppedInvalid: number;
  /** Epoch ms of the newest usable run. */
  newestAt?: number;
}

function sampleValue(record: RunRecord, metric: Metric): number | undefined {
  const d = record.durationMs;
  if (typeof d !== 'number' || !Number.isFinite(d) || d < 0) return undefined;
  if (metric === 'duration') return d;
  const s = metric === 'silence' ? record.longestSilenceMs : record.longestQuietMs;
  if (typeof s !== 'number' || !Number.isFinite(s) || s < 0) return undefined;
  // A silence cannot outlast the run; clamping keeps a bad clock from inventing one.
  return Math.min(s, d);
}

/** The limit a cut-off met, when its record names it; never more than what was observed. */
function limitOf(record: RunRecord, observed: number): number | undefined {
  const l = record.limitMs;
  if (typeof l !== 'number' || !Number.isFinite(l) || l < 0) return undefined;
  return Math.min(l, observed);
}

/** A stall kill whose silence never reached the stall limit it had: the quiet limit ended it. */
function endedByQuietLimit(record: RunRecord, silence: number): boolean {
  const l = record.limitMs;
  return typeof l === 'number' && Number.isFinite(l) && silence + 1 < l;
}

/** How many cut-offs may be presumed hangs among n runs: the rate's share, rounded up once it is not 0. */
export function presumedHangs(rate: number, n: number): number {
  if (!(rate > 0) || n <= 0) return 0;
  // The epsilon keeps 0.05 × 100 from rounding up to 6.
  return Math.ceil(rate * n - 1e-9);
}

/**
 * The `window` most recent usable runs (newest first in `runs`) as samples of one metric; at most
 * ceil(presumedHangRate × runs in the window) cut-offs, the longest, are presumed hangs.
 */
export function samplesOf(
  runs: readonly RunRecord[],
  metric: Metric,
  window: number,
  presumedHangRate = 0,
): SampleSet {
  const finite: number[] = [];
  const censored: number[] = [];
  let droppedStall = 0;
  let droppedRetryLater = 0;
  let droppedInvalid = 0;
  let newestAt: number | undefined;
  for (const record of runs) {
    if (finite.length + censored.length >= window) break;
    if (record.outcome === 'killed-stall' && metric === 'duration') {
      droppedStall++;
      continue;
    }
    if (record.outcome === 'killed-max' && metric !== 'duration') continue;
    // Runs recorded before the quiet stretch was kept say nothing about it.
    if (metric === 'quiet' && record.longestQuietMs === undefined) continue;
    if (record.outcome === 'retry-later') {
      droppedRetryLater++;
      continue;
    }
    const value = sampleValue(record, metric);
    if (value === undefined) {
      droppedInvalid++;
      continue;
    }
    if (record.outcome === 'killed-stall' && metric === 'quiet') censored.push(value);
    else if (record.outcome === 'killed-stall' && metric === 'silence' && endedByQuietLimit(record, value)) {
      // Its silences were never cut off: CPU or I/O kept counting until the quiet limit ended it.
      continue;
    } else if (record.outcome === 'killed-max' || record.outcome === 'killed-stall') {
      censored.push(limitOf(record, value) ?? value);
    } else if (record.outcome === 'success' || record.outcome === 'failed') finite.push(value);
    else {
      droppedInvalid++;
      continue;
    }
    if (Number.isFinite(record.at) && (newestAt === undefined || record.at > newestAt)) newestAt = record.at;
  }
  // Typed-array sorts are numeric and several times faster than a sort with a comparator; the benchmark
  // replays thousands of plans.
  const cutOffs = new Float64Array(censored).sort();
  const presumedHung = Math.min(
    cutOffs.length,
    presumedHangs(presumedHangRate, finite.length + cutOffs.length),
  );
  return {
    finite: new Float64Array(finite).sort(),
    censored: cutOffs.subarray(0, cutOffs.length - presumedHung),
    presumedHung,
    given: runs.length,
    droppedStall,
    droppedRetryLater,
    droppedInvalid,
    newestAt,
  };
}

export interface Summary {
  p50Ms?: number;
  p90Ms?: number;
  p99Ms?: number;
  maxMs?: number;
  medianMs?: number;
}

/** Percentiles of the finished runs (nearest rank; with few runs p99 is simply the longest). */
export function summarise(set: SampleSet): Summary {
  const f = set.finite;
  return {
    p50Ms: quantile(f, 0.5),
    p90Ms: quantile(f, 0.9),
    p99Ms: quantile(f, 0.99),
    maxMs: f[f.length - 1],
    medianMs: median(f),
  };
}
