import { setImmediate as yieldToLoop } from 'node:timers/promises';

/** Kept outside the loop so the arithmetic has an observable effect and cannot be optimised away. */
let sink = 0;

/** Spins the CPU for about `ms`, yielding often enough that signals and timers still get through. */
export async function burnCpu(ms: number): Promise<void> {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    const sliceEnd = Math.min(until, performance.now() + 20);
    while (performance.now() < sliceEnd) sink = (sink + Math.sqrt(sink + 1)) % 1e9;
    await yieldToLoop();
  }
}
