import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readReport } from '../../src/report/index.js';
import type { RampStepResult } from '../../src/run/ramp.js';
import { isolatedEnv, runCli, workDir, writeSuite } from '../cli/cli-support.js';

/**
 * A setup that copes with two tasks at once and no more: each task needs one of two slots (a directory
 * made atomically with mkdir) for 1.5 s; a task that finds none fails.
 */
function twoSlotSuite(dir: string): string {
  const slots = join(dir, 'slots');
  mkdirSync(slots);
  return writeSuite(
    dir,
    `
name: two-slots
defaults: { target: 0.9 }
tasks:
  - id: job
    repeat: 4
    shell: true
    timeout: { max: 60, stall: 30 }
    command: 'for s in 1 2; do if mkdir "${slots}/$s" 2>/dev/null; then sleep 1.5; rmdir "${slots}/$s"; echo done; exit 0; fi; done; echo "no free slot"; exit 1'
`,
  );
}

function rampSteps(out: string): RampStepResult[] {
  return (JSON.parse(readFileSync(join(out, 'ramp.json'), 'utf8')) as { steps: RampStepResult[] }).steps;
}

describe('cc-stress run --ramp', () => {
  it('runs each concurrency in turn, reports each step, and gates on the last', async () => {
    const dir = workDir();
    const suite = twoSlotSuite(dir);
    const out = join(dir, 'out');
    const result = await runCli(
      ['run', suite, '--ramp', '2,4', '--out', out, '--reporter', 'json'],
      isolatedEnv(dir),
    );
    // Four at once overloads the two slots, and the last step decides.
    expect(result.code, result.stderr).toBe(1);
    const steps = rampSteps(out);
    expect(steps.map((s) => [s.concurrency, s.passed, s.verdict])).toEqual([
      [2, 4, 'pass'],
      [4, 2, 'fail'],
    ]);
    expect(steps[0]!.p95Ms).toBeGreaterThanOrEqual(1000);
    expect(result.stderr).toMatch(
      /ramp step 1 of 2 \(concurrency 2\): 4 of 4 passed, success 100\.0%, p95 \d+\.\d\ds/,
    );
    expect(result.stderr).toMatch(/ramp step 2 of 2 \(concurrency 4\): 2 of 4 passed, success 50\.0%/);
    expect(result.stderr).toMatch(/Ramp\n\s+step\s+concurrency/);
    // Each step keeps its own report and logs.
    for (const step of steps) {
      expect(readReport(join(step.outDir, 'report.json')).tasks).toHaveLength(4);
      expect(existsSync(join(step.outDir, 'logs'))).toBe(true);
    }
    expect(step(out, 2, 4)).toBe(steps[1]!.outDir);
  }, 60_000);

  it('exits 0 when the last step passes, however the earlier ones did', async () => {
    const dir = workDir();
    const suite = twoSlotSuite(dir);
    const out = join(dir, 'out');
    const result = await runCli(
      ['run', suite, '--ramp', '4,2', '--out', out, '--reporter', 'json'],
      isolatedEnv(dir),
    );
    expect(result.code, result.stderr).toBe(0);
    expect(rampSteps(out).map((s) => s.verdict)).toEqual(['fail', 'pass']);
  }, 60_000);

  it('rejects a bad step or a --concurrency beside it', async () => {
    const dir = workDir();
    const suite = writeSuite(dir, 'name: s\ntasks:\n  - { id: a, command: "true" }\n');
    const bad = await runCli(['run', suite, '--ramp', '1,0'], isolatedEnv(dir));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--ramp must be a whole number from 1 to 1000 (got "0")');
    const both = await runCli(['run', suite, '--ramp', '1,2', '--concurrency', '3'], isolatedEnv(dir));
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--ramp sets the concurrency of each step');
  });
});

function step(out: string, index: number, concurrency: number): string {
  return join(out, `step-${index}-c${concurrency}`);
}
