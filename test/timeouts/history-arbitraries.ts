import fc from 'fast-check';
import { configSchema, type TaskKind } from '../../src/config.js';
import type { RunOutcome, RunRecord } from '../../src/history/types.js';
import { CLASS_LEVELS } from '../../src/timeouts/classify.js';
import type { LevelHistory, PredictorConfig } from '../../src/timeouts/predict.js';

/** Arbitrary histories, settings and kinds for the predictor's properties. */

const defaults: PredictorConfig = configSchema.parse({}).predictor;
export const NOW = 1_800_000_000_000;
const S = 1000;

const outcomes: RunOutcome[] = [
  'success',
  'success',
  'success',
  'failed',
  'killed-max',
  'killed-stall',
  'retry-later',
];

export const runArb: fc.Arbitrary<RunRecord> = fc
  .record({
    seconds: fc.oneof(fc.double({ min: 0, max: 20_000, noNaN: true }), fc.integer({ min: 1, max: 600 })),
    silence: fc.double({ min: 0, max: 1, noNaN: true }),
    // Older records have no quiet stretch; where there is one it is at least the silence.
    quiet: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
    outcome: fc.constantFrom(...outcomes),
    id: fc.uuid(),
  })
  .map(({ seconds, silence, quiet, outcome, id }) => ({
    runId: id,
    durationMs: seconds * S,
    longestSilenceMs: seconds * silence * S,
    ...(quiet === undefined ? {} : { longestQuietMs: seconds * Math.max(silence, quiet) * S }),
    outcome,
    at: NOW - 1000,
  }));

const runsArb = (maxRuns: number) =>
  fc.oneof(
    fc.array(runArb, { maxLength: maxRuns }),
    fc.array(runArb, { minLength: Math.min(20, maxRuns), maxLength: maxRuns, size: 'max' }),
  );

/**
 * Histories per level: either independent, or nested the way recording under every class key nests
 * them (a general level holds the specific level's runs and then some of other classes).
 */
export const historyArb = (maxRuns: number): fc.Arbitrary<LevelHistory[]> => {
  const independent = fc.array(runsArb(maxRuns), { minLength: 5, maxLength: 5 });
  const nested = fc
    .tuple(runsArb(maxRuns), fc.array(fc.array(runArb, { maxLength: 12 }), { minLength: 5, maxLength: 5 }))
    .map(([own, others]) => {
      const out: RunRecord[][] = [];
      let acc: RunRecord[] = [];
      for (let i = 0; i < 5; i++) {
        acc = [...acc, ...others[i]!].slice(0, maxRuns + 12);
        out.push(i === 0 ? own : [...own, ...acc]);
      }
      return out;
    });
  return fc
    .oneof(independent, nested)
    .map((per) => per.map((runs, i) => ({ level: CLASS_LEVELS[i]!, key: `${CLASS_LEVELS[i]}-key`, runs })));
};

export const configArb: fc.Arbitrary<PredictorConfig> = fc
  .record({
    alpha: fc.double({ min: 0.005, max: 0.45, noNaN: true }),
    safetyFactor: fc.double({ min: 1, max: 3, noNaN: true }),
    minSamples: fc.integer({ min: 3, max: 25 }),
    window: fc.integer({ min: 10, max: 150 }),
    floorSeconds: fc.integer({ min: 1, max: 120 }),
    capExtra: fc.integer({ min: 0, max: 50_000 }),
    presumedHangRate: fc.constantFrom(0, 0.01, 0.05, 0.2, 0.5),
  })
  .map(({ capExtra, ...rest }) => ({ ...defaults, ...rest, capSeconds: rest.floorSeconds + capExtra }));

export const kindArb = fc.constantFrom<TaskKind>('llm-agent', 'build', 'test', 'other');

/**
 * Finished runs in a level's window, as samplesOf counts them, under whichever metric's window holds more:
 * the duration window skips stall kills, the silence window skips max kills.
 */
export function finishedAt(level: LevelHistory, window: number): number {
  const count = (skipped: RunOutcome): number => {
    let usable = 0;
    let finished = 0;
    for (const r of level.runs) {
      if (usable >= window) break;
      if (r.outcome === skipped || r.outcome === 'retry-later') continue;
      usable++;
      if (r.outcome === 'success' || r.outcome === 'failed') finished++;
    }
    return finished;
  };
  return Math.max(count('killed-stall'), count('killed-max'));
}
