/**
 * Durations for people, in one style everywhere (terminal, reports, explain-timeout): 850ms, 12.3s,
 * 4m05s, 2h03m. Short enough for a progress line, precise where it matters.
 */
export function formatDuration(ms: number): string {
  if (Number.isNaN(ms) || ms < 0) return '-';
  if (ms === Number.POSITIVE_INFINITY) return '∞';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const totalSeconds = Math.floor(seconds);
  if (totalSeconds < 3600) {
    const m = Math.floor(totalSeconds / 60);
    const s = totalSeconds % 60;
    return `${m}m${String(s).padStart(2, '0')}s`;
  }
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  return `${h}h${String(m).padStart(2, '0')}m`;
}
