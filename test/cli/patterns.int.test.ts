import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readReport } from '../../src/report/index.js';
import { isolatedEnv, runCli, workDir, writeSuite } from './cli-support.js';

describe('user patterns in a real run', () => {
  it('judges a backtracking expectation against a long line without freezing the runner', async () => {
    const dir = workDir();
    // 41 characters froze a backtracking engine for minutes; 5000 would never finish.
    const suite = writeSuite(
      dir,
      [
        'name: patterns',
        'tasks:',
        '  - id: evil',
        `    command: [node, -e, "console.log('a'.repeat(5000) + 'b')"]`,
        '    expect: { stdout: { matches: "^(a+)+$" } }',
        '  - id: fine',
        `    command: [node, -e, "console.log('a'.repeat(5000))"]`,
        '    expect: { stdout: { matches: "^(a+)+$" } }',
      ].join('\n'),
    );
    const out = join(dir, 'out');
    const result = await runCli(['run', suite, '--out', out, '--target', '0.5'], isolatedEnv(dir));
    expect(result.code).toBe(0);
    const report = readReport(join(out, 'report.json'));
    const byId = new Map(report.tasks.map((t) => [t.id, t]));
    expect(byId.get('fine')?.reason).toBe('passed');
    expect(byId.get('evil')?.reason).toBe('failed');
    expect(JSON.stringify(byId.get('evil'))).toContain('never matched /^(a+)+$/');
  });

  it('refuses a pattern that needs backtracking at load time, naming its place', async () => {
    const dir = workDir();
    const suite = writeSuite(
      dir,
      [
        'name: patterns',
        'tasks:',
        '  - id: a',
        '    command: echo x',
        '    expect: { stdout: { matches: "(x)\\\\1" } }',
      ].join('\n'),
    );
    const result = await runCli(['run', suite, '--out', join(dir, 'out')], isolatedEnv(dir));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/suite\.yaml:5:\d+.*tasks\[0\]\.expect\.stdout\.matches.*back-references/);
  });
});
