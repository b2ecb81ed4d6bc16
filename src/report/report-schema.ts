import { z } from 'zod';
import { REPORT_SCHEMA_VERSION, type RunReport } from '../run/types.js';

/**
 * The JSON report as read back (merge-reports, dashboards). Documented in docs/report-format.md; keep the
 * two in step. Unknown fields are dropped rather than rejected, so a report from a newer cc-stress with
 * only additive changes still reads.
 */

const timestamp = z.iso.datetime({ offset: true });
const millis = z.number().nonnegative();
const count = z.number().int().nonnegative();
const ratio = z.number().min(0).max(1);

export const endReasonSchema = z.enum(['passed', 'failed', 'timed-out', 'stalled', 'crashed', 'cancelled']);

export const limitSourceSchema = z.object({
  origin: z.enum(['suite', 'client', 'config-default', 'learned', 'borrowed', 'prior']),
  detail: z.string(),
});

export const attemptResultSchema = z.object({
  attempt: z.number().int().positive(),
  command: z.string(),
  startedAt: timestamp,
  endedAt: timestamp,
  durationMs: millis,
  limits: z.object({
    maxMs: millis,
    stallMs: millis,
    max: limitSourceSchema,
    stall: limitSourceSchema,
    /** The quiet limit (time with nothing new), when the task had one. */
    quietMs: millis.optional(),
    quiet: limitSourceSchema.optional(),
    extensions: count,
  }),
  reason: endReasonSchema,
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  messages: z.array(z.string()),
  outputTail: z.string(),
  logPath: z.string(),
  longestSilenceMs: millis,
  executor: z.string(),
});

export const taskResultSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  category: z.string().optional(),
  complexity: z.string().optional(),
  attempts: z.array(attemptResultSchema),
  reason: endReasonSchema,
  flaky: z.boolean(),
  durationMs: millis,
  line: z.number().int().positive().optional(),
});

export const totalsSchema = z.object({
  total: count,
  passed: count,
  failed: count,
  timedOut: count,
  stalled: count,
  crashed: count,
  cancelled: count,
  flaky: count,
});

const durationStatsShape = {
  tasks: count,
  passed: count,
  successRate: ratio,
  attempts: count,
  p50Ms: millis.nullable(),
  p95Ms: millis.nullable(),
  maxMs: millis.nullable(),
};

export const runStatsSchema = z.object({
  all: z.object(durationStatsShape),
  categories: z.array(z.object({ category: z.string(), ...durationStatsShape })),
  tasks: z.array(z.object({ task: z.string(), category: z.string().optional(), ...durationStatsShape })),
});

export const runReportSchema = z.object({
  schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
  tool: z.object({ name: z.literal('cc-stress'), version: z.string() }),
  suite: z.object({ name: z.string(), description: z.string().optional(), file: z.string() }),
  shard: z
    .object({
      index: z.number().int().positive(),
      total: z.number().int().positive(),
      split: z.string().optional(),
    })
    .refine((shard) => shard.index <= shard.total, { message: 'shard index is above the shard total' })
    .optional(),
  startedAt: timestamp,
  endedAt: timestamp,
  durationMs: millis,
  interrupted: z.boolean(),
  tasks: z.array(taskResultSchema),
  totals: totalsSchema,
  successRate: ratio,
  target: ratio,
  verdict: z.enum(['pass', 'fail', 'interrupted']),
  stats: runStatsSchema.optional(),
  containment: z.enum(['pid-namespace', 'process-group']).optional(),
});

// Compile-time guard: a field added to RunReport (or to the schema) without the other fails the build.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const schemaMatchesRunReport: Same<z.infer<typeof runReportSchema>, RunReport> = true;
