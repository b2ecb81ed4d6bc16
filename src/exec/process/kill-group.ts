import { setTimeout as sleep } from 'node:timers/promises';

/** Everything a kill needs to know about a task's processes, whatever tracks them. */
export interface KillTarget {
  /** Sends the signal to the task's process group and to any descendant that escaped it. */
  signal(signal: NodeJS.Signals): void;
  /** How many of the task's processes are still alive (zombies do not count: no signal reaches them). */
  survivors(): number;
}

export interface KillOutcome {
  /** SIGKILL was needed because something outlived the grace period. */
  forced: boolean;
  /** Processes still alive after SIGKILL and the confirmation wait (e.g. stuck in uninterruptible I/O). */
  survivors: number;
}

export interface KillOptions {
  graceMs: number;
  /** How long to wait for the kernel to finish SIGKILL before reporting survivors. */
  confirmMs?: number;
  pollMs?: number;
}

/**
 * SIGTERM to everything, a grace period to exit cleanly, SIGKILL to whatever is left, then confirm that
 * nothing survived. SIGCONT follows SIGTERM so that a paused (SIGSTOPped) task can act on it.
 */
export async function killProcessTree(target: KillTarget, options: KillOptions): Promise<KillOutcome> {
  const pollMs = options.pollMs ?? 100;
  target.signal('SIGTERM');
  target.signal('SIGCONT');
  if (await waitUntilGone(target, options.graceMs, pollMs)) return { forced: false, survivors: 0 };
  target.signal('SIGKILL');
  const gone = await waitUntilGone(target, options.confirmMs ?? 2000, pollMs);
  return { forced: true, survivors: gone ? 0 : target.survivors() };
}

async function waitUntilGone(target: KillTarget, withinMs: number, pollMs: number): Promise<boolean> {
  const deadline = performance.now() + withinMs;
  for (;;) {
    if (target.survivors() === 0) return true;
    const left = deadline - performance.now();
    if (left <= 0) return false;
    await sleep(Math.min(pollMs, left));
  }
}
