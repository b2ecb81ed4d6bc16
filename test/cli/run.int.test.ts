import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { readReport } from '../../src/report/index.js';
import { isolatedEnv, runCli, workDir, writeSuite } from './cli-support.js';

const AGENT = 'cc-stress-fake-agent -p "hi" --output-format stream-json --verbose';

const mixedSuite = `
name: mixed
defaults: { concurrency: 3, target: 0.5 }
tasks:
  - id: ok-agent
    category: simple
    command: ${AGENT} --fake-duration 300ms --fake-seed 1
  - id: ok-shell
    category: build
    shell: true
    command: 'echo building; echo BUILD OK'
    expect: { stdout: { contains: BUILD OK } }
  - id: wrong-output
    category: build
    command: echo nothing useful
    expect: { stdout: { contains: DONE } }
  - id: agent-error
    category: simple
    command: ${AGENT} --fake-duration 200ms --fake-fail exit:1
`;

describe('cc-stress run', () => {
  it('runs a suite, writes JSON and JUnit reports, and exits 0 when the target is met', async () => {
    const dir = workDir();
    const suite = writeSuite(dir, mixedSuite);
    const out = join(dir, 'out');
    const result = await runCli(['run', suite, '--out', out], isolatedEnv(dir));
    expect(result.code, result.stderr).toBe(0);

    const report = readReport(join(out, 'report.json'));
    expect(report.totals).toMatchObject({ total: 4, passed: 2, failed: 2 });
    expect(report.successRate).toBe(0.5);
    expect(report.verdict).toBe('pass');
    const byId = new Map(report.tasks.map((t) => [t.id, t]));
    expect(byId.get('wrong-output')?.attempts[0]?.messages.join(' ')).toContain('never contained "DONE"');
    expect(byId.get('agent-error')?.reason).toBe('failed');
    // Every attempt names where its limits came from and keeps its full log.
    for (const task of report.tasks) {
      const attempt = task.attempts[0]!;
      expect(attempt.limits.max.origin).toMatch(/prior|learned|borrowed|config-default/);
      expect(existsSync(attempt.logPath)).toBe(true);
    }
    expect(readFileSync(byId.get('ok-shell')!.attempts[0]!.logPath, 'utf8')).toContain('BUILD OK');

    const junit = new XMLParser({ ignoreAttributes: false }).parse(
      readFileSync(join(out, 'junit.xml'), 'utf8'),
    );
    const suites = junit.testsuites?.testsuite ?? junit.testsuite;
    const one = Array.isArray(suites) ? suites[0] : suites;
    expect(Number(one['@_tests'])).toBe(4);
    expect(Number(one['@_failures'])).toBe(2);
  });

  it('exits 1 when the success rate is below the target', async () => {
    const dir = workDir();
    const suite = writeSuite(dir, mixedSuite);
    const result = await runCli(
      ['run', suite, '--out', join(dir, 'out'), '--target', '0.9'],
      isolatedEnv(dir),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/50\.0% .*90\.0%.*FAIL/);
  });

  it('lists and filters tasks without running them', async () => {
    const dir = workDir();
    const suite = writeSuite(dir, mixedSuite);
    const result = await runCli(['run', suite, '--list', '--grep', '^ok-'], isolatedEnv(dir));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('ok-agent\t');
    expect(result.stdout).toContain('ok-shell\t');
    expect(result.stdout).not.toContain('wrong-output');
    expect(result.stdout).toContain('2 task(s)');
    expect(existsSync(join(dir, 'reports'))).toBe(false);
  });

  it('stops after --bail failures and reports the rest as cancelled', async () => {
    const dir = workDir();
    const suite = writeSuite(
      dir,
      `
name: bail
defaults: { concurrency: 1 }
tasks:
  - { id: first-fails, command: "false" }
  - { id: second, command: "true" }
  - { id: third, command: "true" }
`,
    );
    const result = await runCli(['run', suite, '--out', join(dir, 'out'), '--bail', '1'], isolatedEnv(dir));
    expect(result.code).toBe(1);
    const report = readReport(join(dir, 'out', 'report.json'));
    expect(report.tasks.map((t) => t.reason)).toEqual(['failed', 'cancelled', 'cancelled']);
  });

  it('retries a failed task and marks a later pass as flaky', async () => {
    const dir = workDir();
    const marker = join(dir, 'second-try');
    const suite = writeSuite(
      dir,
      `
name: flaky
tasks:
  - id: passes-second-time
    shell: true
    retries: 2
    command: 'if [ -e "${marker}" ]; then echo ok; else touch "${marker}"; exit 3; fi'
`,
    );
    const result = await runCli(['run', suite, '--out', join(dir, 'out')], isolatedEnv(dir));
    expect(result.code).toBe(0);
    const task = readReport(join(dir, 'out', 'report.json')).tasks[0]!;
    expect(task.attempts.map((a) => a.reason)).toEqual(['failed', 'passed']);
    expect(task.flaky).toBe(true);
  });

  it('expands --repeat over every task', async () => {
    const dir = workDir();
    const suite = writeSuite(dir, 'name: r\ntasks:\n  - { id: t, command: "true" }\n');
    const result = await runCli(['run', suite, '--out', join(dir, 'out'), '--repeat', '3'], isolatedEnv(dir));
    expect(result.code).toBe(0);
    expect(readReport(join(dir, 'out', 'report.json')).tasks.map((t) => t.id)).toEqual(['t#1', 't#2', 't#3']);
  });
});

describe('bad input exits 2 with one line naming the problem', () => {
  it('a malformed suite names the file, line and field', async () => {
    const dir = workDir();
    const suite = writeSuite(
      dir,
      'name: bad\ntasks:\n  - id: a\n    command: "true"\n    timeout: { stall: abc }\n',
    );
    const result = await runCli(['run', suite], isolatedEnv(dir));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/suite\.yaml:5:\d+: tasks\[0\]\.timeout\.stall: /);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('a bad environment variable names the variable', async () => {
    const dir = workDir();
    const suite = writeSuite(dir, 'name: s\ntasks:\n  - { id: a, command: "true" }\n');
    const result = await runCli(['run', suite], isolatedEnv(dir, { CC_STRESS_REDIS_URL: 'localhost:6379' }));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('CC_STRESS_REDIS_URL');
  });

  it('a bad config value names the key and the allowed range', async () => {
    const dir = workDir();
    const suite = writeSuite(dir, 'name: s\ntasks:\n  - { id: a, command: "true" }\n');
    const config = writeSuite(dir, 'predictor:\n  alpha: 2\n', 'config.yaml');
    const result = await runCli(['run', suite, '--config', config], isolatedEnv(dir));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/config\.yaml:\d+:\d+: predictor\.alpha: .*0\.5/);
  });

  it('a bad option value names the option and its range', async () => {
    const dir = workDir();
    const suite = writeSuite(dir, 'name: s\ntasks:\n  - { id: a, command: "true" }\n');
    const result = await runCli(['run', suite, '--concurrency', '0'], isolatedEnv(dir));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--concurrency must be a whole number from 1 to 1000');
  });

  it('an unknown reporter names the option', async () => {
    const dir = workDir();
    const suite = writeSuite(dir, 'name: s\ntasks:\n  - { id: a, command: "true" }\n');
    const result = await runCli(['run', suite, '--reporter', 'fancy'], isolatedEnv(dir));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--reporter: unknown reporter "fancy"');
  });

  it('a missing suite file says so', async () => {
    const dir = workDir();
    const result = await runCli(['run', join(dir, 'nope.yaml')], isolatedEnv(dir));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('nope.yaml');
  });
});

describe('cc-stress --help and --version', () => {
  it('prints the version and the commands', async () => {
    const dir = workDir();
    const version = await runCli(['--version'], isolatedEnv(dir));
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const help = await runCli(['--help'], isolatedEnv(dir));
    expect(help.code).toBe(0);
    for (const command of ['run', 'explain-timeout', 'history', 'serve', 'merge-reports', 'fake-agent']) {
      expect(help.stdout).toContain(command);
    }
  });
});
