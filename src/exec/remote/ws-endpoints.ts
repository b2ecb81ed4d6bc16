import { type ConnectOptions, RemoteSession } from './ws-connection.js';

export type Connected = { ok: true; session: RemoteSession } | { ok: false; detail: string };

/** A server that refused because it is full is busy, not down. */
const BUSY = /session limit/i;

/**
 * The executor URLs of a run: tasks are spread round-robin, and a URL that failed to connect is tried
 * last for a while, so one unreachable host costs one connect timeout, not one per task.
 */
export class EndpointPool {
  private next = 0;
  private readonly downUntil = new Map<string, number>();

  constructor(
    readonly urls: readonly string[],
    private readonly downForMs = 30_000,
  ) {
    if (urls.length === 0) throw new Error('no executor URL given');
  }

  /** The URLs to try for the next task: up ones in round-robin order, then the ones marked down. */
  order(now = Date.now()): string[] {
    const start = this.next % this.urls.length;
    this.next += 1;
    const rotated = [...this.urls.slice(start), ...this.urls.slice(0, start)];
    const isDown = (url: string): boolean => (this.downUntil.get(url) ?? 0) > now;
    return [...rotated.filter((url) => !isDown(url)), ...rotated.filter(isDown)];
  }

  markDown(url: string, now = Date.now()): void {
    this.downUntil.set(url, now + this.downForMs);
  }

  markUp(url: string): void {
    this.downUntil.delete(url);
  }

  /**
   * Opens a session on the first URL that accepts one. When every server that answered was full (session
   * limit), tries again for up to the connect timeout, as sessions free up; the failure names every URL
   * tried and why.
   */
  async connect(options: ConnectOptions, signal?: AbortSignal): Promise<Connected> {
    const giveUpAt = Date.now() + options.connectTimeoutMs;
    let failures: string[] = [];
    for (let round = 1; ; round += 1) {
      failures = [];
      let busy = false;
      for (const url of this.order()) {
        if (signal?.aborted) break;
        try {
          const session = await RemoteSession.open(url, options);
          this.markUp(url);
          return { ok: true, session };
        } catch (error) {
          const why = (error as Error).message;
          if (BUSY.test(why)) busy = true;
          else this.markDown(url);
          failures.push(`${url} (${why})`);
        }
      }
      const wait = Math.min(100 * round, 1000);
      if (!busy || signal?.aborted || Date.now() + wait > giveUpAt) break;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    if (failures.length === 0) return { ok: false, detail: 'cancelled before connecting to an executor' };
    return {
      ok: false,
      detail:
        failures.length === 1
          ? `cannot reach the executor ${failures[0]}`
          : `cannot reach any executor: ${failures.join('; ')}`,
    };
  }
}
