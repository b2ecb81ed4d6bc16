import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { containment } from '../../../src/exec/process/containment.js';
import type { ExecRequest } from '../../../src/exec/types.js';
import { ESCAPES, escapeThen, newMarker, withMarker } from '../support/escapes.js';
import { executor, plan, scratchDir, shell } from '../support/local-tasks.js';

const dir = scratchDir();
const local = executor({ graceMs: 300 });
afterAll(() => local.close());

const ENDINGS: Record<string, { after: string; request: Partial<ExecRequest>; termination: string }> = {
  'a normal end': { after: 'exit 0', request: {}, termination: 'exit' },
  'the max limit': {
    after: 'while :; do echo busy; sleep 0.1; done',
    request: { plan: plan({ maxMs: 1500 }) },
    termination: 'max',
  },
  'the stall limit': { after: 'sleep 600', request: { plan: plan({ stallMs: 1500 }) }, termination: 'stall' },
};

describe.runIf(containment().kind === 'pid-namespace')('a PID namespace per task', () => {
  for (const [escapeName, escapeCommand] of Object.entries(ESCAPES)) {
    for (const [endingName, ending] of Object.entries(ENDINGS)) {
      it(`stops "${escapeName}" after ${endingName}`, async () => {
        const marker = newMarker();
        const result = await local.run(
          shell(dir, escapeThen(escapeCommand(marker), marker, ending.after), ending.request),
        );
        expect(result.outputHead).toMatch(/^escaped\n/);
        expect(result.termination).toBe(ending.termination);
        // The result comes back once the namespace is empty: nothing is left to poll for.
        expect(withMarker(marker)).toEqual([]);
        if (ending.termination === 'exit') {
          // It exited 0, but left a process running: that is not a pass.
          expect(result.exitCode).toBe(0);
          expect(result.failures[0]).toMatch(/^left [1-9]\d* process(es)? behind: .*\(pid \d+\)/);
        }
      }, 20_000);
    }

    it(`stops "${escapeName}" when the task is cancelled (Ctrl-C)`, async () => {
      const marker = newMarker();
      const abort = new AbortController();
      const result = await local.run(
        shell(dir, escapeThen(escapeCommand(marker), marker, 'sleep 600'), { signal: abort.signal }),
        { onOutput: (_stream, line) => line === 'escaped' && abort.abort() },
      );
      expect(result.termination).toBe('cancelled');
      expect(withMarker(marker)).toEqual([]);
    }, 20_000);
  }

  it('keeps the command’s own exit code and signal, not those of its container', async () => {
    expect(await local.run(shell(dir, 'echo out; echo err >&2; exit 7'))).toMatchObject({
      termination: 'exit',
      exitCode: 7,
      signal: null,
      outputHead: 'out\nerr\n',
    });
    expect(await local.run(shell(dir, 'kill -TERM $$'))).toMatchObject({ exitCode: null, signal: 'SIGTERM' });
    expect(await local.run(shell(dir, 'kill -KILL $$'))).toMatchObject({ exitCode: null, signal: 'SIGKILL' });
  });

  it('still says why a command could not start', async () => {
    const result = await local.run({ ...shell(dir, 'x'), shell: false, argv: ['no-such-command-here'] });
    expect(result.termination).toBe('crashed');
    expect(result.detail).toMatch(/^cannot start "no-such-command-here": command not found \(ENOENT\)/);
  });

  it('passes a task that leaves nothing behind, with no note', async () => {
    const result = await local.run(shell(dir, 'sleep 0.1 & wait; echo done'));
    expect(result).toMatchObject({ termination: 'exit', exitCode: 0, failures: [], outputHead: 'done\n' });
    expect(result.detail).toBeUndefined();
  });
});

describe('probing without blocking', () => {
  it('finds the containment the blocking probe finds, and one that runs commands', async () => {
    // A fresh copy of the module, whose probe has not run yet.
    vi.resetModules();
    const fresh = await import('../../../src/exec/process/containment.js');
    const probed = await fresh.probeContainment();
    expect(probed.kind).toBe(containment().kind);
    expect(fresh.containment()).toBe(probed);
    const { file, args } = probed.wrap('sh', ['-c', 'echo contained']);
    const run = spawnSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    expect(run.stdout).toBe('contained\n');
  });
});
