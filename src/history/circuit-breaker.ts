export type BreakerState = 'closed' | 'open' | 'probing';

export interface BreakerOptions {
  /** Wait after the first failure before probing again; doubles on each failed probe. */
  retryAfterMs: number;
  maxRetryAfterMs: number;
  now?: () => number;
}

/**
 * Closed: calls go to the remote store. Open: they do not, until a probe is due. Probing: one
 * probe is in flight; everything else still avoids the remote store until it succeeds.
 */
export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private waitMs = 0;
  private retryAt = 0;
  private readonly now: () => number;

  constructor(private readonly options: BreakerOptions) {
    this.now = options.now ?? Date.now;
  }

  get state(): BreakerState {
    return this.current;
  }

  get isClosed(): boolean {
    return this.current === 'closed';
  }

  /** Records a failure; returns true when this failure is what opened the breaker. */
  fail(): boolean {
    // Many calls failing together are one outage: only the first (or a failed probe) backs off further.
    if (this.current === 'open') return false;
    const opened = this.current === 'closed';
    this.waitMs =
      this.waitMs === 0 ? this.options.retryAfterMs : Math.min(this.waitMs * 2, this.options.maxRetryAfterMs);
    this.retryAt = this.now() + this.waitMs;
    this.current = 'open';
    return opened;
  }

  succeed(): void {
    this.current = 'closed';
    this.waitMs = 0;
  }

  /** Milliseconds until a probe is due; 0 when due now or when not open. */
  msUntilProbe(): number {
    return this.current === 'open' ? Math.max(0, this.retryAt - this.now()) : 0;
  }

  /** Moves to probing when a probe is due (or `force`d); true means the caller must probe and report. */
  startProbe(force = false): boolean {
    if (this.current !== 'open') return false;
    if (!force && this.now() < this.retryAt) return false;
    this.current = 'probing';
    return true;
  }
}
