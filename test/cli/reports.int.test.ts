import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readReport } from '../../src/report/index.js';
import { publishedReportValidator } from '../helpers/report-schema.js';
import { validateJUnit } from '../helpers/xmllint.js';
import { finished, isolatedEnv, runCli, startCli, workDir, writeSuite } from './cli-support.js';

const validateReport = publishedReportValidator();

/** Both consumer schemas accept the run's junit.xml and the published JSON Schema its report.json. */
function expectValidReports(out: string): void {
  const { junit10, surefire } = validateJUnit(join(out, 'junit.xml'));
  expect(junit10.output).toMatch(/ validates$/);
  expect(surefire.output).toMatch(/ validates$/);
  expect(validateReport(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')))).toEqual([]);
}

function testcaseNames(out: string): string[] {
  return [...readFileSync(join(out, 'junit.xml'), 'utf8').matchAll(/<testcase [^>]*name="([^"]*)"/g)].map(
    (m) => m[1]!,
  );
}

const OUTCOMES = `
name: outcomes
defaults:
  concurrency: 6
tasks:
  - id: pass
    name: A passing task
    command: "true"
  - id: fail
    name: Exits 3
    command: "sh -c 'echo boom; exit 3'"
  - id: flaky
    retries: 1
    shell: true
    command: 'if [ -e flaky.mark ]; then echo ok; else touch flaky.mark; exit 1; fi'
  - id: stalled
    command: sleep 60
    timeout: { max: 60, stall: 1 }
  - id: timed-out
    shell: true
    command: 'while true; do echo tick; sleep 0.2; done'
    timeout: { max: 2, stall: 2 }
  - id: crashed
    command: /nonexistent/cc-stress-no-such-program
`;

describe('reports of real runs, checked by real validators', () => {
  it('are valid for a pass, a failure, a flaky pass, a stall, a timeout and a crash', async () => {
    const dir = workDir();
    const out = join(dir, 'out');
    const stepSummary = join(dir, 'step-summary.md');
    const result = await runCli(
      ['run', writeSuite(dir, OUTCOMES), '--out', out, '--reporter', 'auto,json,junit,summary,markdown,csv'],
      isolatedEnv(dir, { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: stepSummary, GITHUB_WORKSPACE: dir }),
    );
    expect(result.code, result.stderr).toBe(1);

    const report = readReport(join(out, 'report.json'));
    expect(Object.fromEntries(report.tasks.map((t) => [t.id, [t.reason, t.flaky]]))).toEqual({
      pass: ['passed', false],
      fail: ['failed', false],
      flaky: ['passed', true],
      stalled: ['stalled', false],
      'timed-out': ['timed-out', false],
      crashed: ['crashed', false],
    });
    expect(report.tasks.map((t) => t.line)).toEqual([6, 9, 12, 16, 19, 23]);
    expect(report.verdict).toBe('fail');
    expect(report.stats?.all).toMatchObject({ tasks: 6, passed: 2, attempts: 7 });
    expectValidReports(out);
    // Stable names: the id, whatever the human name.
    expect(testcaseNames(out)).toEqual(['pass', 'fail', 'flaky', 'stalled', 'timed-out', 'crashed']);

    // GitHub Actions: annotations on stdout at each task's line, the summary appended to the step summary.
    const commands = result.stdout.split('\n').filter((line) => line.startsWith('::'));
    const at = (line: number, title: string) =>
      commands.find((c) => c.startsWith(`::error file=suite.yaml,line=${line},title=${title}::`));
    expect(at(9, 'cc-stress%3A failed fail')).toContain('exit code 3, expected 0');
    expect(at(16, 'cc-stress%3A stalled stalled')).toBeDefined();
    expect(at(19, 'cc-stress%3A timed-out timed-out')).toBeDefined();
    expect(at(23, 'cc-stress%3A crashed crashed')).toBeDefined();
    expect(commands).toContainEqual(
      expect.stringMatching(/^::warning file=suite\.yaml,line=12,title=cc-stress%3A flaky flaky::/),
    );
    expect(commands.filter((c) => c.startsWith('::error'))).toHaveLength(5);
    const summary = readFileSync(stepSummary, 'utf8');
    expect(summary).toContain('## cc-stress: outcomes ❌ FAIL');
    expect(summary).toBe(`${readFileSync(join(out, 'summary.md'), 'utf8')}\n`);
    expect(readFileSync(join(out, 'stats.csv'), 'utf8')).toMatch(
      /^scope,name,category,.*\r\nrun,outcomes,,6,2,/,
    );

    // merge-reports under Actions annotates and summarises the merged suite the same way.
    const mergedSummary = join(dir, 'merge-summary.md');
    const merged = await runCli(
      ['merge-reports', join(out, 'report.json'), '--junit', join(dir, 'merged.xml')],
      isolatedEnv(dir, { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: mergedSummary, GITHUB_WORKSPACE: dir }),
    );
    expect(merged.code).toBe(1);
    expect(merged.stdout).toContain('::error file=suite.yaml,line=9,title=cc-stress%3A failed fail::');
    expect(readFileSync(mergedSummary, 'utf8')).toContain('## cc-stress: outcomes ❌ FAIL');
    expect(validateJUnit(join(dir, 'merged.xml')).junit10.ok).toBe(true);
  }, 60_000);

  it('are valid for tasks never started after --bail', async () => {
    const dir = workDir();
    const out = join(dir, 'out');
    const suite = writeSuite(
      dir,
      'name: bail\ntasks:\n  - id: fail\n    command: "false"\n  - id: later\n    command: "true"\n',
    );
    const result = await runCli(
      ['run', suite, '--out', out, '--bail', '1', '--concurrency', '1'],
      isolatedEnv(dir),
    );
    expect(result.code, result.stderr).toBe(1);
    const report = readReport(join(out, 'report.json'));
    expect(report.tasks.map((t) => [t.id, t.reason])).toEqual([
      ['fail', 'failed'],
      ['later', 'cancelled'],
    ]);
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toContain('<skipped message="cancelled"/>');
    expectValidReports(out);
  }, 60_000);

  it('say "interrupted", never "pass", for a run stopped by Ctrl-C, and stay valid', async () => {
    const dir = workDir();
    const out = join(dir, 'out');
    const suite = writeSuite(
      dir,
      `name: long
defaults: { concurrency: 1, target: 0 }
tasks:
  - id: quick
    command: "true"
  - id: long
    command: sleep 120
  - id: never
    command: sleep 120
`,
    );
    const child = startCli(['run', suite, '--out', out], isolatedEnv(dir));
    const done = finished(child);
    // The line reporter prints a start line per attempt; interrupt once the long task is running.
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (/start\s+long/.test(stderr)) resolve();
      });
      child.once('close', () => reject(new Error(`the run ended before the long task started:\n${stderr}`)));
    });
    child.kill('SIGINT');
    const result = await done;
    expect(result.code).toBe(130);

    const report = readReport(join(out, 'report.json'));
    expect(report.interrupted).toBe(true);
    // Only `quick` counted, and it passed against a target of 0: the old rule said "pass".
    expect(report.successRate).toBe(1);
    expect(report.verdict).toBe('interrupted');
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toContain(
      '<property name="verdict" value="interrupted"/>',
    );
    expectValidReports(out);
  }, 60_000);
});
