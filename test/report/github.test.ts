import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stripAnsi } from '../../src/report/format.js';
import {
  annotationPath,
  annotationsOf,
  escapeData,
  escapeProperty,
  GitHubReporter,
  workflowCommand,
} from '../../src/report/github.js';
import { anyText, attempt, Capture, HOSTILE, report, task } from './fixtures.js';

/** How the Actions runner reads a workflow command back (ActionCommand.Unescape{Data,Property}). */
function runnerUnescape(text: string): string {
  return text
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%3A/g, ':')
    .replace(/%2C/g, ',')
    .replace(/%25/g, '%');
}

/** Splits `::level k=v,k=v::message` the way the runner does. */
function parseCommand(line: string): { level: string; props: Record<string, string>; message: string } {
  const match = /^::(\w+)(?: ([^:]*))?::(.*)$/.exec(line);
  if (match === null) throw new Error(`not a workflow command: ${line}`);
  const props = Object.fromEntries(
    (match[2] ?? '')
      .split(',')
      .filter((p) => p !== '')
      .map((p) => {
        const at = p.indexOf('=');
        return [p.slice(0, at), runnerUnescape(p.slice(at + 1))];
      }),
  );
  return { level: match[1]!, props, message: runnerUnescape(match[3]!) };
}

describe('workflow command escaping', () => {
  it("round-trips any message and property through the runner's unescaping, on one line", () => {
    fc.assert(
      fc.property(anyText(60), anyText(30), (message, title) => {
        const line = workflowCommand({ level: 'error', message, title, file: title, line: 3 });
        expect(line).not.toMatch(/[\r\n]/);
        const parsed = parseCommand(line);
        // Colour codes are dropped; everything else comes back as written.
        expect(parsed.message).toBe(stripAnsi(message));
        expect(parsed.props.title).toBe(stripAnsi(title));
        expect(parsed.props.file).toBe(stripAnsi(title));
        expect(parsed.props.line).toBe('3');
      }),
      { numRuns: 300 },
    );
  });

  it('escapes %, CR and LF in messages, and : and , as well in properties', () => {
    expect(escapeData('100% done\r\nnext: a, b')).toBe('100%25 done%0D%0Anext: a, b');
    expect(escapeProperty('100% done\r\nnext: a, b')).toBe('100%25 done%0D%0Anext%3A a%2C b');
    expect(
      workflowCommand({ level: 'warning', message: 'x', title: 'a:b,c', file: 'd/e.yaml', line: 7 }),
    ).toBe('::warning file=d/e.yaml,line=7,title=a%3Ab%2Cc::x');
  });
});

describe('annotationsOf', () => {
  const run = report(
    [
      task('ok', [attempt()], { line: 4 }),
      task('bad', [attempt({ reason: 'failed', messages: ['exit code 3, expected 0'] })], { line: 7 }),
      task('slow', [attempt({ reason: 'timed-out' })], { line: 10 }),
      task('quiet', [attempt({ reason: 'stalled' })], { line: 13 }),
      task('boom', [attempt({ reason: 'crashed' })], { line: 16 }),
      task('flaky', [attempt({ reason: 'stalled' }), attempt()], { line: 19 }),
      task('never', [], { line: 22 }),
    ],
    { suite: { name: 'demo', file: '/repo/suites/demo.yaml' } },
  );

  it('puts an error at the line of each failed, timed-out, stalled or crashed task, and a warning on flaky ones', () => {
    const annotations = annotationsOf(run, '/repo');
    const byTitle = new Map(annotations.map((a) => [a.title, a]));
    expect(byTitle.get('cc-stress: FAIL')).toMatchObject({ level: 'error' });
    expect(byTitle.get('cc-stress: failed bad')).toMatchObject({
      level: 'error',
      file: 'suites/demo.yaml',
      line: 7,
    });
    expect(byTitle.get('cc-stress: timed-out slow')).toMatchObject({ level: 'error', line: 10 });
    expect(byTitle.get('cc-stress: stalled quiet')).toMatchObject({ level: 'error', line: 13 });
    expect(byTitle.get('cc-stress: crashed boom')).toMatchObject({ level: 'error', line: 16 });
    expect(byTitle.get('cc-stress: flaky flaky')).toMatchObject({ level: 'warning', line: 19 });
    expect(byTitle.get('cc-stress: failed bad')!.message).toContain('exit code 3, expected 0');
    expect(byTitle.get('cc-stress: failed bad')!.message).toContain('limits: max 1m00s (learned');
    // Passed and never-started tasks are not annotated.
    expect(annotations.map((a) => a.title)).not.toContain('cc-stress: passed ok');
    expect(annotations).toHaveLength(6);
  });

  it('warns instead of failing the gate for an interrupted run', () => {
    const interrupted = report([task('ok', [attempt()]), task('never', [])], { interrupted: true });
    expect(annotationsOf(interrupted, '/')).toEqual([
      expect.objectContaining({ level: 'warning', title: 'cc-stress: interrupted' }),
    ]);
  });

  it('keeps at most 50 errors and says how many more there were', () => {
    const many = report(Array.from({ length: 60 }, (_, i) => task(`t${i}`, [attempt({ reason: 'failed' })])));
    const annotations = annotationsOf(many, '/');
    expect(annotations.filter((a) => a.level === 'error')).toHaveLength(51);
    expect(annotations.at(-1)).toMatchObject({
      level: 'notice',
      message: '10 more error(s); see the reports',
    });
  });

  it('names the suite file relative to the workspace', () => {
    expect(annotationPath('/work/repo/suites/a.yaml', '/work/repo')).toBe('suites/a.yaml');
    expect(annotationPath('suites/a.yaml', '/elsewhere')).toBe('suites/a.yaml');
  });
});

describe('GitHubReporter', () => {
  it('prints the annotations and appends the Markdown summary to the step summary file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cc-stress-gh-'));
    const summary = join(dir, 'step-summary.md');
    await writeFile(summary, 'earlier step\n');
    const stream = new Capture();
    const hostile = report([
      task('bad', [attempt({ reason: 'failed', messages: [HOSTILE] })], { name: HOSTILE, line: 2 }),
    ]);
    await new GitHubReporter({ stream, stepSummary: summary, workspace: '/' }).onEnd(hostile);
    const lines = stream.lines();
    for (const line of lines) expect(line).toMatch(/^::(error|warning|notice) /);
    expect(
      lines.some((l) => l.startsWith('::error file=suites/demo.yaml,line=2,title=cc-stress%3A failed bad::')),
    ).toBe(true);
    const text = await readFile(summary, 'utf8');
    expect(text.startsWith('earlier step\n## cc-stress: demo')).toBe(true);
  });

  it('writes nothing to a summary file when there is none', async () => {
    const stream = new Capture();
    await new GitHubReporter({ stream, workspace: '/' }).onEnd(report([task('ok', [attempt()])]));
    expect(stream.text()).toBe('');
  });
});
