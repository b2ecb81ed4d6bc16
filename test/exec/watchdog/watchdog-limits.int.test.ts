import { afterAll, describe, expect, it } from 'vitest';
import { procSupported } from '../../../src/exec/process/proc-fs.js';
import type { LiveStatus } from '../../../src/exec/types.js';
import { executor, liveMarked, newMark, plan, request, scratchDir, shell } from '../support/local-tasks.js';

const dir = scratchDir();
const local = executor();
afterAll(() => local.close());

/** Prints "tick" every 100 ms, `count` times. */
const ticker = (count: number) =>
  request(dir, [
    process.execPath,
    '-e',
    `let n = 0; const t = setInterval(() => { console.log('tick'); if (++n === ${count}) clearInterval(t); }, 100);`,
  ]);

describe('stall limit', () => {
  it('kills a task that went silent, with the evidence', async () => {
    const mark = newMark();
    const started = Date.now();
    const result = await local.run(shell(dir, 'echo hi; sleep 30', { mark, plan: plan({ stallMs: 700 }) }));
    expect(result.termination).toBe('stall');
    expect(result.detail).toMatch(
      /^no output, CPU or I\/O for \d+\.\ds \(stall limit 0\.7s, from test stall\); last progress: (stdout|cpu|io) at \d+\.\ds/,
    );
    expect(result.outputHead).toBe('hi\n');
    expect(result.longestSilenceMs).toBeGreaterThanOrEqual(600);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(liveMarked(mark)).toEqual([]);
  });

  it.runIf(procSupported())('does not stall a silent task that keeps a CPU busy', async () => {
    const result = await local.run(
      request(dir, [process.execPath, '-e', 'for (;;) {}'], { plan: plan({ maxMs: 2500, stallMs: 700 }) }),
    );
    expect(result.termination).toBe('max');
    expect(result.detail).toMatch(/last progress: cpu at/);
    expect(result.stdoutBytes).toBe(0);
  });

  it('stalls a silent idle task that does nothing at all', async () => {
    const result = await local.run(
      request(dir, ['sleep', '30'], { plan: plan({ maxMs: 2500, stallMs: 700 }) }),
    );
    expect(result.termination).toBe('stall');
    expect(result.durationMs).toBeLessThan(1500);
  });

  it('does not blame a task for the time the runner itself was blocked', async () => {
    // Output only: on Linux the task's own write counters would show it alive whatever the runner does.
    const outputOnly = executor({ progressFromProc: false });
    let lines = 0;
    const result = await outputOnly.run(
      { ...ticker(40), plan: plan({ stallMs: 1500 }) },
      {
        onOutput: () => {
          if (++lines !== 3) return;
          // A slow reporter holds the runner's event loop for 3 s: the task keeps printing, but nothing can
          // be read, and the watchdog's next tick comes before the waiting output is.
          const until = Date.now() + 3000;
          while (Date.now() < until) {}
        },
      },
    );
    await outputOnly.close();
    expect(result).toMatchObject({ termination: 'exit', exitCode: 0 });
  });

  it('watches output alone when asked to, and says so in the evidence', async () => {
    const outputOnly = executor({ progressFromProc: false });
    const result = await outputOnly.run(
      request(dir, [process.execPath, '-e', 'for (;;) {}'], { plan: plan({ maxMs: 5000, stallMs: 600 }) }),
    );
    await outputOnly.close();
    expect(result.termination).toBe('stall');
    expect(result.detail).toMatch(
      /^no output for \d+\.\ds \(stall limit 0\.6s, from test stall\); last progress: none since the start$/,
    );
  });
});

describe('max limit', () => {
  it('kills a task that runs too long, with the evidence', async () => {
    const mark = newMark();
    const result = await local.run(
      shell(dir, 'while true; do echo tick; sleep 0.1; done', {
        mark,
        plan: plan({ maxMs: 800, stallMs: 500 }),
      }),
    );
    expect(result.termination).toBe('max');
    expect(result.detail).toMatch(
      /^ran 0\.\ds \(max limit 0\.8s, from test max\); no extension allowed; last progress: \w+ at 0\.\ds$/,
    );
    expect(result.extensions).toBe(0);
    expect(result.durationMs).toBeGreaterThanOrEqual(790);
    expect(result.durationMs).toBeLessThan(2500);
    expect(liveMarked(mark)).toEqual([]);
  });

  it('extends a task that is still printing, up to the allowed number of times', async () => {
    const result = await local.run(
      shell(dir, 'while true; do echo tick; sleep 0.1; done', {
        plan: plan({ maxMs: 600, stallMs: 500, times: 2, byMs: 400 }),
      }),
    );
    expect(result.termination).toBe('max');
    expect(result.extensions).toBe(2);
    expect(result.durationMs).toBeGreaterThanOrEqual(1390);
    expect(result.detail).toContain(
      'extended 2 of 2 times by 0.4s); still progressing but no extension left',
    );
  });

  it('lets an extended task finish when it needs less than the extra time', async () => {
    const result = await local.run({
      ...ticker(6),
      plan: plan({ maxMs: 600, stallMs: 500, times: 2, byMs: 700 }),
    });
    expect(result).toMatchObject({ termination: 'exit', exitCode: 0 });
    expect(result.extensions).toBeGreaterThanOrEqual(1);
  });
});

describe('pause and resume', () => {
  it('does not count paused time toward either limit', async () => {
    const statuses: LiveStatus[] = [];
    const result = await local.run(
      { ...ticker(12), plan: plan({ maxMs: 2500, stallMs: 800 }) },
      {
        onStart: (task) => {
          setTimeout(() => {
            expect(task.pause()).toBe(true);
            expect(task.pause()).toBe(false);
            setTimeout(() => expect(task.resume()).toBe(true), 2500);
          }, 300);
        },
        onStatus: (status) => statuses.push(status),
      },
    );
    expect(result).toMatchObject({ termination: 'exit', exitCode: 0 });
    expect(result.stdoutBytes).toBe(12 * 5);
    // 2.5 s paused, about 1.2 s running.
    expect(result.durationMs).toBeLessThan(2500);
    expect(result.endedAt - result.startedAt).toBeGreaterThanOrEqual(3500);
    expect(Math.max(...statuses.map((s) => s.elapsedMs))).toBeLessThan(2500);
  });

  it('refuses to pause a task that has ended', async () => {
    let pause: (() => boolean) | undefined;
    await local.run(shell(dir, 'true'), { onStart: (task) => (pause = () => task.pause()) });
    expect(pause?.()).toBe(false);
  });
});
