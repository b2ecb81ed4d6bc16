import { describe, expect, it } from 'vitest';
import { Watchdog } from '../../src/exec/watchdog.js';
import type { TimeoutPlan } from '../../src/timeouts/types.js';

function plan(maxMs: number, stallMs: number, extension = { times: 0, byMs: 0 }): TimeoutPlan {
  return {
    maxMs,
    stallMs,
    maxSource: { origin: 'learned', detail: 'p99 of 40 runs' },
    stallSource: { origin: 'prior', detail: 'llm-agent prior' },
    extension,
  };
}

describe('Watchdog stall limit', () => {
  it('fires after stallMs without progress and says what it watched and when progress was last seen', () => {
    const dog = new Watchdog(plan(60_000, 1000), 0, true);
    dog.progress('stdout', 300);
    expect(dog.check(1299)).toEqual({ action: 'continue' });
    expect(dog.check(1300)).toEqual({
      action: 'kill',
      termination: 'stall',
      detail:
        'no output, CPU or I/O for 1.0s (stall limit 1s, from llm-agent prior); last progress: stdout at 0.3s',
    });
  });

  it('names only output as the watched signal where /proc is not available', () => {
    const dog = new Watchdog(plan(60_000, 500), 0, false);
    const verdict = dog.check(600);
    expect(verdict.action === 'kill' && verdict.detail).toBe(
      'no output for 0.6s (stall limit 0.5s, from llm-agent prior); last progress: none since the start',
    );
  });

  it('does not count time while paused toward either limit', () => {
    const dog = new Watchdog(plan(2000, 1000), 0, true);
    dog.progress('stdout', 0);
    expect(dog.pause(500)).toBe(true);
    expect(dog.pause(600)).toBe(false);
    expect(dog.check(5000)).toEqual({ action: 'continue' });
    expect(dog.status(5000).elapsedMs).toBe(500);
    expect(dog.resume(5500)).toBe(true);
    expect(dog.resume(5600)).toBe(false);
    expect(dog.check(5999)).toEqual({ action: 'continue' });
    expect(dog.check(6000)).toMatchObject({ action: 'kill', termination: 'stall' });
    expect(dog.pausedMs(6000)).toBe(5000);
  });

  it('forgives time the runner itself was late, so a blocked event loop does not stall a task', () => {
    const dog = new Watchdog(plan(60_000, 1000), 0, true);
    dog.progress('stdout', 100);
    dog.forgive(2500, 3000);
    expect(dog.check(3000)).toEqual({ action: 'continue' });
    expect(dog.status(3000).sinceProgressMs).toBe(400);
    expect(dog.check(3600)).toMatchObject({ action: 'kill', termination: 'stall' });
  });

  it('never forgives beyond the present', () => {
    const dog = new Watchdog(plan(60_000, 1000), 0, true);
    dog.forgive(10_000, 2000);
    expect(dog.status(2000).sinceProgressMs).toBe(0);
  });
});

describe('Watchdog CPU and I/O as progress', () => {
  it('counts a busy process as progressing', () => {
    const dog = new Watchdog(plan(60_000, 1000), 0, true);
    for (let t = 500; t <= 5000; t += 500) {
      dog.activity({ cpuMs: 480, ioBytes: 0 }, t);
      expect(dog.check(t)).toEqual({ action: 'continue' });
    }
    expect(dog.status(5000).lastProgress).toBe('cpu');
  });

  it('does not let a hung process that wakes for a timer now and then (0.1% CPU) look alive', () => {
    const dog = new Watchdog(plan(600_000, 30_000), 0, true);
    dog.progress('stdout', 0);
    let verdict = dog.check(0);
    for (let t = 10_000; verdict.action === 'continue'; t += 10_000) {
      dog.activity({ cpuMs: 10, ioBytes: 0 }, t);
      verdict = dog.check(t);
    }
    expect(verdict).toMatchObject({ action: 'kill', termination: 'stall' });
  });

  it('counts any I/O bytes as progress', () => {
    const dog = new Watchdog(plan(60_000, 1000), 0, true);
    dog.activity({ cpuMs: 0, ioBytes: 4096 }, 900);
    expect(dog.check(1800)).toEqual({ action: 'continue' });
    expect(dog.status(1800)).toMatchObject({ lastProgress: 'io', sinceProgressMs: 900 });
  });
});

describe('Watchdog max limit and soft extension', () => {
  it('kills at the max limit when no extension is allowed', () => {
    const dog = new Watchdog(plan(1000, 800), 0, true);
    dog.progress('stdout', 950);
    expect(dog.check(999)).toEqual({ action: 'continue' });
    const verdict = dog.check(1000);
    expect(verdict).toMatchObject({ action: 'kill', termination: 'max' });
    expect(verdict.action === 'kill' && verdict.detail).toBe(
      'ran 1.0s (max limit 1s, from p99 of 40 runs); no extension allowed; last progress: stdout at 0.9s',
    );
  });

  it('extends a task that is still progressing, a bounded number of times', () => {
    const dog = new Watchdog(plan(1000, 800, { times: 2, byMs: 500 }), 0, true);
    for (let t = 0; t <= 1990; t += 10) {
      dog.progress('stdout', t);
      expect(dog.check(t)).toEqual({ action: 'continue' });
    }
    expect(dog.extensions).toBe(2);
    expect(dog.status(1990).maxMs).toBe(2000);
    dog.progress('stdout', 2000);
    const verdict = dog.check(2000);
    expect(verdict).toMatchObject({ action: 'kill', termination: 'max' });
    expect(verdict.action === 'kill' && verdict.detail).toContain(
      'extended 2 of 2 times by 0.5s); still progressing but no extension left',
    );
  });

  it('does not extend a task silent for longer than min(stall limit, 30 s)', () => {
    const dog = new Watchdog(plan(100_000, 90_000, { times: 2, byMs: 50_000 }), 0, true);
    dog.progress('stdout', 60_000);
    const verdict = dog.check(100_000);
    expect(verdict).toMatchObject({ action: 'kill', termination: 'max' });
    expect(verdict.action === 'kill' && verdict.detail).toContain(
      'not extended: no progress in the last 30s',
    );
    expect(dog.extensions).toBe(0);
  });
});

describe('Watchdog silence record', () => {
  it('keeps the longest gap between progress signals, counting the last one up to the exit', () => {
    const dog = new Watchdog(plan(60_000, 10_000), 0, true);
    dog.progress('stdout', 100);
    dog.progress('stderr', 2100);
    dog.progress('agent-event', 2500);
    expect(dog.longestSilenceMs(3000)).toBe(2000);
    dog.stop(6000);
    expect(dog.longestSilenceMs(9000)).toBe(3500);
    expect(dog.check(20_000)).toEqual({ action: 'continue' });
  });
});
