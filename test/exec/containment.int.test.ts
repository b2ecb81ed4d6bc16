import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { containment } from '../../src/exec/containment.js';
import type { ExecRequest } from '../../src/exec/types.js';
import { executor, plan, scratchDir, shell } from './support/local-tasks.js';

const dir = scratchDir();
const local = executor({ graceMs: 300 });
afterAll(() => local.close());

let counter = 0;
/** `sleep 600.<digits>`: an argument no other process has, found in /proc/PID/cmdline even with env -i. */
function newMarker(): string {
  counter++;
  return `600.${process.pid}${counter}${Math.floor(Math.random() * 1e6)}`;
}

/** Live processes whose command line carries the marker. */
function withMarker(marker: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const args = readFileSync(`/proc/${name}/cmdline`, 'latin1').split('\0');
      const state = readFileSync(`/proc/${name}/stat`, 'latin1').split(') ')[1]?.[0];
      if (args.includes(marker) && state !== 'Z') found.push(Number(name));
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

/** Polls until no process carries the marker; returns what is left at the deadline. */
export async function survivorsOf(marker: string, withinMs: number): Promise<number[]> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const left = withMarker(marker);
    if (left.length === 0 || Date.now() > deadline) return left;
    await sleep(50);
  }
}

/**
 * Ways a task can leave a process behind that the process group and the environment tag cannot see:
 * each ends in `sleep <marker>` in a session of its own with an empty environment.
 */
export const ESCAPES: Record<string, (marker: string) => string> = {
  'setsid env -i sleep &': (m) => `setsid env -i sleep ${m} &`,
  'a double fork through setsid env -i sh -c': (m) =>
    `setsid env -i sh -c '(sleep ${m} > /dev/null 2>&1 &); exit 0' &`,
  'setsid -f env -i': (m) => `setsid -f env -i sleep ${m} > /dev/null 2>&1`,
  'setsid() and execve with an empty environment (perl)': (m) =>
    `perl -e 'exit 0 if fork; require POSIX; POSIX::setsid(); %ENV = (); exec { "sleep" } "sleep", "${m}"' > /dev/null 2>&1`,
};

/** Waits inside the task until the escaped process runs, so the test never races its start. */
function escapeThen(command: string, marker: string, then: string): string {
  // Anchored, so that neither this shell's own command line nor pgrep's matches.
  const pattern = `^sleep ${marker.replace('.', '[.]')}$`;
  return `${command}\nuntil pgrep -f '${pattern}' > /dev/null; do sleep 0.05; done\necho escaped\n${then}`;
}

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
