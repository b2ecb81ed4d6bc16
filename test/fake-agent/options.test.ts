import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/fake-agent/duration.js';
import { parseFakeAgentOptions } from '../../src/fake-agent/options.js';
import { createRng, jitter } from '../../src/fake-agent/rng.js';

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['4s', 4000],
    ['1.5s', 1500],
    ['2m', 120_000],
    ['3', 3000],
    ['0', 0],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 's', '-1s', '4 seconds', '1e3ms'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('parseFakeAgentOptions', () => {
  it('reads the claude flags and the fake ones', () => {
    const options = parseFakeAgentOptions([
      '-p',
      'write a poem',
      '--output-format=stream-json',
      '--verbose',
      '--model',
      'opus',
      '--fake-duration',
      '4s',
      '--fake-fail',
      'hang-after:3,ignore-sigterm',
      '--fake-fail',
      'grandchild',
    ]);
    expect(options).toMatchObject({
      format: 'claude',
      mode: 'stream-json',
      prompt: 'write a poem',
      model: 'opus',
      durationMs: 4000,
      fail: { kind: 'hang-after', events: 3 },
      ignoreSigterm: true,
      grandchild: true,
    });
  });

  it('takes codex exec --json and gemini -o', () => {
    expect(parseFakeAgentOptions(['exec', '--json', 'fix it', '--fake-format', 'codex'])).toMatchObject({
      mode: 'stream-json',
      prompt: 'fix it',
    });
    expect(parseFakeAgentOptions(['-p', 'fix it', '-o', 'json', '--fake-format', 'gemini'])).toMatchObject({
      mode: 'json',
      prompt: 'fix it',
    });
  });

  it('thinks once when only --fake-think is given', () => {
    expect(parseFakeAgentOptions(['--fake-think', '2s'])).toMatchObject({ thinkMs: 2000, thinkCount: 1 });
    expect(parseFakeAgentOptions([])).toMatchObject({ thinkMs: 0, thinkCount: 0 });
  });

  it('lets the command line override FAKE_AGENT_OPTS', () => {
    const options = parseFakeAgentOptions(['--fake-turns', '2'], {
      FAKE_AGENT_OPTS: '--fake-turns 9 --fake-seed 5',
    });
    expect(options).toMatchObject({ turns: 2, seed: 5 });
  });

  it.each([
    [['--fake-fail', 'hang', '--fake-fail', 'crash'], /conflicts with an earlier ending mode/],
    [['--fake-fail', 'exit:300'], /unknown mode "exit:300"/],
    [['--fake-jitter', 'lots'], /--fake-jitter/],
    [['--max-turns', 'many'], /--max-turns: expected a whole number/],
    [['--fake-duration'], /argument missing/],
  ])('rejects %j', (args, message) => {
    expect(() => parseFakeAgentOptions(args)).toThrow(message);
  });
});

describe('rng', () => {
  it('jitters log-normally around the median', () => {
    const rng = createRng(123);
    const samples = Array.from({ length: 2000 }, () => jitter(rng, 1000, 0.3)).sort((a, b) => a - b);
    const median = samples[1000]!;
    expect(median).toBeGreaterThan(900);
    expect(median).toBeLessThan(1100);
    expect(samples[0]).toBeGreaterThan(0);
    // A right tail: the top is further from the median than the bottom.
    expect(samples.at(-1)! - median).toBeGreaterThan(median - samples[0]!);
  });

  it('repeats itself for the same seed only', () => {
    const draw = (seed: number) => Array.from({ length: 5 }, createRng(seed).next);
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
  });
});
