/**
 * What counts as progress, in numbers. A signal either shows work ("real" progress, which resets the stall
 * clock), or carries no information ("weak": repeated output, keep-alives, an open tool call), which keeps a
 * task alive only for a bounded time after its last real progress, or never counts (idle I/O, stray CPU).
 */
export interface ProgressRules {
  /**
   * Output whose normalised lines were all seen recently (the same line again, spinner frames, progress-bar
   * redraws, lines differing only in numbers) counts as progress only within this long after the last real
   * progress. 0: repeated output never counts.
   */
  repeatMs: number;
  /**
   * Agent keep-alives (API pings the CLI passes on, `api_retry`, reconnect and status notices) and an open
   * tool call count as progress only within this long after the last real progress. Longer than `repeatMs`
   * because they say that something outside the process (the model API, a tool) is still at work, and the
   * CLIs bound both themselves (retry counts, tool timeouts).
   */
  keepAliveMs: number;
  /** CPU and I/O are judged over this sliding window (never shorter than two samples). */
  windowMs: number;
  /** CPU counts only at this share of one core or more over the window (0.05 = 5%). */
  minCpuShare: number;
  /**
   * I/O counts only at this rate or more over the window, in bytes per second beyond SMALL_CALL_BYTES per
   * read or write call.
   */
  minIoBytesPerSecond: number;
}

/**
 * Bytes of each read or write call that never count as I/O progress. An idle event loop wakes itself with
 * 8-byte eventfd/timerfd calls, and runtimes poll small files such as /proc/self/statm (38 bytes): the real
 * `claude` CLI (2.1.x) waiting on a dead API stream does 2 to 5 such calls a second, all under 64 bytes,
 * plus bursts of a hundred 8-byte wake-ups. A process doing real I/O moves kilobytes per call.
 */
export const SMALL_CALL_BYTES = 64;

/**
 * Defaults, measured: the real `claude` 2.1.x waiting on a dead stream used at most 1.8% of a core over any
 * 5 s window and no I/O beyond its small calls, while the simulated agent writing its transcript during a
 * silence moves about 330 B/s beyond them.
 */
export const DEFAULT_PROGRESS_RULES: ProgressRules = {
  repeatMs: 30_000,
  keepAliveMs: 300_000,
  windowMs: 5000,
  minCpuShare: 0.05,
  minIoBytesPerSecond: 128,
};

/** The `progress` section of the config file, in the units a user writes. */
export interface ProgressSettings {
  repeatSeconds: number;
  keepAliveSeconds: number;
  windowSeconds: number;
  minCpuPercent: number;
  minIoBytesPerSecond: number;
}

export function progressRules(settings: ProgressSettings): ProgressRules {
  return {
    repeatMs: settings.repeatSeconds * 1000,
    keepAliveMs: settings.keepAliveSeconds * 1000,
    windowMs: settings.windowSeconds * 1000,
    minCpuShare: settings.minCpuPercent / 100,
    minIoBytesPerSecond: settings.minIoBytesPerSecond,
  };
}
