import { z } from 'zod';
import type { RunOutcome, RunRecord } from './types.js';

export const runOutcomes = [
  'success',
  'failed',
  'killed-max',
  'killed-stall',
  'retry-later',
] as const satisfies readonly RunOutcome[];

/** Program names are normalised tool names; anything longer is cut, never refused. */
export const PROGRAM_MAX = 64;

export const runRecordSchema = z.object({
  runId: z.string().min(1).max(512),
  durationMs: z.number().finite().min(0),
  longestSilenceMs: z.number().finite().min(0),
  longestQuietMs: z.number().finite().min(0).optional(),
  outcome: z.enum(runOutcomes),
  at: z.number().finite().min(0),
  limitMs: z.number().finite().min(0).optional(),
  program: z.string().min(1).max(PROGRAM_MAX).optional(),
  simulated: z.boolean().optional(),
});

/** Only the record's own fields, in a fixed order, so stored values never carry stray properties. */
export function pickRecord(record: RunRecord): RunRecord {
  // Assigned one by one rather than spread: every plan copies a window of these, and spreads of
  // conditional literals cost several times more.
  const picked = {
    runId: record.runId,
    durationMs: record.durationMs,
    longestSilenceMs: record.longestSilenceMs,
  } as RunRecord;
  if (record.longestQuietMs !== undefined) picked.longestQuietMs = record.longestQuietMs;
  picked.outcome = record.outcome;
  picked.at = record.at;
  if (record.limitMs !== undefined) picked.limitMs = record.limitMs;
  if (record.program !== undefined && record.program !== '') {
    picked.program = record.program.slice(0, PROGRAM_MAX);
  }
  if (record.simulated !== undefined) picked.simulated = record.simulated;
  return picked;
}

/** Parses a record stored as JSON by this program; anything else (a newer format, damage) yields undefined. */
export function parseStoredRecord(text: string | null | undefined): RunRecord | undefined {
  if (text === null || text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = runRecordSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** Newest first; ties keep a stable order by runId so every store agrees. */
export function newestFirst(a: RunRecord, b: RunRecord): number {
  if (a.at !== b.at) return b.at - a.at;
  return a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0;
}

/** Union of several newest-first lists, de-duplicated by runId, newest first, at most `limit`. */
export function mergeRecent(lists: RunRecord[][], limit: number): RunRecord[] {
  const byId = new Map<string, RunRecord>();
  for (const list of lists) {
    for (const record of list) if (!byId.has(record.runId)) byId.set(record.runId, record);
  }
  return [...byId.values()].sort(newestFirst).slice(0, limit);
}

/** Class keys in the order given, without repeats: a record is stored once per class. */
export function uniqueKeys(classKeys: readonly string[]): string[] {
  return [...new Set(classKeys)];
}
