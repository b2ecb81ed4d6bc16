/**
 * Time the runner itself held back reading a task's output (its log or a client was behind): the runner
 * could not see the task meanwhile, so that time is forgiven on the task's silence clocks, never counted
 * as the task's own.
 */
export class HeldTime {
  private since: number | undefined;

  get holding(): boolean {
    return this.since !== undefined;
  }

  hold(now: number): void {
    this.since ??= now;
  }

  /** Time held since the last take (none when not holding). */
  take(now: number): number {
    if (this.since === undefined) return 0;
    const held = Math.max(0, now - this.since);
    this.since = now;
    return held;
  }

  /** Reading goes on: the time held since the last take, and the clock stops. */
  release(now: number): number {
    const held = this.take(now);
    this.since = undefined;
    return held;
  }
}
