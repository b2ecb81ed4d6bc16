import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../src/history/circuit-breaker.js';

function breaker() {
  const clock = { now: 0 };
  const b = new CircuitBreaker({ retryAfterMs: 500, maxRetryAfterMs: 2000, now: () => clock.now });
  return { b, clock };
}

describe('CircuitBreaker', () => {
  it('opens on the first failure and says so only once for a burst of failures', () => {
    const { b } = breaker();
    expect(b.isClosed).toBe(true);
    expect(b.fail()).toBe(true);
    expect(b.fail()).toBe(false);
    expect(b.fail()).toBe(false);
    expect(b.state).toBe('open');
    // A burst of failures is one outage: the wait did not grow.
    expect(b.msUntilProbe()).toBe(500);
  });

  it('allows one probe when it is due, not before', () => {
    const { b, clock } = breaker();
    b.fail();
    clock.now = 499;
    expect(b.startProbe()).toBe(false);
    clock.now = 500;
    expect(b.startProbe()).toBe(true);
    expect(b.state).toBe('probing');
    expect(b.startProbe()).toBe(false);
  });

  it('backs off after failed probes up to the maximum, and closes on success', () => {
    const { b, clock } = breaker();
    b.fail();
    const waits: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      clock.now += b.msUntilProbe();
      expect(b.startProbe()).toBe(true);
      b.fail();
      waits.push(b.msUntilProbe());
    }
    expect(waits).toEqual([1000, 2000, 2000, 2000, 2000]);
    clock.now += b.msUntilProbe();
    b.startProbe();
    b.succeed();
    expect(b.isClosed).toBe(true);
    expect(b.fail()).toBe(true);
    expect(b.msUntilProbe()).toBe(500);
  });

  it('probes at once when forced, e.g. because the connection came back', () => {
    const { b } = breaker();
    b.fail();
    expect(b.startProbe(true)).toBe(true);
    expect(b.startProbe(true)).toBe(false);
  });
});
