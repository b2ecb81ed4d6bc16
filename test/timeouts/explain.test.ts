import { describe, expect, it } from 'vitest';
import { type Config, configSchema } from '../../src/config.js';
import { MemoryHistoryStore } from '../../src/history/memory-store.js';
import type { RunRecord } from '../../src/history/types.js';
import { classify } from '../../src/timeouts/classify.js';
import { explainTimeout, formatExplanation } from '../../src/timeouts/explain.js';
import { PlanCache } from '../../src/timeouts/plan-cache.js';
import type { PlanInput } from '../../src/timeouts/types.js';

const config: Config = configSchema.parse({});
const NOW = 1_800_000_000_000;
const S = 1000;
const ESC = String.fromCharCode(27);

function task(argv: string[], extra: Partial<PlanInput> = {}): PlanInput {
  return { argv, shell: false, cwd: '/work/repo', timeout: {}, agent: 'none', ...extra };
}

function run(id: string, seconds: number, at: number): RunRecord {
  return { runId: id, durationMs: seconds * S, longestSilenceMs: (seconds / 4) * S, outcome: 'success', at };
}

/** 150 runs of other prompts under `claude -p`, and three of this prompt. */
async function agentHistory(input: PlanInput): Promise<MemoryHistoryStore> {
  const store = new MemoryHistoryStore({ maxRunsPerClass: 256 });
  const keys = classify(input, []).levels.map((l) => l.key);
  for (let i = 0; i < 150; i++) {
    await store.record(keys.slice(2), run(`other-${i}`, 60 + (i % 30) * 4, NOW - 3_600_000 + i));
  }
  for (let i = 0; i < 3; i++) await store.record(keys, run(`own-${i}`, 90, NOW - 60_000 + i));
  return store;
}

const essay = task(['claude', '-p', 'Write a 2000-word essay about tides', '--model', 'opus']);

describe('explainTimeout', () => {
  it('names the class at every level, the level used, why, and what would change it', async () => {
    const e = await explainTimeout(essay, await agentHistory(essay), config, NOW);
    expect(e.class).toMatchObject({
      kind: 'llm-agent',
      verb: 'claude -p',
      category: 'long-generation',
      model: 'opus',
    });
    expect(e.levels.map((l) => [l.level, l.runs])).toEqual([
      ['fingerprint', 3],
      ['template', 3],
      // Only the most recent window of runs is read.
      ['verb', 100],
      ['tool', 100],
      ['kind', 100],
    ]);
    expect(e.usedLevel).toBe('verb');
    expect(e.why).toMatch(/verb is the most specific level with at least 20 finished runs/);
    expect(e.why).toMatch(/fingerprint has 3/);
    expect(e.next).toMatchObject({ level: 'fingerprint', finished: 3, needed: 17 });
    expect(e.next?.message).toMatch(/17 more finished runs/);
    const verb = e.levels[2]!;
    expect(verb).toMatchObject({ usedForMax: true, trusted: true, finished: 100 });
    expect(verb.p50Ms).toBeDefined();
    expect(verb.p99Ms).toBeGreaterThanOrEqual(verb.p90Ms!);
    expect(e.max.predicted).toMatchObject({ method: 'conformal', k: 100, n: 100, safetyFactor: 1.5 });
    expect(e.max.ms).toBe(e.max.predicted.ms);
    expect(e.stall.ms).toBeLessThanOrEqual(e.max.ms);
    expect(e.settings).toEqual({ alpha: 0.01, safetyFactor: 1.5, minSamples: 20, window: 100 });
  });

  it('is plain JSON', async () => {
    const e = await explainTimeout(essay, await agentHistory(essay), config, NOW);
    expect(JSON.parse(JSON.stringify(e))).toEqual(e);
  });

  it('says when only the prior applies', async () => {
    const e = await explainTimeout(
      task(['cargo', 'build']),
      new MemoryHistoryStore({ maxRunsPerClass: 256 }),
      config,
      NOW,
    );
    expect(e.usedLevel).toBe('prior');
    expect(e.why).toMatch(/no runs of this class yet/);
    expect(e.max).toMatchObject({ ms: 1800 * S, source: { origin: 'prior' } });
    expect(e.next).toMatchObject({ level: 'fingerprint', needed: 20 });
  });

  it('shows the suite limits when the suite fixes them', async () => {
    const fixed = task(['cargo', 'build'], { timeout: { max: 120 } });
    const e = await explainTimeout(fixed, new MemoryHistoryStore({ maxRunsPerClass: 256 }), config, NOW);
    expect(e.max).toMatchObject({ ms: 120 * S, fixedBySuite: true, source: { origin: 'suite' } });
    expect(e.max.predicted.ms).toBe(1800 * S);
  });
});

describe('formatExplanation', () => {
  it('prints the class, the levels and both limits as readable lines', async () => {
    const text = formatExplanation(
      await explainTimeout(essay, await agentHistory(essay), config, NOW),
      false,
    );
    expect(text).not.toContain(ESC);
    expect(text).toContain("claude -p 'Write a 2000-word essay about tides' --model opus");
    expect(text).toMatch(/llm-agent · claude -p · category long-generation/);
    for (const level of ['fingerprint', 'template', 'verb', 'tool', 'kind'])
      expect(text).toMatch(new RegExp(`\\b${level}\\b`));
    expect(text).toMatch(/▶ verb .*← max, stall/);
    expect(text).toMatch(/^Max limit +\S+/m);
    expect(text).toMatch(/^Stall limit +\S+/m);
    expect(text).toMatch(/^Next +17 more finished runs/m);
    expect(text).toMatch(/^Max numbers +conformal at verb · n 100 · k 100/m);
  });

  it('shows the quiet limit a long class learned, and says when a task has none', async () => {
    const input = task(['make', 'release']);
    const store = new MemoryHistoryStore({ maxRunsPerClass: 256 });
    const keys = classify(input, []).levels.map((l) => l.key);
    for (let i = 0; i < 100; i++) {
      await store.record(keys, {
        ...run(`r-${i}`, 7200 + i, NOW - 10_000 + i),
        longestSilenceMs: 60 * S,
        longestQuietMs: (900 + i) * S,
      });
    }
    const e = await explainTimeout(input, store, config, NOW);
    expect(e.quiet?.ms).toBe(Math.round(999 * 1.5 * S));
    expect(formatExplanation(e, false)).toMatch(
      /^Quiet limit +24m58s +learned: conformal bound \(k=100 of 100 runs’ longest quiet stretches\) at fingerprint level/m,
    );
    const fresh = await explainTimeout(task(['ninja', 'docs']), store, config, NOW);
    expect(fresh.quiet).toBeUndefined();
    expect(formatExplanation(fresh, false)).toMatch(
      /^Quiet limit +none +CPU, I\/O and repeated output keep/m,
    );
  });

  it('says how many cut-offs it presumed hung instead of loosening the limit', async () => {
    const input = task(['npm', 'test']);
    const store = new MemoryHistoryStore({ maxRunsPerClass: 256 });
    const keys = classify(input, []).levels.map((l) => l.key);
    for (let i = 0; i < 98; i++) await store.record(keys, run(`ok-${i}`, 60 + (i % 7), NOW - 10_000 + i));
    for (let i = 0; i < 2; i++) {
      await store.record(keys, { ...run(`cut-${i}`, 900, NOW - 100 + i), outcome: 'killed-max' });
    }
    const e = await explainTimeout(input, store, config, NOW);
    expect(e.levels[0]!.dropped.presumedHung).toBe(2);
    expect(e.max.ms).toBeLessThan(900 * S);
    expect(formatExplanation(e, false)).toMatch(/^Max numbers .*· 2 cut-offs presumed hung ·/m);
    // A run still working at the max limit may go on to where counting those cut-offs would put it.
    expect(e.extension.widened).toBe(true);
    expect(e.max.ms + e.extension.times * e.extension.byMs).toBeGreaterThan(900 * S);
    expect(formatExplanation(e, false)).toMatch(
      /^Extension +up to 2 × .* \(wider than usual: cut-offs presumed hung/m,
    );
  });

  it('shows cut-offs as the evidence they are: at least the limit they met', async () => {
    const input = task(['npm', 'test']);
    const store = new MemoryHistoryStore({ maxRunsPerClass: 256 });
    const keys = classify(input, []).levels.map((l) => l.key);
    for (let i = 0; i < 30; i++) await store.record(keys, run(`ok-${i}`, 60 + (i % 7), NOW - 10_000 + i));
    for (let i = 0; i < 4; i++) {
      const cut: RunRecord = {
        ...run(`cut-${i}`, 1400, NOW - 100 + i),
        outcome: 'killed-max',
        limitMs: 900 * S,
      };
      await store.record(keys, cut);
    }
    const e = await explainTimeout(input, store, config, NOW);
    expect(e.max.predicted.method).toBe('censored-floor');
    expect(formatExplanation(e, false)).toMatch(
      /^Max numbers .*· 2 cut-offs counted as ≥ 15m00s · 2 cut-offs presumed hung/m,
    );
  });

  it('says what stood in for history that could not be read', async () => {
    const input = task(['npm', 'test']);
    const cache = new PlanCache({ size: 10 });
    const key = classify(input, []).levels[0]!.key;
    cache.remember(key, { maxMs: 5400 * S, stallMs: 900 * S, at: Date.UTC(2026, 11, 1, 8, 15) });
    const broken = new MemoryHistoryStore({ maxRunsPerClass: 256 });
    broken.recent = () => Promise.reject(new Error('database disk image is malformed'));
    const e = await explainTimeout(input, broken, config, NOW, { planCache: cache });
    expect(e.max.ms).toBe(5400 * S);
    expect(e.stall.ms).toBe(900 * S);
    expect(e.history.fallback?.max).toBe('last-plan');
    expect(formatExplanation(e, false)).toMatch(
      /^Warning .*store unavailable: using the last plan for this class from 2026-12-01T08:15Z/m,
    );
    const without = await explainTimeout(input, broken, config, NOW);
    expect(without.max.ms).toBe(config.predictor.capSeconds * S);
    expect(formatExplanation(without, false)).toMatch(
      /^Warning .*no earlier plan for this class: using the cap/m,
    );
  });

  it('says a general level holds runs of other commands and cannot tighten the prior', async () => {
    const input = task(['claude', '-p', 'Write a 5000 word story about a lighthouse']);
    const store = new MemoryHistoryStore({ maxRunsPerClass: 256 });
    const kindKey = classify(input, []).levels[4]!.key;
    for (let i = 0; i < 60; i++) await store.record([kindKey], run(`demo-${i}`, 2 + (i % 6), NOW - 1000 + i));
    const e = await explainTimeout(input, store, config, NOW);
    expect(e.max).toMatchObject({ ms: 1800 * S, source: { origin: 'prior' } });
    expect(e.stall.ms).toBe(600 * S);
    expect(e.why).toMatch(/kind level holds enough runs, but of other commands/);
    expect(e.next?.level).not.toBe('kind');
  });

  it('colours only when asked', async () => {
    const e = await explainTimeout(essay, await agentHistory(essay), config, NOW);
    expect(formatExplanation(e, true)).toContain(`${ESC}[`);
  });
});
