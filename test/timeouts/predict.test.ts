import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config.js';
import type { RunOutcome, RunRecord } from '../../src/history/types.js';
import { CLASS_LEVELS, type ClassLevel } from '../../src/timeouts/classify.js';
import { type LevelHistory, type PredictorConfig, predictLimits } from '../../src/timeouts/predict.js';
import { configArb, finishedAt, historyArb, kindArb } from './history-arbitraries.js';

const defaults: PredictorConfig = configSchema.parse({}).predictor;
const NOW = 1_800_000_000_000;
const S = 1000;

let sequence = 0;
function run(seconds: number, outcome: RunOutcome = 'success', silenceSeconds = seconds / 10): RunRecord {
  sequence += 1;
  return {
    runId: `r${sequence}`,
    durationMs: seconds * S,
    longestSilenceMs: silenceSeconds * S,
    outcome,
    at: NOW - sequence,
  };
}

/** The same runs at every level, as for a class whose runs were all recorded under all its keys. */
function everyLevel(runs: RunRecord[]): LevelHistory[] {
  return CLASS_LEVELS.map((level) => ({ level, key: `${level}-key`, runs }));
}

function levels(byLevel: Partial<Record<ClassLevel, RunRecord[]>>): LevelHistory[] {
  return CLASS_LEVELS.map((level) => ({ level, key: `${level}-key`, runs: byLevel[level] ?? [] }));
}

/** A deterministic shuffle, so tests do not depend on the order runs were recorded in. */
function shuffled<T>(items: T[], seed = 7): T[] {
  const out = [...items];
  const random = rng(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

describe('cold start', () => {
  const durations = [55, 62, 58, 71, 49, 66, 60, 64, 57, 69, 52, 61, 63, 59, 70, 54, 65, 56, 68, 60];

  it.each([0, 1, 5, 19])('keeps the prior with %d runs of a class', (count) => {
    const p = predictLimits(everyLevel(durations.slice(0, count).map((d) => run(d))), 'build', defaults, NOW);
    expect(p.max.ms).toBe(1800 * S);
    expect(p.max.origin).toBe('prior');
    expect(p.stall.ms).toBe(300 * S);
    expect(p.max.level).toBeUndefined();
  });

  it('learns its own limit at 20 runs', () => {
    const runs = durations.map((d) => run(d));
    const p = predictLimits(everyLevel(runs), 'build', defaults, NOW);
    expect(p.max.origin).toBe('learned');
    expect(p.max.level).toBe('fingerprint');
    expect(p.max.ms).toBeLessThan(300 * S);
    expect(p.max.ms).toBeGreaterThanOrEqual(71 * S * 1.5);
    expect(p.trustedLevel).toBe('fingerprint');
    expect(p.next).toBeUndefined();
  });

  it('loosens beyond the prior as soon as a single run shows the task is longer', () => {
    const p = predictLimits(everyLevel([run(50 * 60)]), 'llm-agent', defaults, NOW);
    expect(p.max.ms).toBe(75 * 60 * S);
    expect(p.max.method).toBe('observed-max');
  });

  it('says how many more runs would let a level set its own limit', () => {
    const p = predictLimits(everyLevel(durations.slice(0, 5).map((d) => run(d))), 'build', defaults, NOW);
    expect(p.next).toEqual({ level: 'fingerprint', key: 'fingerprint-key', finished: 5, needed: 15 });
  });
});

describe('the conformal bound', () => {
  const oneToHundred = shuffled(Array.from({ length: 100 }, (_, i) => run(i + 1)));

  it('takes the k-th smallest of the recent runs with k = ceil((n+1)(1-alpha))', () => {
    const strict = predictLimits(everyLevel(oneToHundred), 'test', defaults, NOW);
    expect(strict.max).toMatchObject({ method: 'conformal', k: 100, n: 100, boundMs: 100 * S, ms: 150 * S });
    const loose = predictLimits(everyLevel(oneToHundred), 'test', { ...defaults, alpha: 0.1 }, NOW);
    expect(loose.max).toMatchObject({ method: 'conformal', k: 91, boundMs: 91 * S, ms: 136.5 * S });
    expect(loose.max.detail).toContain('k=91 of 100');
  });

  it('carries the numbers it used', () => {
    const p = predictLimits(everyLevel(oneToHundred), 'test', defaults, NOW);
    expect(p.max).toMatchObject({
      level: 'fingerprint',
      key: 'fingerprint-key',
      p50Ms: 50 * S,
      p90Ms: 90 * S,
      p99Ms: 99 * S,
      safetyFactor: 1.5,
      scaledMs: 150 * S,
      alpha: 0.01,
      clamp: { lowerMs: 10 * S, upperMs: 4 * 3600 * S },
    });
    // The newest run was recorded at NOW minus its sequence number.
    const newest = Math.max(...oneToHundred.map((r) => r.at));
    expect(p.levels[0]!.newestAgeMs).toBe(NOW - newest);
  });

  it('only looks at the most recent window of runs', () => {
    const recent = Array.from({ length: 100 }, () => run(10));
    const old = Array.from({ length: 100 }, () => run(1000));
    const p = predictLimits(everyLevel([...recent, ...old]), 'test', defaults, NOW);
    expect(p.max.ms).toBe(15 * S);
  });

  it('does not count rate-limited or stall-killed runs as samples, and counts failed ones', () => {
    const base = Array.from({ length: 100 }, () => run(10));
    const noisy = base.flatMap((r, i) =>
      i % 2 === 0 ? [r, run(5000, 'retry-later'), run(4000, 'killed-stall')] : [r],
    );
    expect(predictLimits(everyLevel(noisy), 'test', defaults, NOW).max.ms).toBe(15 * S);
    const withFailure = [run(100, 'failed'), ...base.slice(1)];
    expect(predictLimits(everyLevel(withFailure), 'test', defaults, NOW).max.ms).toBe(150 * S);
  });

  it('treats a run cut off by the max limit as at least that long', () => {
    const runs = [run(200, 'killed-max'), ...Array.from({ length: 99 }, () => run(10))];
    const every = { ...defaults, presumedHangRate: 0 };
    const p = predictLimits(everyLevel(runs), 'test', every, NOW);
    expect(p.max.ms).toBeGreaterThanOrEqual(300 * S);
    expect(p.max.censored).toBe(1);
  });
});

describe('runs cut off by the max limit', () => {
  const steady = (count: number) => Array.from({ length: count }, (_, i) => run(100 + (i % 10)));
  const cutOffs = (count: number, seconds = 2000) =>
    Array.from({ length: count }, () => run(seconds, 'killed-max'));

  it('presumes an occasional cut-off a hang, so hangs do not raise the limit', () => {
    const clean = predictLimits(everyLevel(steady(97)), 'build', defaults, NOW);
    const p = predictLimits(everyLevel(shuffled([...steady(97), ...cutOffs(3)])), 'build', defaults, NOW);
    expect(p.max.ms).toBe(clean.max.ms);
    expect(p.levels[0]!.dropped.presumedHung).toBe(3);
    expect(p.max.censored).toBe(0);
  });

  it('presumes the longest cut-offs hangs and counts the shortest beyond the presumed hang rate', () => {
    const runs = shuffled([...steady(92), ...cutOffs(5, 300), ...cutOffs(3, 2000)]);
    const p = predictLimits(everyLevel(runs), 'build', defaults, NOW);
    // 5 of 100 runs are presumed hangs, the longest: a hang's cut-off is as long as the limit it met, and
    // the longest limits are the ones earlier hangs raised. The 3 left at 300 s say "at least 300 s".
    expect(p.levels[0]!.dropped.presumedHung).toBe(5);
    expect(p.max.censored).toBe(3);
    expect(p.max.method).toBe('censored-floor');
    expect(p.max.ms).toBe(300 * S * defaults.safetyFactor);
  });

  it('presumes one cut-off a hang even below 20 runs', () => {
    const few = Array.from({ length: 8 }, (_, i) => run(60 + i));
    const p = predictLimits(everyLevel([run(1800, 'killed-max'), ...few]), 'build', defaults, NOW);
    expect(p.levels[0]!.dropped.presumedHung).toBe(1);
    expect(p.max.ms).toBe(1800 * S);
  });

  it('counts a cut-off at the limit it met, not at its duration with extensions and grace', () => {
    const cut: RunRecord = { ...run(1355, 'killed-max'), limitMs: 900 * S };
    const every = { ...defaults, presumedHangRate: 0 };
    const p = predictLimits(everyLevel([cut, ...steady(30)]), 'build', every, NOW);
    expect(p.max.boundMs).toBe(900 * S);
    expect(p.levels[0]!.duration.censored).toBe(1);
  });

  it('lets cut-offs lift a limit at most cutOffGrowth times the lowest limit they met', () => {
    const cuts = [600, 900, 1350, 2025].map((l) => ({ ...run(l * 1.5, 'killed-max'), limitMs: l * S }));
    const every = { ...defaults, presumedHangRate: 0 };
    const p = predictLimits(everyLevel([...cuts, ...steady(30)]), 'build', every, NOW);
    expect(p.max.method).toBe('censored-floor');
    expect(p.max.ms).toBe(2 * 600 * S);
    const wider = predictLimits(
      everyLevel([...cuts, ...steady(30)]),
      'build',
      { ...every, cutOffGrowth: 6 },
      NOW,
    );
    expect(wider.max.ms).toBe(2025 * S * 1.5);
  });

  it('raises the limit when a class gets much slower and most runs are cut off', () => {
    const p = predictLimits(everyLevel(shuffled([...steady(80), ...cutOffs(20)])), 'build', defaults, NOW);
    expect(p.max.ms).toBeGreaterThanOrEqual(2000 * S * defaults.safetyFactor);
  });

  it('counts every cut-off with presumedHangRate 0', () => {
    const every = { ...defaults, presumedHangRate: 0 };
    const p = predictLimits(everyLevel(shuffled([...steady(99), ...cutOffs(1)])), 'build', every, NOW);
    expect(p.levels[0]!.dropped.presumedHung).toBe(0);
    expect(p.max.ms).toBeGreaterThanOrEqual(2000 * S * defaults.safetyFactor);
  });

  it('learns a longer silence from stall kills once they are more than the occasional hang', () => {
    // An agent that used to answer within a minute now writes a file silently for 8 minutes every run.
    const history: RunRecord[] = Array.from({ length: 100 }, (_, i) => ({
      runId: `quick-${i}`,
      durationMs: 600 * S,
      longestSilenceMs: 60 * S,
      outcome: 'success' as const,
      at: i,
    }));
    const kills: number[] = [];
    for (let i = 0; i < 40; i++) {
      const { stall } = predictLimits(everyLevel(history), 'llm-agent', defaults, NOW);
      const killed = 480 * S > stall.ms;
      if (killed) kills.push(i);
      history.unshift({
        runId: `slow-${i}`,
        durationMs: killed ? stall.ms + 30 * S : 700 * S,
        longestSilenceMs: killed ? stall.ms : 480 * S,
        outcome: killed ? 'killed-stall' : 'success',
        at: 100 + i,
      });
    }
    // ceil(5% of 106) = 6 are presumed hangs; the 7th lifts the limit from 300 s to 450 s; the kills at
    // 450 s are the longest, so presumed hangs until they outnumber the presumed share; the 12th lifts it
    // to 600 s (at most cutOffGrowth × the lowest cut-off), above the new 480 s silences.
    expect(kills).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(predictLimits(everyLevel(history), 'llm-agent', defaults, NOW).stall.ms).toBeGreaterThan(480 * S);
  });

  it('keeps the stall limit where it was after an occasional stall-killed hang', () => {
    const runs = Array.from({ length: 97 }, (_, i) => run(200 + (i % 10), 'success', 100));
    const clean = predictLimits(everyLevel(runs), 'build', defaults, NOW);
    const hangs = Array.from({ length: 3 }, () => run(900, 'killed-stall', 800));
    const p = predictLimits(everyLevel(shuffled([...runs, ...hangs])), 'build', defaults, NOW);
    expect(p.stall.ms).toBe(clean.stall.ms);
    expect(p.max.ms).toBe(clean.max.ms);
  });

  it('lets a thin level leave cut-offs its trusted parent already weighed to the parent', () => {
    // A fingerprint with 10 runs holds 2 of the template's 3 stall-killed hangs; the template's 100 runs
    // presume them hangs, and the fingerprint must not lift the limit by judging them among 10 runs.
    const template = Array.from({ length: 97 }, (_, i) => run(2000 + (i % 10), 'success', 20));
    const hangs = Array.from({ length: 3 }, () => run(450, 'killed-stall', 300));
    const withHangs = shuffled([...template, ...hangs]);
    const fingerprint = [hangs[0]!, ...template.slice(0, 8), hangs[1]!];
    const clean = predictLimits(levels({ template, verb: template }), 'llm-agent', defaults, NOW);
    const p = predictLimits(
      levels({ fingerprint, template: withHangs, verb: withHangs }),
      'llm-agent',
      defaults,
      NOW,
    );
    expect(p.stall.ms).toBe(clean.stall.ms);
    // A thin level whose cut-offs its parent never saw (a new command under a busy verb) still counts them.
    const fresh = [run(900, 'killed-stall', 600), run(900, 'killed-stall', 600), run(2000, 'success', 20)];
    const q = predictLimits(levels({ fingerprint: fresh, verb: template }), 'llm-agent', defaults, NOW);
    expect(q.stall.ms).toBe(600 * S * defaults.safetyFactor);
  });

  it('does not ratchet a class that hangs now and then up to the cap', () => {
    // The runner's loop: each run gets a limit; a hang runs until the limit plus both extensions.
    const random = rng(5);
    const history: RunRecord[] = [];
    let highest = 0;
    for (let i = 0; i < 600; i++) {
      const p = predictLimits(everyLevel(history), 'build', defaults, NOW);
      if (i >= 100) highest = Math.max(highest, p.max.ms);
      const hang = random() < 0.02;
      const duration = 100 * S * Math.exp(0.2 * gaussian(random));
      const killedAt = p.max.ms + p.extension.times * p.extension.byMs;
      const killed = hang || duration > killedAt;
      history.unshift({
        runId: `h${i}`,
        durationMs: killed ? killedAt : duration,
        longestSilenceMs: 1000,
        outcome: killed ? 'killed-max' : 'success',
        at: i,
      });
      if (history.length > 256) history.pop();
    }
    // Every-cut-off counting climbs ~2.25x per hang to the 4 h cap; the p99.9 of these runs is ~186 s.
    expect(highest).toBeLessThan(10 * 60 * S);
  });
});

describe('cut-offs presumed hangs and the room of a run still progressing', () => {
  /** The runner's loop over a ~40 s class with rare slow runs that keep working and rare busy loops. */
  function replay(fixedRoom: boolean) {
    const random = rng(11);
    const history: RunRecord[] = [];
    let slowKilled = 0;
    let slowRuns = 0;
    let highestMax = 0;
    let highestReach = 0;
    for (let i = 0; i < 700; i++) {
      const p = predictLimits(everyLevel(history), 'llm-agent', defaults, NOW);
      const byMs = fixedRoom ? Math.round(p.max.ms * defaults.extensionFraction) : p.extension.byMs;
      const reach = p.max.ms + p.extension.times * byMs;
      if (i >= 150) {
        highestMax = Math.max(highestMax, p.max.ms);
        highestReach = Math.max(highestReach, reach);
      }
      // 2% of the runs work (CPU, I/O) for 4 min without printing, 1.5% spin forever: 3.5% of the
      // window in cut-offs, all within the 5% presumed hangs.
      const slow = i >= 150 && i % 50 === 0;
      const hang = i % 67 === 33;
      const duration = slow ? 240 * S : 40 * S * Math.exp(0.3 * gaussian(random));
      if (slow) slowRuns++;
      const killed = hang || duration > reach;
      if (slow && killed) slowKilled++;
      history.unshift({
        runId: `s${i}`,
        durationMs: killed ? reach : duration,
        longestSilenceMs: 5 * S,
        outcome: killed ? 'killed-max' : 'success',
        at: i,
        ...(killed ? { limitMs: p.max.ms } : {}),
      });
      if (history.length > 256) history.pop();
    }
    return { slowKilled, slowRuns, highestMax, highestReach };
  }

  it('learns rare slow runs that keep working instead of presuming every one of them a hang', () => {
    // With the usual extensions each slow run is cut off at the max limit, presumed a hang and never learned.
    const usual = replay(true);
    expect(usual.slowKilled).toBe(usual.slowRuns);
    const { slowKilled, slowRuns } = replay(false);
    expect(slowRuns).toBe(11);
    expect(slowKilled).toBeLessThanOrEqual(2);
  });

  it('keeps the room bounded while the class hangs now and then', () => {
    const { highestMax, highestReach } = replay(false);
    // Runs of ~40 s (p99.9 ~100 s) and 4 min: the max follows the finished runs, the room stays within
    // the limit every cut-off would set (at most cutOffGrowth times the limits they met) with its extensions.
    expect(highestMax).toBeLessThan(10 * 60 * S);
    expect(highestReach).toBeLessThan(15 * 60 * S);
  });

  it('leaves the max limit where the presumed hangs put it, and widens only the extensions', () => {
    const quick = Array.from({ length: 100 }, (_, i) => run(30 + (i % 20)));
    const cutOffs = [1, 2, 3].map(
      (i): RunRecord => ({ ...run(110, 'killed-max'), runId: `cut-${i}`, limitMs: 73.5 * S }),
    );
    const p = predictLimits(everyLevel([...cutOffs, ...quick.slice(3)]), 'llm-agent', defaults, NOW);
    const clean = predictLimits(everyLevel(quick.slice(3)), 'llm-agent', defaults, NOW);
    expect(p.max.ms).toBe(clean.max.ms);
    expect(p.stall.ms).toBe(clean.stall.ms);
    const counted = predictLimits(
      everyLevel([...cutOffs, ...quick.slice(3)]),
      'llm-agent',
      { ...defaults, presumedHangRate: 0 },
      NOW,
    );
    expect(counted.max.ms).toBeGreaterThan(p.max.ms);
    expect(p.max.ms + p.extension.times * p.extension.byMs).toBe(
      counted.max.ms + counted.extension.times * counted.extension.byMs,
    );
  });

  it('never gives a run still progressing at the max limit less room than if no cut-off were presumed a hang', () => {
    fc.assert(
      fc.property(historyArb(40), configArb, kindArb, (history, config, kind) => {
        const p = predictLimits(history, kind, config, NOW);
        const counted = predictLimits(history, kind, { ...config, presumedHangRate: 0 }, NOW);
        expect(p.extension.times).toBe(config.extensionTimes);
        expect(p.extension.byMs).toBeGreaterThanOrEqual(Math.round(p.max.ms * config.extensionFraction));
        expect(p.max.ms + p.extension.times * p.extension.byMs).toBeGreaterThanOrEqual(
          counted.max.ms + counted.extension.times * counted.extension.byMs,
        );
      }),
      { numRuns: 400 },
    );
  });
});

describe('levels', () => {
  const verbRuns = Array.from({ length: 200 }, (_, i) => run(400 + (i % 40) * 10));

  it('lets a level with enough runs of its own tighten below its parent', () => {
    const quick = Array.from({ length: 30 }, (_, i) => run(20 + (i % 5)));
    const p = predictLimits(
      levels({ template: quick, verb: verbRuns, tool: verbRuns, kind: verbRuns }),
      'llm-agent',
      defaults,
      NOW,
    );
    expect(p.max.level).toBe('template');
    expect(p.max.ms).toBeLessThan(100 * S);
  });

  it('lets a level with few runs loosen its parent, never tighten it', () => {
    const parentOnly = predictLimits(
      levels({ verb: verbRuns, tool: verbRuns, kind: verbRuns }),
      'llm-agent',
      defaults,
      NOW,
    );
    const quickFew = predictLimits(
      levels({ fingerprint: [run(5), run(6), run(5)], verb: verbRuns, tool: verbRuns, kind: verbRuns }),
      'llm-agent',
      defaults,
      NOW,
    );
    expect(quickFew.max.ms).toBe(parentOnly.max.ms);
    expect(quickFew.max.level).toBe('verb');
    const slowFew = predictLimits(
      levels({
        fingerprint: [run(3000), run(3100), run(2900)],
        verb: verbRuns,
        tool: verbRuns,
        kind: verbRuns,
      }),
      'llm-agent',
      defaults,
      NOW,
    );
    expect(slowFew.max.ms).toBeGreaterThan(parentOnly.max.ms);
    expect(slowFew.max.level).toBe('fingerprint');
  });

  it('never lets the tool or kind level tighten a never-seen command below the prior', () => {
    // Hundreds of quick runs of other commands of the same kind (a demo, a smoke test) say nothing about it.
    const others = Array.from({ length: 300 }, (_, i) => run(3 + (i % 6), 'success', 1));
    const p = predictLimits(levels({ tool: others, kind: others }), 'llm-agent', defaults, NOW);
    expect(p.max).toMatchObject({ ms: 1800 * S, origin: 'prior' });
    expect(p.stall).toMatchObject({ ms: 600 * S, origin: 'prior' });
    expect(p.trustedLevel).toBeUndefined();
    // What would let it tighten is the command's own level, not the kind level that already has 300.
    expect(p.next?.level).toBe('fingerprint');
  });

  it('lets the tool or kind level loosen a never-seen command above the prior', () => {
    const slow = Array.from({ length: 100 }, (_, i) => run(3000 + i * 10, 'success', 700));
    const p = predictLimits(levels({ kind: slow }), 'llm-agent', defaults, NOW);
    expect(p.max.level).toBe('kind');
    expect(p.max.ms).toBe(3990 * S * 1.5);
    expect(p.stall.ms).toBeGreaterThan(600 * S);
  });

  it.each(['template', 'verb'] as const)(
    "lets the command's own %s level with enough runs tighten below the prior",
    (own) => {
      const quick = Array.from({ length: 20 }, (_, i) => run(30 + i, 'success', 2));
      const others = Array.from({ length: 300 }, (_, i) => run(3 + (i % 6), 'success', 1));
      const p = predictLimits(levels({ [own]: quick, tool: others, kind: others }), 'build', defaults, NOW);
      expect(p.max.level).toBe(own);
      expect(p.max.origin).toBe('learned');
      expect(p.max.ms).toBeLessThan(300 * S);
      expect(p.trustedLevel).toBe(own);
    },
  );

  it("borrows the nearest trusted level's spread for a level with few runs", () => {
    const spread = Array.from({ length: 100 }, (_, i) => run(i % 2 === 0 ? 40 : 80));
    const p = predictLimits(
      levels({ fingerprint: [run(200), run(210), run(190)], verb: spread }),
      'build',
      defaults,
      NOW,
    );
    expect(p.max.method).toBe('borrowed');
    expect(p.max.origin).toBe('borrowed');
    expect(p.max.borrowedFrom?.level).toBe('verb');
    // verb: bound 80 s (k = n = 100: its longest), median 60 s → spread 4/3; fingerprint median 200 s.
    expect(p.max.borrowedFrom?.ratio).toBeCloseTo(4 / 3, 9);
    expect(p.max.ms).toBe(Math.round(((200 * 4) / 3) * 1.5 * S));
  });
});

describe('clamps, stall limit and extension', () => {
  it('clamps the max limit to the floor and the cap', () => {
    const fast = predictLimits(
      everyLevel(Array.from({ length: 100 }, () => run(0.1))),
      'test',
      defaults,
      NOW,
    );
    expect(fast.max).toMatchObject({ ms: 10 * S, origin: 'config-default', clamp: { applied: 'floor' } });
    const slow = predictLimits(
      everyLevel(Array.from({ length: 100 }, () => run(10 * 3600))),
      'test',
      defaults,
      NOW,
    );
    expect(slow.max).toMatchObject({ ms: 4 * 3600 * S, clamp: { applied: 'cap' } });
  });

  it('learns the stall limit from the longest silences of runs', () => {
    const runs = Array.from({ length: 100 }, (_, i) => run(1000, 'success', 300 + i));
    const p = predictLimits(everyLevel(runs), 'llm-agent', defaults, NOW);
    expect(p.stall).toMatchObject({
      method: 'conformal',
      origin: 'learned',
      boundMs: 399 * S,
      ms: 598.5 * S,
    });
  });

  it('keeps an agent stall limit at the floor even when runs are chatty', () => {
    const runs = Array.from({ length: 100 }, () => run(1000, 'success', 5));
    const p = predictLimits(everyLevel(runs), 'llm-agent', defaults, NOW);
    expect(p.stall).toMatchObject({
      ms: 300 * S,
      origin: 'config-default',
      clamp: { applied: 'stall-floor' },
    });
  });

  it('never sets the stall limit above the max limit', () => {
    const runs = Array.from({ length: 100 }, () => run(20, 'success', 2));
    const p = predictLimits(everyLevel(runs), 'build', defaults, NOW);
    expect(p.max.ms).toBe(30 * S);
    expect(p.stall).toMatchObject({ ms: 30 * S, clamp: { applied: 'max-limit' } });
  });

  it('offers soft extensions sized from the max limit', () => {
    const p = predictLimits(
      everyLevel([]),
      'test',
      { ...defaults, extensionTimes: 3, extensionFraction: 0.5 },
      NOW,
    );
    expect(p.extension).toEqual({ times: 3, byMs: 600 * S });
  });
});

describe('drift', () => {
  /** Replays runs through the predictor the way the runner does: each run gets a limit, then is recorded. */
  function replay(medians: (i: number) => number, count: number, seed: number) {
    const random = rng(seed);
    const history: RunRecord[] = [];
    const limits: number[] = [];
    const kills: number[] = [];
    for (let i = 0; i < count; i++) {
      const limit = predictLimits(everyLevel(history), 'build', defaults, NOW).max.ms;
      const duration = medians(i) * Math.exp(0.3 * gaussian(random));
      const killed = duration > limit;
      if (killed) kills.push(i);
      limits.push(limit);
      history.unshift({
        runId: `d${i}`,
        durationMs: killed ? limit : duration,
        longestSilenceMs: duration / 10,
        outcome: killed ? 'killed-max' : 'success',
        at: i,
      });
      if (history.length > 256) history.pop();
    }
    return { limits, kills };
  }

  it('recovers within a few dozen runs after the task becomes twice as slow', () => {
    const change = 300;
    const { limits, kills } = replay((i) => (i < change ? 60 * S : 120 * S), 600, 11);
    // The slower runs' 99.9th percentile: the limit must sit above it again, and stay there.
    const newP999 = 120 * S * Math.exp(0.3 * 3.09);
    let recoveredAt = change;
    for (let i = change; i < limits.length; i++) if (limits[i]! < newP999) recoveredAt = i + 1;
    // Finished runs drive the recovery; the few cut-offs on the way are presumed hangs and do not speed it.
    expect(recoveredAt - change).toBeLessThanOrEqual(40);
    expect(kills.filter((i) => i >= change).length).toBeLessThanOrEqual(4);
    expect(kills.filter((i) => i >= 20 && i < change).length).toBeLessThanOrEqual(3);
  });

  it('tightens again within one window after the task becomes twice as fast', () => {
    const change = 300;
    const { limits } = replay((i) => (i < change ? 120 * S : 60 * S), 500, 12);
    const settled = limits[change + defaults.window + 1]!;
    expect(settled).toBeLessThan(limits[change - 1]! * 0.75);
  });
});

// --- properties ---------------------------------------------------------------------------------

describe('predictor properties', () => {
  it('stays within floor and cap, keeps stall <= max, and never returns NaN', () => {
    fc.assert(
      fc.property(historyArb(60), configArb, kindArb, (history, config, kind) => {
        const p = predictLimits(history, kind, config, NOW);
        expect(Number.isInteger(p.max.ms)).toBe(true);
        expect(p.max.ms).toBeGreaterThanOrEqual(Math.floor(config.floorSeconds * S));
        expect(p.max.ms).toBeLessThanOrEqual(Math.ceil(config.capSeconds * S));
        expect(p.stall.ms).toBeLessThanOrEqual(p.max.ms);
        expect(p.stall.ms).toBeGreaterThan(0);
        const stallLower = Math.max(config.floorSeconds, config.stallFloorSeconds[kind]) * S;
        expect(p.stall.ms).toBeGreaterThanOrEqual(
          Math.min(p.max.ms, Math.min(stallLower, config.capSeconds * S)) - 1,
        );
        expect(Number.isFinite(p.extension.byMs)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('is monotonic in alpha: a smaller miss rate never gives a tighter limit', () => {
    fc.assert(
      fc.property(
        historyArb(60),
        configArb,
        kindArb,
        fc.double({ min: 0.005, max: 0.45, noNaN: true }),
        (history, config, kind, other) => {
          const [low, high] = config.alpha <= other ? [config.alpha, other] : [other, config.alpha];
          const strict = predictLimits(history, kind, { ...config, alpha: low }, NOW);
          const loose = predictLimits(history, kind, { ...config, alpha: high }, NOW);
          expect(strict.max.ms).toBeGreaterThanOrEqual(loose.max.ms);
          expect(strict.stall.ms).toBeGreaterThanOrEqual(loose.stall.ms);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('never tightens a limit when a run is cut off at the limit it was given', () => {
    const cutArb = fc.record({
      overrun: fc.double({ min: 1, max: 3, noNaN: true }),
      silence: fc.double({ min: 0, max: 1, noNaN: true }),
      outcome: fc.constantFrom<RunOutcome>('killed-max', 'killed-stall'),
    });
    fc.assert(
      fc.property(historyArb(40), configArb, kindArb, cutArb, (history, config, kind, cut) => {
        // Within one window, so that adding a run does not push an old one out.
        const roomy = { ...config, window: Math.max(config.window, 150) };
        const before = predictLimits(history, kind, roomy, NOW);
        // As the runner records it: the duration holds extensions and grace, the limit is the one in force.
        const byMax = cut.outcome === 'killed-max';
        const limitMs = byMax ? before.max.ms : before.stall.ms;
        const durationMs = byMax
          ? limitMs * cut.overrun
          : before.stall.ms + (before.max.ms - before.stall.ms) * cut.silence;
        const cutOff: RunRecord = {
          runId: 'cut',
          durationMs,
          longestSilenceMs: byMax ? durationMs * cut.silence : limitMs,
          outcome: cut.outcome,
          at: NOW,
          limitMs,
        };
        const after = predictLimits(
          history.map((l) => ({ ...l, runs: [cutOff, ...l.runs] })),
          kind,
          roomy,
          NOW,
        );
        expect(after.max.ms).toBeGreaterThanOrEqual(before.max.ms);
        expect(after.stall.ms).toBeGreaterThanOrEqual(before.stall.ms);
      }),
      { numRuns: 400 },
    );
  });

  it('never lets removing runs push a limit below what the prior gives', () => {
    fc.assert(
      fc.property(
        historyArb(40),
        configArb,
        kindArb,
        fc.array(fc.array(fc.boolean(), { maxLength: 40 }), { minLength: 5, maxLength: 5 }),
        (history, config, kind, keep) => {
          const prior = predictLimits(levels({}), kind, config, NOW);
          const thinned = history.map((l, i) => ({
            ...l,
            runs: l.runs.filter((_, j) => keep[i]![j] ?? false),
          }));
          const p = predictLimits(thinned, kind, config, NOW);
          if (thinned.every((l) => finishedAt(l, config.window) < config.minSamples)) {
            expect(p.max.ms).toBeGreaterThanOrEqual(prior.max.ms);
            expect(p.stall.ms).toBeGreaterThanOrEqual(prior.stall.ms);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it("never goes below the prior unless a level of the command's own has enough finished runs", () => {
    fc.assert(
      fc.property(historyArb(40), configArb, kindArb, (history, config, kind) => {
        const own = history.slice(0, 3);
        fc.pre(own.every((l) => finishedAt(l, config.window) < config.minSamples));
        const prior = predictLimits(levels({}), kind, config, NOW);
        const p = predictLimits(history, kind, config, NOW);
        expect(p.max.ms).toBeGreaterThanOrEqual(prior.max.ms);
        expect(p.stall.ms).toBeGreaterThanOrEqual(prior.stall.ms);
      }),
      { numRuns: 400 },
    );
  });

  it('lets the runs of a level with too few of them only loosen the limit', () => {
    fc.assert(
      fc.property(
        historyArb(40),
        configArb,
        kindArb,
        fc.integer({ min: 0, max: 4 }),
        (history, config, kind, index) => {
          fc.pre(finishedAt(history[index]!, config.window) < config.minSamples);
          const withThin = predictLimits(history, kind, config, NOW);
          const without = predictLimits(
            history.map((l, i) => (i === index ? { ...l, runs: [] } : l)),
            kind,
            config,
            NOW,
          );
          expect(withThin.max.ms).toBeGreaterThanOrEqual(without.max.ms);
          expect(withThin.stall.ms).toBeGreaterThanOrEqual(without.stall.ms);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('is pure: same input, same output, inputs untouched', () => {
    fc.assert(
      fc.property(historyArb(30), configArb, kindArb, (history, config, kind) => {
        for (const level of history) {
          for (const r of level.runs) Object.freeze(r);
          Object.freeze(level.runs);
        }
        const a = predictLimits(history, kind, config, NOW);
        const b = predictLimits(history, kind, config, NOW);
        expect(b).toEqual(a);
        // Reports and explain-timeout serialise the prediction: nothing may be lost on the way.
        expect(JSON.parse(JSON.stringify(a))).toEqual(a);
      }),
      { numRuns: 200 },
    );
  });
});

describe('quiet limit (time with nothing new)', () => {
  function quietRun(seconds: number, quietSeconds: number, outcome: RunOutcome = 'success'): RunRecord {
    return {
      ...run(seconds, outcome, Math.min(quietSeconds, seconds / 10)),
      longestQuietMs: quietSeconds * S,
    };
  }

  it('gives a never-seen command none: CPU and I/O count up to the max limit', () => {
    const p = predictLimits(everyLevel([]), 'llm-agent', defaults, NOW);
    expect(p.quiet).toBeUndefined();
  });

  it('sets one from the command’s own runs, never below the per-kind quiet floor', () => {
    const runs = shuffled(Array.from({ length: 120 }, (_, i) => quietRun(3000 + i * 10, 60 + (i % 40))));
    const p = predictLimits(everyLevel(runs), 'llm-agent', defaults, NOW);
    expect(p.max.ms).toBeGreaterThan(1800 * S);
    expect(p.quiet).toMatchObject({
      ms: 1800 * S,
      origin: 'config-default',
      clamp: { applied: 'quiet-floor' },
    });
    expect(p.quiet!.detail).toMatch(/quiet floor of 30m00s \(predictor\.quietFloorSeconds\)/);
  });

  it('follows a class whose runs are quiet for long, at its bound × the safety factor', () => {
    const runs = shuffled(Array.from({ length: 120 }, (_, i) => quietRun(9000 + i * 10, 1500 + i)));
    const p = predictLimits(everyLevel(runs), 'build', defaults, NOW);
    expect(p.quiet!.origin).toBe('learned');
    expect(p.quiet!.ms).toBeGreaterThanOrEqual(1619 * 1.5 * S);
    expect(p.quiet!.ms).toBeLessThan(p.max.ms);
    expect(p.quiet!.detail).toMatch(/runs’ longest quiet stretches/);
  });

  it('is not learned from records that predate the quiet stretch', () => {
    const old = Array.from({ length: 120 }, (_, i) => run(3000 + i * 10, 'success', 30));
    const p = predictLimits(everyLevel(old), 'llm-agent', defaults, NOW);
    // Only the prior speaks for the quiet stretch: the max prior, below the learned max limit.
    expect(p.max.ms).toBeGreaterThan(1800 * S);
    expect(p.quiet).toMatchObject({ ms: 1800 * S, origin: 'prior' });
  });

  it('lets runs of other commands at the tool and kind levels only raise it above the max prior', () => {
    const others = Array.from({ length: 120 }, (_, i) => quietRun(9000 + i * 10, 30));
    const p = predictLimits(levels({ tool: others, kind: others }), 'llm-agent', defaults, NOW);
    expect(p.quiet === undefined || p.quiet.ms >= 1800 * S).toBe(true);
  });

  it('whenever there is one: at least the stall limit and the quiet floor, below the max limit', () => {
    fc.assert(
      fc.property(historyArb(40), configArb, kindArb, (history, config, kind) => {
        const p = predictLimits(history, kind, config, NOW);
        if (p.quiet === undefined) return;
        expect(p.quiet.ms).toBeGreaterThanOrEqual(p.stall.ms);
        expect(p.quiet.ms).toBeGreaterThanOrEqual(config.quietFloorSeconds[kind] * S);
        expect(p.quiet.ms).toBeLessThan(p.max.ms);
      }),
      { numRuns: 300 },
    );
  });
});
