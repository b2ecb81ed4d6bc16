import { describe, expect, it } from 'vitest';
import { DEFAULT_PROGRESS_RULES, type ProgressRules } from '../../../src/exec/watchdog/progress-rules.js';
import { Watchdog } from '../../../src/exec/watchdog/watchdog.js';
import type { TimeoutPlan } from '../../../src/timeouts/types.js';

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
      dog.activity({ cpuMs: 480, ioBytes: 0, usefulIoBytes: 0 }, t);
      expect(dog.check(t)).toEqual({ action: 'continue' });
    }
    expect(dog.status(5000).lastProgress).toBe('cpu');
  });

  it('does not let a hung process that wakes for a timer now and then (0.1% CPU) look alive', () => {
    const dog = new Watchdog(plan(600_000, 30_000), 0, true);
    dog.progress('stdout', 0);
    let verdict = dog.check(0);
    for (let t = 10_000; verdict.action === 'continue'; t += 10_000) {
      dog.activity({ cpuMs: 10, ioBytes: 0, usefulIoBytes: 0 }, t);
      verdict = dog.check(t);
    }
    expect(verdict).toMatchObject({ action: 'kill', termination: 'stall' });
  });

  it('counts I/O of a few kilobytes as progress', () => {
    const dog = new Watchdog(plan(60_000, 1000), 0, true);
    dog.activity({ cpuMs: 0, ioBytes: 4096, usefulIoBytes: 4096 }, 900);
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

const rules = (overrides: Partial<ProgressRules> = {}): ProgressRules => ({
  ...DEFAULT_PROGRESS_RULES,
  ...overrides,
});

describe('Watchdog weak signals', () => {
  it('counts repeated output only within repeatMs of the last real progress, and says so when it kills', () => {
    const dog = new Watchdog(plan(600_000, 3000), 0, true, rules({ repeatMs: 2000 }));
    dog.progress('stdout', 400);
    let verdict = dog.check(400);
    let t = 400;
    while (verdict.action === 'continue') {
      t += 300;
      dog.progress('stdout', t, { strength: 'repeat' });
      verdict = dog.check(t);
    }
    // The last repeat that counted came at 2.2 s (within 2 s of 0.4 s); the stall limit ran from there.
    expect(t).toBe(5200);
    expect(verdict).toEqual({
      action: 'kill',
      termination: 'stall',
      detail:
        'only repeated output for 4.8s (stall limit 3s, from llm-agent prior); last progress: stdout at 0.4s',
    });
  });

  it('keeps a task alive on keep-alives for keepAliveMs at most, naming the last work', () => {
    const dog = new Watchdog(plan(600_000, 10_000), 0, true, rules({ keepAliveMs: 60_000 }));
    dog.progress('agent-event', 5000, { what: 'tool_result' });
    for (let t = 10_000; t <= 65_000; t += 5000) {
      dog.progress('agent-event', t, { strength: 'keep-alive', what: 'ping' });
      expect(dog.check(t)).toEqual({ action: 'continue' });
    }
    dog.progress('agent-event', 70_000, { strength: 'keep-alive', what: 'ping' });
    expect(dog.check(74_999)).toEqual({ action: 'continue' });
    expect(dog.check(75_000)).toEqual({
      action: 'kill',
      termination: 'stall',
      detail:
        'only keep-alives for 70.0s (stall limit 10s, from llm-agent prior); last progress: tool_result at 5.0s',
    });
  });

  it('lets an open tool call hold the stall clock for keepAliveMs, and a tool result end the hold', () => {
    const dog = new Watchdog(plan(600_000, 1000), 0, true, rules({ keepAliveMs: 5000 }));
    dog.progress('agent-event', 100, { what: 'tool_use (Bash)' });
    dog.tools(1, 'Bash', 100);
    expect(dog.check(4000)).toEqual({ action: 'continue' });
    dog.progress('agent-event', 4000, { what: 'tool_result' });
    dog.tools(0, undefined, 4000);
    expect(dog.check(4999)).toEqual({ action: 'continue' });
    expect(dog.check(5000)).toMatchObject({ action: 'kill', termination: 'stall' });

    const hung = new Watchdog(plan(600_000, 1000), 0, true, rules({ keepAliveMs: 5000 }));
    hung.progress('agent-event', 100, { what: 'tool_use (Bash)' });
    hung.tools(1, 'Bash', 100);
    expect(hung.check(6099)).toEqual({ action: 'continue' });
    expect(hung.check(6100)).toEqual({
      action: 'kill',
      termination: 'stall',
      detail:
        'only an open tool call (Bash) for 6.0s (stall limit 1s, from llm-agent prior); last progress: tool_use (Bash) at 0.1s',
    });
  });

  it('holds the stall clock for an open tool call only while the tool runs as a process of its own', () => {
    const running = new Watchdog(plan(600_000, 1000), 0, true, rules({ keepAliveMs: 5000 }));
    const hung = new Watchdog(plan(600_000, 1000), 0, true, rules({ keepAliveMs: 5000 }));
    for (const dog of [running, hung]) {
      dog.processes(1, 50);
      dog.progress('agent-event', 100, { what: 'tool_use (Bash)' });
      dog.tools(1, 'Bash', 100);
    }
    running.processes(2, 500);
    hung.processes(1, 500);
    expect(running.check(3000)).toEqual({ action: 'continue' });
    expect(hung.check(1100)).toEqual({
      action: 'kill',
      termination: 'stall',
      detail:
        'no output, CPU or I/O for 1.0s (stall limit 1s, from llm-agent prior); last progress: tool_use (Bash) at 0.1s',
    });
  });

  it('holds for a tool that a scan saw before a busy runner read the call that started it', () => {
    const dog = new Watchdog(plan(600_000, 1000), 0, true, rules({ keepAliveMs: 5000 }));
    dog.processes(1, 50);
    // The CLI printed the call and started its tool; the next scan sees the tool first, the line comes later.
    dog.processes(2, 150);
    dog.progress('agent-event', 300, { what: 'tool_use (Bash)' });
    dog.tools(1, 'Bash', 300);
    dog.processes(2, 600);
    expect(dog.check(3000)).toEqual({ action: 'continue' });
  });

  it('never counts weak signals when their allowance is 0', () => {
    const dog = new Watchdog(plan(600_000, 1000), 0, true, rules({ repeatMs: 0, keepAliveMs: 0 }));
    dog.progress('stdout', 0);
    dog.progress('stdout', 500, { strength: 'repeat' });
    dog.progress('agent-event', 900, { strength: 'keep-alive', what: 'ping' });
    expect(dog.check(1000)).toMatchObject({ action: 'kill', termination: 'stall' });
  });

  it('does not count idle CPU and I/O, and names the thresholds they stayed under', () => {
    const dog = new Watchdog(plan(600_000, 3000), 0, true);
    dog.progress('stdout', 0);
    let verdict = dog.check(0);
    let t = 0;
    while (verdict.action === 'continue') {
      t += 500;
      // An idle event loop: two 8-byte wake-ups and a 38-byte poll a second, a clock tick now and then.
      dog.activity({ cpuMs: t % 2000 === 0 ? 10 : 0, ioBytes: 27, usefulIoBytes: 0 }, t);
      verdict = dog.check(t);
    }
    expect(t).toBe(3000);
    expect(verdict.action === 'kill' && verdict.detail).toBe(
      'no output, CPU or I/O for 3.0s (stall limit 3s, from llm-agent prior); last progress: stdout at 0.0s; ' +
        'CPU and I/O stayed below 5% of a core and 128 B/s over 5s (idle, not counted)',
    );
  });

  it('counts real I/O even without CPU, and a busy CPU even without I/O', () => {
    const io = new Watchdog(plan(600_000, 1000), 0, true);
    const cpu = new Watchdog(plan(600_000, 1000), 0, true);
    for (let t = 500; t <= 10_000; t += 500) {
      io.activity({ cpuMs: 0, ioBytes: 1 << 20, usefulIoBytes: 1 << 20 }, t);
      cpu.activity({ cpuMs: 450, ioBytes: 0, usefulIoBytes: 0 }, t);
      expect(io.check(t)).toEqual({ action: 'continue' });
      expect(cpu.check(t)).toEqual({ action: 'continue' });
    }
    expect(io.status(10_000).lastProgress).toBe('io');
    expect(cpu.status(10_000).lastProgress).toBe('cpu');
  });
});

describe('Watchdog quiet limit (nothing new)', () => {
  const quietPlan = (quietMs: number, stallMs = 1000): TimeoutPlan => ({
    ...plan(600_000, stallMs),
    quietMs,
    quietSource: { origin: 'learned', detail: 'conformal bound of 40 runs' },
  });
  const busy = { cpuMs: 480, ioBytes: 0, usefulIoBytes: 0 };

  it('ends a busy loop that the stall limit sees as progressing, naming what it saw', () => {
    const dog = new Watchdog(quietPlan(5000), 0, true);
    dog.progress('stdout', 200);
    let verdict = dog.check(200);
    let t = 200;
    while (verdict.action === 'continue' && t < 60_000) {
      t += 500;
      dog.activity(busy, t);
      verdict = dog.check(t);
    }
    expect(t).toBe(5200);
    expect(verdict).toEqual({
      action: 'kill',
      termination: 'stall',
      detail:
        'nothing new (no new output or agent work) for 5.0s, only CPU (quiet limit 5s, from conformal bound of 40 runs)',
    });
    expect(dog.longestQuietMs(t)).toBe(5000);
    // The stall clock never ran: CPU counted all along.
    expect(dog.longestSilenceMs(t)).toBeLessThanOrEqual(500);
  });

  it('ends a loop that repeats a line while doing I/O', () => {
    const dog = new Watchdog(quietPlan(8000), 0, true, rules({ repeatMs: 2000 }));
    dog.progress('stdout', 0);
    let verdict = dog.check(0);
    let t = 0;
    while (verdict.action === 'continue' && t < 60_000) {
      t += 500;
      dog.activity({ cpuMs: 30, ioBytes: 64_000, usefulIoBytes: 64_000 }, t);
      if (t % 2000 === 0) dog.progress('stdout', t, { strength: 'repeat' });
      verdict = dog.check(t);
    }
    expect(t).toBe(8000);
    expect(verdict.action === 'kill' && verdict.detail).toMatch(
      /^nothing new .* for 8\.0s, only CPU, I\/O and repeated output \(quiet limit 8s/,
    );
  });

  it('lets a busy task that keeps printing new lines run to the end', () => {
    const dog = new Watchdog(quietPlan(3000), 0, true);
    for (let t = 500; t <= 30_000; t += 500) {
      dog.activity(busy, t);
      if (t % 2500 === 0) dog.progress('stdout', t);
      expect(dog.check(t)).toEqual({ action: 'continue' });
    }
    expect(dog.longestQuietMs(30_000)).toBe(2500);
  });

  it('counts an agent tool that runs as a process of its own as news, up to keepAliveMs', () => {
    const dog = new Watchdog(quietPlan(4000), 0, true, rules({ keepAliveMs: 10_000 }));
    dog.processes(1, 0);
    dog.progress('agent-event', 100, { what: 'tool_use (Bash)' });
    dog.tools(1, 'Bash', 100);
    dog.processes(2, 200);
    // A silent, CPU-bound build in the tool: held within keepAliveMs of the call, then quiet runs.
    for (let t = 700; t < 14_100; t += 500) {
      dog.activity(busy, t);
      expect(dog.check(t)).toEqual({ action: 'continue' });
    }
    dog.activity(busy, 14_100);
    expect(dog.check(14_100)).toMatchObject({ action: 'kill', termination: 'stall' });
  });

  it('has no quiet limit unless the plan gives one: CPU alone keeps a task alive to the max limit', () => {
    const dog = new Watchdog(plan(20_000, 1000), 0, true);
    for (let t = 500; t < 20_000; t += 500) {
      dog.activity(busy, t);
      expect(dog.check(t)).toEqual({ action: 'continue' });
    }
    expect(dog.check(20_000)).toMatchObject({ action: 'kill', termination: 'max' });
  });

  it('says when the next limit is due, the quiet limit included', () => {
    const dog = new Watchdog(quietPlan(5000), 0, true);
    dog.progress('stdout', 1000);
    dog.activity(busy, 2000);
    expect(dog.dueAt(2000)).toBe(Math.min(2000 + 1000, 1000 + 5000));
    dog.activity(busy, 2500);
    dog.activity(busy, 3000);
    expect(dog.dueAt(3000)).toBe(4000);
  });
});
