import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/history/types.js';
import { isolatedEnv, runCli, workDir, writeSuite } from './cli-support.js';

const STORY = "claude -p 'Write a 5000 word story about a lighthouse'";
const STREAM = '--output-format stream-json --verbose';

/** Demo-like simulated tasks, plain and wrapped, many times over: enough to teach any level they reached. */
const simulatedSuite = (history: string): string => `
name: simulated
history: ${history}
defaults: { concurrency: 6 }
tasks:
  - id: plain
    repeat: 8
    command: cc-stress-fake-agent -p "Write a sonnet about patience" ${STREAM} --fake-duration 200ms
  - id: wrapped
    repeat: 8
    command: timeout 60 cc-stress-fake-agent -p "Write a story" ${STREAM} --fake-duration 200ms
  - id: env
    repeat: 8
    command: env DEMO=1 cc-stress-fake-agent -p "Explain the build" ${STREAM} --fake-duration 200ms
  - id: codex
    repeat: 4
    command: cc-stress-fake-agent --fake-format codex exec --json "List the files" --fake-duration 200ms
`;

/** A config that would learn from three runs at any level, so a leak could not hide behind minSamples. */
function eagerConfig(dir: string): string {
  return writeSuite(dir, 'predictor:\n  minSamples: 3\n  floorSeconds: 0.1\n', 'config.yaml');
}

interface Explained {
  class: { simulated: boolean; program: string };
  levels: { level: string; key: string; runs: number }[];
  max: { ms: number; source: { origin: string } };
  stall: { ms: number; source: { origin: string } };
}

describe('the simulated agent never teaches real agents', () => {
  it('leaves claude on its per-kind prior after many simulated runs in the same history file', async () => {
    const dir = workDir();
    const env = isolatedEnv(dir, { CC_STRESS_CONFIG: eagerConfig(dir) });
    const run = await runCli(
      ['run', writeSuite(dir, simulatedSuite('shared')), '--out', join(dir, 'out')],
      env,
    );
    expect(run.code, run.stderr).toBe(0);

    const list = await runCli(['history', 'list', '--json'], env);
    const classes = JSON.parse(list.stdout) as { classKey: string; runs: number }[];
    expect(classes.find((c) => c.classKey === 'v2/sim/kind:llm-agent')?.runs).toBe(28);
    // Every class the simulated runs reached is in the simulated namespace.
    expect(classes.every((c) => c.classKey.startsWith('v2/sim/'))).toBe(true);

    const shown = await runCli(['history', 'show', 'v2/sim/tool:fake-agent', '--json'], env);
    const runs = (JSON.parse(shown.stdout) as { runs: RunRecord[] }).runs;
    expect(runs).toHaveLength(28);
    expect(runs.every((r) => r.program === 'fake-agent' && r.simulated === true)).toBe(true);
    // Every run keeps its longest quiet stretch, which a silence never outlasts.
    expect(runs.every((r) => r.longestQuietMs !== undefined && r.longestQuietMs >= r.longestSilenceMs)).toBe(
      true,
    );
    const text = await runCli(['history', 'show', 'v2/sim/tool:fake-agent'], env);
    expect(text.stdout).toMatch(/longest silence \d+\.\ds, quiet \d+\.\ds/);

    const explained = await runCli(['explain-timeout', STORY, '--json'], env);
    expect(explained.code, explained.stderr).toBe(0);
    const e = JSON.parse(explained.stdout) as Explained;
    expect(e.class).toMatchObject({ simulated: false, program: 'claude' });
    expect(e.levels.map((l) => l.runs)).toEqual([0, 0, 0, 0, 0]);
    expect(e.max).toMatchObject({ ms: 30 * 60_000, source: { origin: 'prior' } });
    expect(e.stall).toMatchObject({ ms: 10 * 60_000, source: { origin: 'prior' } });
  });

  it('keeps a separate suite history in its report folder unless asked to share', async () => {
    const dir = workDir();
    const env = isolatedEnv(dir);
    const suite = writeSuite(
      dir,
      `name: apart\nhistory: separate\ntasks:\n  - id: t\n    command: cc-stress-fake-agent -p hi ${STREAM} --fake-duration 100ms\n`,
    );
    const apart = await runCli(['run', suite, '--out', join(dir, 'apart')], env);
    expect(apart.code, apart.stderr).toBe(0);
    expect(apart.stderr).toContain(join(dir, 'apart', 'history.db'));
    expect(existsSync(join(dir, 'apart', 'history.db'))).toBe(true);
    // Nothing of it, not even the plan cache, lands beside the user's history file.
    expect(readdirSync(dir).filter((name) => name.startsWith('history.db'))).toEqual([]);
    const mine = await runCli(['history', 'list', '--json'], env);
    expect(JSON.parse(mine.stdout)).toEqual([]);

    const shared = await runCli(['run', suite, '--out', join(dir, 'shared'), '--shared-history'], env);
    expect(shared.code, shared.stderr).toBe(0);
    expect(existsSync(join(dir, 'shared', 'history.db'))).toBe(false);
    const now = JSON.parse((await runCli(['history', 'list', '--json'], env)).stdout) as unknown[];
    expect(now.length).toBeGreaterThan(0);
  });
});
