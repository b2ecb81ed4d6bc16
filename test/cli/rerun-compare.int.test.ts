import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readReport } from '../../src/report/index.js';
import { isolatedEnv, runCli, workDir, writeSuite } from './cli-support.js';

const SUITE = `
name: reruns
defaults: { concurrency: 3 }
tasks:
  - id: good
    command: "true"
  - id: bad
    command: "false"
  - id: sometimes
    shell: true
    command: '[ -e ok.mark ]'
`;

describe('rerunning what did not pass, and comparing runs', () => {
  it('--last-failed and --rerun-failed run only the tasks that did not pass; compare gates on the change', async () => {
    const dir = workDir();
    const env = isolatedEnv(dir);
    const suite = writeSuite(dir, SUITE);
    const out = join(dir, 'out');

    const first = await runCli(['run', suite, '--out', out, '--reporter', 'json'], env);
    expect(first.code, first.stderr).toBe(1);
    const base = join(dir, 'base.json');
    copyFileSync(join(out, 'report.json'), base);

    writeFileSync(join(dir, 'ok.mark'), '');
    const rerun = await runCli(['run', suite, '--out', out, '--reporter', 'json', '--last-failed'], env);
    expect(rerun.stderr).toContain(`rerunning 2 task(s) that did not pass in ${join(out, 'report.json')}`);
    expect(rerun.code).toBe(1);
    expect(readReport(join(out, 'report.json')).tasks.map((t) => [t.id, t.reason])).toEqual([
      ['bad', 'failed'],
      ['sometimes', 'passed'],
    ]);

    // The first report and the rerun's together: the suite with the rerun's results.
    const all = join(dir, 'all.json');
    await runCli(['merge-reports', base, join(out, 'report.json'), '--json', all], env);
    expect(readReport(all).tasks.map((t) => [t.id, t.reason])).toEqual([
      ['good', 'passed'],
      ['bad', 'failed'],
      ['sometimes', 'passed'],
    ]);

    const listed = await runCli(['run', suite, '--rerun-failed', base, '--list'], env);
    expect(listed.stdout).toBe('bad\tfalse\nsometimes\t[ -e ok.mark ]\n2 task(s)\n');

    // The whole suite again, now that `sometimes` passes: better than the base, worse the other way round.
    const head = join(dir, 'head');
    expect((await runCli(['run', suite, '--out', head, '--reporter', 'json'], env)).code).toBe(1);
    const better = await runCli(['compare', base, join(head, 'report.json'), '--max-regression', '0.1'], env);
    expect(better.code, better.stdout + better.stderr).toBe(0);
    expect(better.stdout).toMatch(/run\s+all\s+33\.3% → 66\.7%\s+\+33\.3 pp/);
    expect(better.stdout).toMatch(/task\s+sometimes\s+0\.0% → 100\.0%\s+\+100\.0 pp/);
    const worse = await runCli(['compare', join(head, 'report.json'), base, '--max-regression', '0.1'], env);
    expect(worse.code).toBe(1);
    expect(worse.stdout).toContain(
      'the run: success rate 66.7% → 33.3% (-33.3 pp, more than --max-regression 0.1)',
    );
    const markdown = await runCli(['compare', base, join(head, 'report.json'), '--markdown'], env);
    expect(markdown.stdout).toMatch(/^## cc-stress compare: reruns ✅ no regression\n/);
    expect(markdown.stdout).toContain('| run | all | 33.3% → 66.7% | +33.3 pp |');
    const json = await runCli(['compare', base, join(head, 'report.json'), '--json'], env);
    expect(JSON.parse(json.stdout)).toMatchObject({ regressions: [], changes: expect.any(Array) });
  }, 60_000);

  it('runs nothing, and passes, when everything passed last time; refuses what it cannot do', async () => {
    const dir = workDir();
    const env = isolatedEnv(dir);
    const suite = writeSuite(dir, SUITE);
    const out = join(dir, 'out');

    const noReport = await runCli(['run', suite, '--out', out, '--last-failed'], env);
    expect(noReport.code).toBe(2);
    expect(noReport.stderr).toContain(`--last-failed: no ${join(out, 'report.json')} from an earlier run`);

    expect(
      (await runCli(['run', suite, '--out', out, '--reporter', 'json', '--grep', '^good$'], env)).code,
    ).toBe(0);
    const nothing = await runCli(['run', suite, '--out', out, '--last-failed'], env);
    expect(nothing.code).toBe(0);
    expect(nothing.stderr).toContain('nothing to rerun: every task passed in');

    const both = await runCli(
      ['run', suite, '--last-failed', '--rerun-failed', join(out, 'report.json')],
      env,
    );
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('use --last-failed or --rerun-failed FILE, not both');

    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{');
    const unreadable = await runCli(['run', suite, '--rerun-failed', broken], env);
    expect(unreadable.code).toBe(2);
    expect(unreadable.stderr).toContain('broken.json: not valid JSON');
  }, 60_000);
});
