/**
 * Classes kept per store before the least recently used are evicted. Every store is bounded in both
 * directions (runs per class and classes), so a long-lived cache or Redis never grows without limit.
 */
export const DEFAULT_MAX_CLASSES = 10_000;

/** Normalises a caller's `limit` argument: undefined means "all", anything else is clamped to [0, max]. */
export function clampLimit(limit: number | undefined, max: number): number {
  if (limit === undefined || Number.isNaN(limit)) return max;
  return Math.max(0, Math.min(max, Math.floor(limit)));
}
