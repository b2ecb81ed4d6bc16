import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/command/args.js';
import { judgeCommand, judgePrompt, promptSignals } from '../../src/timeouts/judge.js';

describe('promptSignals', () => {
  it.each([
    ['Write a 5000-word essay', 5000],
    ['write 5,000 words', 5000],
    ['about 10k words please', 10000],
    ['five thousand words', 5000],
    ['a dozen files', 12 * 300],
    ['20 files', 20 * 300],
    ['12 pages', 12 * 400],
  ])('reads "%s" as about %d words', (prompt, words) => {
    expect(promptSignals(prompt).requestedWords).toBe(words);
  });

  it('counts numbered and bulleted items', () => {
    expect(promptSignals('Do:\n1. a\n2. b\n3. c\n4. d').items).toBe(4);
    expect(promptSignals('- a\n- b\n* c').items).toBe(3);
  });

  it('does not find sizes in words that merely contain numbers', () => {
    expect(promptSignals('often words fail; use v2 files').requestedWords).toBeUndefined();
  });

  it('stays fast on pathological whitespace', () => {
    const start = performance.now();
    promptSignals(`1${' '.repeat(60_000)}x\n${'\n'.repeat(60_000)}`);
    expect(performance.now() - start).toBeLessThan(500);
  });
});

describe('judgePrompt', () => {
  it('rates prose and code sizes', () => {
    expect(judgePrompt('Write a 20000 word novella')).toMatchObject({
      category: 'long-generation',
      complexity: 'extreme',
    });
    expect(judgePrompt('Generate 10 unit tests for parser.ts')).toMatchObject({
      category: 'code-generation',
      complexity: 'medium',
    });
    expect(judgePrompt('Say hi')).toMatchObject({ category: 'simple', complexity: 'low' });
  });

  it('reads plans with steps as orchestration and rewrites as code', () => {
    expect(
      judgePrompt(
        'Plan the migration of a REST API to GraphQL: list 10 steps, then expand each into 3 sub-steps.',
      ).category,
    ).toBe('orchestration');
    expect(
      judgePrompt('Rewrite this callback-based code as async/await, with 15 before/after examples.'),
    ).toMatchObject({
      category: 'code-generation',
      complexity: 'medium',
    });
  });

  it('puts parallel work before everything else', () => {
    expect(judgePrompt('Write 5000 words using 3 subagents in parallel').category).toBe('parallel');
  });
});

describe('judgeCommand', () => {
  it('sees parallel jobs and scope in flags, per tool', () => {
    expect(
      judgeCommand('build', 'make', parseArgs(['-j', '8'], { optionalNumeric: new Set(['-j']) })).category,
    ).toBe('parallel');
    expect(
      judgeCommand('build', 'make', parseArgs(['-j', '1'], { optionalNumeric: new Set(['-j']) })).category,
    ).toBe('build');
    expect(
      judgeCommand('build', 'docker', parseArgs(['-t', 'app:1'], { valueFlags: new Set(['-t']) })).complexity,
    ).toBe('medium');
    expect(
      judgeCommand('test', 'jest', parseArgs(['-t', 'login'], { valueFlags: new Set(['-t']) })).complexity,
    ).toBe('low');
    expect(judgeCommand('test', 'pnpm', parseArgs(['-r'])).complexity).toBe('high');
    expect(judgeCommand('other', 'cp', parseArgs(['-r'])).complexity).toBe('low');
  });
});
