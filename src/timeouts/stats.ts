/**
 * Small numeric helpers for the predictor. Everything here is pure and allocation-light: the benchmark
 * replays thousands of runs through the planner.
 */

/** The k-th smallest (1-based) of an ascending array; +Infinity when k is past the end. */
export function orderStatistic(sortedAscending: ArrayLike<number>, k: number): number {
  const i = Math.max(1, k) - 1;
  return i < sortedAscending.length ? sortedAscending[i]! : Number.POSITIVE_INFINITY;
}

/**
 * Rank of the split-conformal bound: with n exchangeable samples, a new one exceeds the k-th smallest
 * with probability at most alpha when k = ceil((n + 1)(1 - alpha)). The epsilon keeps float noise such
 * as 20.000000000000004 from adding a rank.
 */
export function conformalRank(n: number, alpha: number): number {
  return Math.ceil((n + 1) * (1 - alpha) - 1e-9);
}

/**
 * The q-quantile by the nearest-rank rule: the smallest of the values with at least a share q of them at or
 * below it (q in [0, 1]; 0 gives the minimum, 1 the maximum), so the result is always one of the values.
 * The values may come in any order and are not modified; an ascending input (the predictor's) is read in
 * place. Undefined when there are none. The one quantile of cc-stress: reports, ramps, the predictor and
 * the benchmarks all use it.
 */
export function quantile(values: ArrayLike<number>, q: number): number | undefined {
  const n = values.length;
  if (n === 0) return undefined;
  const sorted = isAscending(values) ? values : Float64Array.from(values).sort();
  // Without the epsilon, 0.07 × 100 = 7.000000000000001 would pick rank 8.
  const rank = Math.min(n, Math.max(1, Math.ceil(q * n - 1e-9)));
  return sorted[rank - 1];
}

function isAscending(values: ArrayLike<number>): boolean {
  for (let i = 1; i < values.length; i++) if (values[i - 1]! > values[i]!) return false;
  return true;
}

/** Median of an ascending array, averaging the middle pair (undefined when empty). */
export function median(sortedAscending: ArrayLike<number>): number | undefined {
  const n = sortedAscending.length;
  if (n === 0) return undefined;
  const mid = Math.floor(n / 2);
  return n % 2 === 1 ? sortedAscending[mid] : (sortedAscending[mid - 1]! + sortedAscending[mid]!) / 2;
}

export interface LogStats {
  n: number;
  meanLog: number;
  /** Sample standard deviation of the logs (n - 1 in the denominator); 0 for a single sample. */
  sdLog: number;
}

/** Mean and spread of log durations; values below 1 ms count as 1 ms so that the log stays finite. */
export function logStats(values: ArrayLike<number>): LogStats {
  const n = values.length;
  if (n === 0) return { n: 0, meanLog: 0, sdLog: 0 };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.log(Math.max(values[i]!, 1));
  const meanLog = sum / n;
  if (n === 1) return { n, meanLog, sdLog: 0 };
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const d = Math.log(Math.max(values[i]!, 1)) - meanLog;
    squares += d * d;
  }
  return { n, meanLog, sdLog: Math.sqrt(squares / (n - 1)) };
}

/**
 * Upper prediction bound for one more log-normal sample: exp(mean + t * sd * sqrt(1 + 1/n)) with the
 * Student t quantile for 1 - alpha on n - 1 degrees of freedom. The t quantile and the sqrt(1 + 1/n) term
 * are what widen the bound when there are only a few samples.
 */
export function logNormalUpperBound(stats: LogStats, alpha: number): { bound: number; t: number } {
  const t = studentTQuantile(1 - alpha, Math.max(1, stats.n - 1));
  const bound = Math.exp(stats.meanLog + t * stats.sdLog * Math.sqrt(1 + 1 / Math.max(1, stats.n)));
  return { bound, t };
}

// --- Student t quantile -------------------------------------------------------------------------
// Exact inversion (bisection on the CDF via the regularised incomplete beta function) rather than an
// expansion, because the widening matters most at small degrees of freedom where expansions are poor.

function logGamma(x: number): number {
  // Lanczos approximation (g = 7, n = 9), accurate to ~1e-15 for x > 0.
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-14) break;
  }
  return h;
}

function regularisedIncompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

function studentTCdf(t: number, df: number): number {
  const tail = 0.5 * regularisedIncompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

const tQuantileMemo = new Map<string, number>();

/** Quantile of Student's t distribution for probability p in [0.5, 1) and df >= 1 degrees of freedom. */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0.5)) return 0;
  if (p >= 1) return Number.POSITIVE_INFINITY;
  const memoKey = `${p}|${df}`;
  const known = tQuantileMemo.get(memoKey);
  if (known !== undefined) return known;
  // Closed forms for the few-samples case every new task starts in: the bisection below costs a cold
  // runner over 10 ms before its first task.
  if (df === 1) return Math.tan(Math.PI * (p - 0.5));
  if (df === 2) return (2 * p - 1) / Math.sqrt(2 * p * (1 - p));
  let hi = 1;
  while (studentTCdf(hi, df) < p && hi < 1e12) hi *= 2;
  let lo = 0;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  // A handful of alphas and sample counts recur; the cap only guards against unbounded growth.
  if (tQuantileMemo.size > 4096) tQuantileMemo.clear();
  tQuantileMemo.set(memoKey, hi);
  return hi;
}
